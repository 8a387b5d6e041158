/**
 * A local HTTP server on 127.0.0.1 that speaks the AWS Lambda Runtime API
 * (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), so that a runtime
 * process (here examples/streaming-tools/python/stream_runtime.py) runs unchanged
 * against it: `GET /2018-06-01/runtime/invocation/next` long-polls for the next event,
 * `POST .../invocation/{id}/response` takes the answer (in response-streaming mode a
 * chunked body, each chunk handed on as it arrives, and the error trailers), and
 * `POST .../invocation/{id}/error` and `POST .../init/error` take failures.
 *
 * `invoke(event, onChunk)` queues one invocation and resolves when the runtime has
 * answered it, as Lambda's own service does for one execution environment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RuntimeAnswer {
  /** The `Lambda-Runtime-Function-Response-Mode` header of the response (`streaming`), if any. */
  readonly responseMode?: string;
  /** The whole response body. */
  readonly body: Buffer;
  /** How many chunks the body arrived in. */
  readonly chunks: number;
  /** An error the runtime reported (the error call, or the error trailers of a stream). */
  readonly error?: { readonly errorType: string; readonly errorMessage: string };
}

interface Pending {
  readonly id: string;
  readonly event: unknown;
  readonly onChunk: (chunk: Buffer) => void;
  resolve(answer: RuntimeAnswer): void;
  reject(error: Error): void;
}

export class FakeRuntimeApi {
  static async start(): Promise<FakeRuntimeApi> {
    let api: FakeRuntimeApi | undefined;
    const server = createServer((req, res) => void api!.handle(req, res));
    server.requestTimeout = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = new FakeRuntimeApi(server, `127.0.0.1:${(server.address() as AddressInfo).port}`);
    return api;
  }

  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<string, Pending>();
  private waiting?: ServerResponse;
  private readonly processes: ChildProcess[] = [];
  /** What an `init/error` call reported. */
  initError?: unknown;

  private constructor(private readonly server: Server, readonly address: string) {}

  /** Starts a runtime process against this API (`AWS_LAMBDA_RUNTIME_API` set); its output goes to `log`. */
  spawnRuntime(command: string, args: string[], env: Record<string, string>, log: (line: string) => void = () => undefined): ChildProcess {
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', ...env, AWS_LAMBDA_RUNTIME_API: this.address },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => log(d.toString()));
    child.stderr!.on('data', (d: Buffer) => log(d.toString()));
    this.processes.push(child);
    return child;
  }

  invoke(event: unknown, onChunk: (chunk: Buffer) => void = () => undefined): Promise<RuntimeAnswer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: randomUUID(), event, onChunk, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    for (const child of this.processes) if (child.exitCode === null) child.kill('SIGKILL');
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private dispatch(): void {
    const res = this.waiting;
    if (!res || this.queue.length === 0) return;
    this.waiting = undefined;
    const next = this.queue.shift()!;
    this.inFlight.set(next.id, next);
    const body = Buffer.from(JSON.stringify(next.event));
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': String(body.byteLength),
      'Lambda-Runtime-Aws-Request-Id': next.id,
      'Lambda-Runtime-Deadline-Ms': String(Date.now() + 60_000),
      'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:python-tool',
    });
    res.end(body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://runtime').pathname;
    if (req.method === 'GET' && path === '/2018-06-01/runtime/invocation/next') {
      this.waiting = res;
      this.dispatch();
      return;
    }
    if (req.method === 'POST' && path === '/2018-06-01/runtime/init/error') {
      this.initError = JSON.parse((await readAll(req)).toString() || 'null');
      for (const p of this.queue.splice(0)) p.reject(new Error(`the runtime failed to start: ${JSON.stringify(this.initError)}`));
      return accepted(res);
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    const pending = match ? this.inFlight.get(match[1]) : undefined;
    if (req.method !== 'POST' || !match || !pending) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errorMessage: `no route ${req.method} ${path}`, errorType: 'InvalidRequestID' }));
      return;
    }
    this.inFlight.delete(match[1]);
    if (match[2] === 'error') {
      const error = JSON.parse((await readAll(req)).toString());
      pending.resolve({ body: Buffer.alloc(0), chunks: 0, error });
      return accepted(res);
    }
    // Each chunk is handed on as it arrives: this is what makes the response a stream.
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      pending.onChunk(chunk);
    });
    await new Promise<void>((resolve, reject) => {
      req.on('end', resolve);
      req.on('error', reject);
    });
    const errorType = req.trailers['lambda-runtime-function-error-type'];
    const errorBody = req.trailers['lambda-runtime-function-error-body'];
    const error = errorType
      ? { errorType, errorMessage: errorBody ? String(JSON.parse(Buffer.from(errorBody, 'base64').toString()).errorMessage) : errorType }
      : undefined;
    pending.resolve({ responseMode: header(req, 'lambda-runtime-function-response-mode'), body: Buffer.concat(parts), chunks: parts.length, ...(error ? { error } : {}) });
    accepted(res);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function accepted(res: ServerResponse): void {
  res.writeHead(202, { 'Content-Type': 'application/json' });
  res.end('{"status":"OK"}');
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
