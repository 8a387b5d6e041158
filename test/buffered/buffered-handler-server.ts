/**
 * The buffered handler (entry/buffered-handler.ts) behind a real HTTP server on
 * 127.0.0.1, doing what a Function URL in `InvokeMode.BUFFERED` does: each request
 * becomes the Function URL event AWS would send, the handler's return value becomes the
 * whole HTTP response (status, headers, cookies, a body that is base64 when
 * `isBase64Encoded`), and a result over Lambda's 6 MB limit fails as Lambda fails it
 * (502), so a test sees the difference between our refusal and the platform's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInvocationContext } from '../../lambda-src/entry/awslambda-shim';
import { type BufferedHandler } from '../../lambda-src/entry/buffered-handler';
import { MAX_BUFFERED_RESPONSE_BYTES } from '../../lambda-src/entry/response-mode';
import { buildFunctionUrlEvent } from '../../lambda-src/local/function-url-event-builder';

export interface BufferedServer {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: string;
  /** Results Lambda would have refused (over 6 MB): must stay empty. */
  readonly platformFailures: number[];
  /** Resolves when a GET carrying this session id has been answered. */
  nextGet(sessionId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startBufferedServer(handler: BufferedHandler, options: { invocationTimeoutMs?: number } = {}): Promise<BufferedServer> {
  const platformFailures: number[] = [];
  const getWaiters: Array<{ sessionId: string; resolve: () => void }> = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const event = buildFunctionUrlEvent(req, Buffer.concat(chunks), req.headers.host ?? '127.0.0.1');
      const result = await handler(event, createInvocationContext({ timeoutMs: options.invocationTimeoutMs ?? 60_000 })) as {
        statusCode: number; headers?: Record<string, string>; cookies?: string[]; body?: string; isBase64Encoded?: boolean;
      };
      const size = Buffer.byteLength(JSON.stringify(result));
      if (size > MAX_BUFFERED_RESPONSE_BYTES) {
        // What Lambda does with an oversize synchronous response.
        platformFailures.push(size);
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ Message: 'Internal Server Error' }));
        return;
      }
      const headers: string[] = [];
      for (const [name, value] of Object.entries(result.headers ?? {})) headers.push(name, value);
      for (const cookie of result.cookies ?? []) headers.push('set-cookie', cookie);
      res.writeHead(result.statusCode, headers);
      res.end(result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
      if (req.method === 'GET') {
        const sessionId = req.headers['mcp-session-id'];
        for (const waiter of getWaiters.filter((w) => w.sessionId === sessionId)) {
          getWaiters.splice(getWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    })().catch((err) => {
      process.stderr.write(`buffered server: ${(err as Error).stack}\n`);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    platformFailures,
    nextGet: (sessionId) => new Promise<void>((resolve) => getWaiters.push({ sessionId, resolve })),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
