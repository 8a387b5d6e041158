/**
 * A Lambda Invoke endpoint on 127.0.0.1 (the REST path the real `@aws-sdk/client-lambda`
 * calls) whose functions never answer, except those whose name contains `echo`, which
 * answer their `message` argument at once. It counts each held invocation's start and
 * each one the client side closed before an answer: the proof, in tests, that the
 * handler stopped a tool's Invoke (on Lambda the function would go on running and billing).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class HoldingLambdaEndpoint {
  static async start(): Promise<HoldingLambdaEndpoint> {
    const endpoint = new HoldingLambdaEndpoint();
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    return endpoint;
  }

  readonly server: Server;
  private waiters: Array<{ kind: 'start' | 'close'; resolve: () => void }> = [];
  started = 0;
  closedByClient = 0;
  private readonly open = new Set<ServerResponse>();

  private constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (/\/functions\/[^/]*echo[^/]*\/invocations$/.test(req.url ?? '')) {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { arguments: { message: string } };
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ content: [{ type: 'text', text: event.arguments.message }] }));
        });
        return;
      }
      this.started++;
      this.open.add(res);
      this.notify('start');
      res.on('close', () => {
        this.open.delete(res);
        if (!res.writableEnded) {
          this.closedByClient++;
          this.notify('close');
        }
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves at the next start/close (or at once if one more than `seen` has happened). */
  next(kind: 'start' | 'close', seen: number): Promise<void> {
    const count = kind === 'start' ? this.started : this.closedByClient;
    if (count > seen) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ kind, resolve }));
  }

  private notify(kind: 'start' | 'close'): void {
    const ready = this.waiters.filter((w) => w.kind === kind);
    this.waiters = this.waiters.filter((w) => w.kind !== kind);
    for (const w of ready) w.resolve();
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
