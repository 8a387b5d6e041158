/**
 * A small Lambda Runtime API (the `2018-06-01` API a runtime polls; AWS Lambda
 * developer guide, "Using the Lambda runtime API for custom runtimes") and the
 * execution environments that poll it: each environment is one process of AWS's own
 * Runtime Interface Client (`aws-lambda-ric`, the managed Node.js runtime's client)
 * running the bundled handler, as Lambda runs it.
 *
 * What is emulated, and how Lambda does it:
 * - `GET /runtime/invocation/next` is held until there is an invocation, then answered
 *   with the event and the `Lambda-Runtime-Aws-Request-Id`, `-Deadline-Ms` and
 *   `-Invoked-Function-Arn` headers.
 * - `POST /runtime/invocation/{id}/response`, whole (buffered) or, with
 *   `Lambda-Runtime-Function-Response-Mode: streaming`, chunked as the handler writes.
 *   A streamed body of content type `application/vnd.awslambda.http-integration-response`
 *   starts with a JSON prelude (status, headers, cookies) ended by 8 zero bytes. An
 *   error after the stream began arrives in the `Lambda-Runtime-Function-Error-Type`
 *   and `-Body` trailers.
 * - `POST /runtime/invocation/{id}/error` and `/runtime/init/error`.
 * - Each environment has a Runtime API endpoint of its own (its own port), so that every
 *   request is known to come from it.
 * - An environment serves one invocation at a time. An invocation that finds no idle
 *   environment starts a new one (up to `maxEnvironments`) or waits for one, as
 *   Lambda scales out per concurrent request. An invocation still running a little
 *   after its deadline has its environment killed ("Task timed out").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { readRequestBody } from '../support/request-body';

export const RUNTIME_API = '/2018-06-01/runtime';
export const STREAMING_MODE_HEADER = 'lambda-runtime-function-response-mode';
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const PRELUDE_DELIMITER = Buffer.alloc(8);

export interface EnvironmentSettings {
  /** The Node.js binary that runs the runtime client (22 or later). */
  readonly node: string;
  /** The runtime client's entry (`aws-lambda-ric/index.mjs`). */
  readonly ricEntry: string;
  /** LAMBDA_TASK_ROOT: the directory of the handler. */
  readonly taskRoot: string;
  /** _HANDLER, e.g. `index.handler`. */
  readonly handler: string;
  /** The function's own environment variables (tables, auth mode, ...). */
  readonly env: Record<string, string>;
  readonly functionName?: string;
  readonly maxEnvironments?: number;
}

/** How an invocation's response began: a prelude (streamed HTTP response) or none. */
export interface InvocationHead {
  readonly streaming: boolean;
  readonly contentType: string;
  /** The http-integration prelude, when the handler sent one. */
  readonly prelude?: { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };
}

/** The function's error, as Lambda reports it (`errorType`, `errorMessage`). */
export interface InvocationError {
  readonly errorType: string;
  readonly errorMessage: string;
}

export interface Invocation {
  readonly requestId: string;
  /** Resolves when the response's head is known (prelude parsed), or rejects with the function's error. */
  readonly head: Promise<InvocationHead>;
  /** The response body after the prelude, chunk by chunk as the handler writes it. */
  readonly body: PassThrough;
  /** Resolves when the invocation ended: undefined, or the error it ended with. */
  readonly done: Promise<InvocationError | undefined>;
}

interface Pending {
  readonly requestId: string;
  readonly event: unknown;
  readonly deadline: number;
  readonly head: Deferred<InvocationHead>;
  readonly body: PassThrough;
  readonly done: Deferred<InvocationError | undefined>;
  environment?: Environment;
  killTimer?: NodeJS.Timeout;
}

interface Environment {
  readonly id: number;
  readonly server: Server;
  child?: ChildProcess;
  /** Output (logs) of the runtime client and the handler, kept for failure messages. */
  output: string;
  /** The invocation it is running. */
  current?: Pending;
  started: boolean;
}

export class RuntimeApiEmulator {
  static async start(settings: EnvironmentSettings): Promise<RuntimeApiEmulator> {
    return new RuntimeApiEmulator(settings);
  }

  /** Every environment started, in order (for counts and for their logs). */
  readonly environments: Environment[] = [];
  /** The request id of every invocation handed to an environment, in order. */
  readonly requestIds: string[] = [];
  /** Init errors the runtime client reported (the handler could not be loaded). */
  readonly initErrors: string[] = [];
  private readonly queue: Pending[] = [];
  /** `next` requests parked by idle environments. */
  private readonly idle: Array<{ environment: Environment; res: ServerResponse }> = [];
  private readonly invocations = new Map<string, Pending>();
  private closed = false;
  /** Why environments cannot start, once one failed to (no further ones are started). */
  initFailure?: string;

  private constructor(private readonly settings: EnvironmentSettings) {}

  /** Invokes the function with `event`; `timeoutMs` is the function's timeout. */
  invoke(event: unknown, timeoutMs = 60_000): Invocation {
    const pending: Pending = {
      requestId: randomUUID(),
      event,
      deadline: Date.now() + timeoutMs,
      head: deferred(),
      body: new PassThrough(),
      done: deferred(),
    };
    // Nobody may be waiting for the head (an SNS delivery reads `done` only), nor be
    // reading the body when the invocation fails (an environment killed at close): the
    // failure is told through `head` and `done`, and must not be an unhandled error.
    pending.head.promise.catch(() => undefined);
    pending.body.on('error', () => undefined);
    this.invocations.set(pending.requestId, pending);
    if (this.initFailure) {
      this.finish(pending, { errorType: 'Runtime.InitError', errorMessage: this.initFailure });
      return { requestId: pending.requestId, head: pending.head.promise, body: pending.body, done: pending.done.promise };
    }
    this.queue.push(pending);
    this.dispatch();
    return { requestId: pending.requestId, head: pending.head.promise, body: pending.body, done: pending.done.promise };
  }

  /** The logs of every environment, for a failing test's message. */
  logs(): string {
    return this.environments.map((e) => `--- environment ${e.id} ---\n${e.output}`).join('\n');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { res } of this.idle.splice(0)) res.destroy();
    const exits = this.environments.filter((e) => alive(e))
      .map((e) => new Promise<void>((resolve) => {
        e.child!.once('exit', () => resolve());
        e.child!.kill('SIGKILL');
      }));
    await Promise.all(exits);
    for (const p of [...this.invocations.values()]) this.finish(p, { errorType: 'Runtime.Shutdown', errorMessage: 'the emulator was closed' });
    for (const e of this.environments) {
      e.server.closeAllConnections();
      await new Promise<void>((resolve) => e.server.close(() => resolve()));
    }
  }

  /** Hands queued invocations to idle environments; starts environments for the rest. */
  private dispatch(): void {
    while (this.queue.length > 0 && this.idle.length > 0) {
      const pending = this.queue.shift()!;
      const { environment, res } = this.idle.shift()!;
      this.assign(pending, environment, res);
    }
    if (this.closed || this.initFailure) return;
    const max = this.settings.maxEnvironments ?? 4;
    let starting = this.environments.filter((e) => !e.started && alive(e)).length;
    let running = this.environments.filter((e) => alive(e)).length;
    while (this.queue.length > starting && running < max) {
      this.startEnvironment();
      starting++;
      running++;
    }
  }

  /** A new environment: its Runtime API endpoint, then the runtime client's process. */
  private startEnvironment(): void {
    const id = this.environments.length + 1;
    const environment: Environment = { id, server: createServer((req, res) => this.route(environment, req, res)), output: '', started: false };
    this.environments.push(environment);
    environment.server.listen(0, '127.0.0.1', () => {
      if (this.closed) return;
      const { port } = environment.server.address() as AddressInfo;
      this.spawnRuntimeClient(environment, `127.0.0.1:${port}`);
    });
  }

  private spawnRuntimeClient(environment: Environment, runtimeApi: string): void {
    const id = environment.id;
    const functionName = this.settings.functionName ?? 'mcp-server';
    const child = spawn(this.settings.node, [this.settings.ricEntry], {
      cwd: this.settings.taskRoot,
      env: {
        // What Lambda sets for every function (the runtime client requires these).
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        AWS_LAMBDA_RUNTIME_API: runtimeApi,
        LAMBDA_TASK_ROOT: this.settings.taskRoot,
        _HANDLER: this.settings.handler,
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
        AWS_LAMBDA_LOG_STREAM_NAME: `2026/01/01/[$LATEST]environment${id}`,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_REGION: 'us-east-1',
        AWS_DEFAULT_REGION: 'us-east-1',
        TZ: ':UTC',
        ...this.settings.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    environment.child = child;
    const keep = (chunk: Buffer) => {
      // Enough to explain a failure; an environment that logs forever is cut.
      if (environment.output.length < 200_000) environment.output += chunk.toString();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', (code, signal) => {
      const idleAt = this.idle.findIndex((w) => w.environment === environment);
      if (idleAt >= 0) this.idle.splice(idleAt, 1);
      if (environment.current) {
        this.finish(environment.current, { errorType: 'Runtime.ExitError', errorMessage: `the environment exited (code ${code}, signal ${signal})` });
      }
      if (!environment.started && !this.closed) {
        // It never asked for an invocation: the runtime client or the handler could not
        // start. Starting another would fail the same way, so the waiting ones fail now.
        this.initFailure = `environment ${id} exited (code ${code}, signal ${signal}) before its first next: ${this.initErrors.at(-1) ?? environment.output.slice(-2000)}`;
        for (const p of this.queue.splice(0)) this.finish(p, { errorType: 'Runtime.InitError', errorMessage: this.initFailure });
      }
      if (!this.closed) this.dispatch();
    });
  }

  private assign(pending: Pending, environment: Environment, res: ServerResponse): void {
    pending.environment = environment;
    environment.current = pending;
    this.requestIds.push(pending.requestId);
    // Lambda stops an invocation at its deadline by stopping the environment.
    pending.killTimer = setTimeout(() => {
      if (environment.current === pending) {
        environment.output += `\n[emulator] ${pending.requestId} timed out\n`;
        environment.child?.kill('SIGKILL');
      }
    }, Math.max(0, pending.deadline - Date.now()) + 1000);
    const body = JSON.stringify(pending.event);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': pending.requestId,
      'Lambda-Runtime-Deadline-Ms': String(pending.deadline),
      'Lambda-Runtime-Invoked-Function-Arn': `arn:aws:lambda:us-east-1:123456789012:function:${this.settings.functionName ?? 'mcp-server'}`,
      'Lambda-Runtime-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=0`,
    });
    res.end(body);
  }

  private finish(pending: Pending, error?: InvocationError): void {
    if (!this.invocations.delete(pending.requestId)) return;
    clearTimeout(pending.killTimer);
    if (pending.environment?.current === pending) pending.environment.current = undefined;
    if (error) {
      pending.head.reject(Object.assign(new Error(`${error.errorType}: ${error.errorMessage}`), error));
      if (!pending.body.writableEnded) pending.body.destroy(Object.assign(new Error(`${error.errorType}: ${error.errorMessage}`), error));
    } else {
      pending.body.end();
    }
    pending.done.resolve(error);
  }

  private route(environment: Environment, req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '';
    if (req.method === 'GET' && path === `${RUNTIME_API}/invocation/next`) return this.next(environment, res);
    const match = new RegExp(`^${RUNTIME_API}/invocation/([^/]+)/(response|error)$`).exec(path);
    if (req.method === 'POST' && match) {
      const pending = this.invocations.get(decodeURIComponent(match[1]));
      if (!pending) return answer(res, 400, { errorMessage: 'unknown or finished invocation', errorType: 'InvalidRequestID' });
      return match[2] === 'response' ? this.response(pending, req, res) : this.error(pending, req, res);
    }
    if (req.method === 'POST' && path === `${RUNTIME_API}/init/error`) {
      void readRequestBody(req).then((body) => {
        this.initErrors.push(`${req.headers['lambda-runtime-function-error-type'] ?? ''} ${body.toString()}`);
        answer(res, 202, { status: 'OK' });
      });
      return;
    }
    answer(res, 404, { errorMessage: `no route ${req.method} ${path}`, errorType: 'NotFound' });
  }

  private next(environment: Environment, res: ServerResponse): void {
    environment.started = true;
    // A `next` means the last invocation is over (its response was posted already).
    environment.current = undefined;
    this.idle.push({ environment, res });
    res.on('close', () => {
      const at = this.idle.findIndex((w) => w.res === res);
      if (at >= 0) this.idle.splice(at, 1);
    });
    this.dispatch();
  }

  private response(pending: Pending, req: IncomingMessage, res: ServerResponse): void {
    const streaming = String(req.headers[STREAMING_MODE_HEADER] ?? '').toLowerCase() === 'streaming';
    const contentType = String(req.headers['content-type'] ?? 'application/octet-stream');
    const withPrelude = streaming && contentType === HTTP_INTEGRATION_CONTENT_TYPE;
    let head = Buffer.alloc(0);
    let headKnown = false;
    if (!withPrelude) {
      pending.head.resolve({ streaming, contentType });
      headKnown = true;
    }
    req.on('data', (chunk: Buffer) => {
      if (headKnown) {
        pending.body.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(PRELUDE_DELIMITER);
      if (end < 0) return;
      headKnown = true;
      try {
        pending.head.resolve({ streaming, contentType, prelude: JSON.parse(head.subarray(0, end).toString('utf8')) });
      } catch (err) {
        pending.head.reject(new Error(`the response prelude is not JSON: ${String(err)}`));
      }
      const rest = head.subarray(end + PRELUDE_DELIMITER.length);
      if (rest.length > 0) pending.body.write(rest);
    });
    req.on('end', () => {
      // A streamed response that failed midway says so in its trailers.
      const errorType = req.trailers['lambda-runtime-function-error-type'];
      if (errorType) {
        const raw = req.trailers['lambda-runtime-function-error-body'];
        let errorMessage = '';
        try {
          errorMessage = (JSON.parse(Buffer.from(raw ?? '', 'base64').toString('utf8')) as { errorMessage?: string }).errorMessage ?? '';
        } catch {
          errorMessage = raw ?? '';
        }
        this.finish(pending, { errorType, errorMessage });
      } else if (!headKnown) {
        this.finish(pending, { errorType: 'Runtime.MalformedResponse', errorMessage: 'the stream ended before the prelude delimiter' });
      } else {
        this.finish(pending);
      }
      answer(res, 202, { status: 'OK' });
    });
    req.on('error', () => this.finish(pending, { errorType: 'Runtime.ResponseAborted', errorMessage: 'the response stream broke' }));
  }

  private error(pending: Pending, req: IncomingMessage, res: ServerResponse): void {
    void readRequestBody(req).then((body) => {
      let error: InvocationError = { errorType: String(req.headers['lambda-runtime-function-error-type'] ?? 'Unhandled'), errorMessage: body.toString() };
      try {
        const parsed = JSON.parse(body.toString()) as Partial<InvocationError>;
        error = { errorType: parsed.errorType ?? error.errorType, errorMessage: parsed.errorMessage ?? '' };
      } catch { /* not JSON: kept as text */ }
      this.finish(pending, error);
      answer(res, 202, { status: 'OK' });
    });
  }
}

function alive(e: Environment): boolean {
  return !e.child || (e.child.exitCode === null && e.child.signalCode === null);
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
