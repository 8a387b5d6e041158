/**
 * The real Lambda handler (entry/index.ts `createHandler`) behind node:http on
 * 127.0.0.1 (port 0), as the local dev server runs it: each request becomes the Function
 * URL event AWS would send (local/function-url-event-builder.ts) and is answered through
 * the awslambda shim's response stream, so a client disconnect reaches the handler as it
 * would in Lambda. Every part is injectable through `overrides`.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInvocationContext, invokeStreamingHandler, serverResponseSink } from '../../lambda-src/entry/awslambda-shim';
import { createHandler, type RuntimeOverrides } from '../../lambda-src/entry/index';
import { buildFunctionUrlEvent } from '../../lambda-src/local/function-url-event-builder';

export interface HandlerHttpServerOptions {
  /** The function timeout each invocation gets. @default 60_000 */
  readonly invocationTimeoutMs?: number;
  /** The Lambda request id of the n-th request (from 1). @default a random id per invocation */
  readonly requestId?: (n: number) => string;
}

export interface HandlerHttpServer {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: URL;
  /** The headers of each request, in order (what a client sent). */
  readonly requests: IncomingHttpHeaders[];
  /** Requests whose invocation threw out of the handler (answered 502). */
  readonly escapes: unknown[];
  close(): Promise<void>;
}

export async function startHandlerHttpServer(overrides: RuntimeOverrides, options: HandlerHttpServerOptions = {}): Promise<HandlerHttpServer> {
  const handler = createHandler(overrides);
  const requests: IncomingHttpHeaders[] = [];
  const escapes: unknown[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    const n = requests.length;
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const event = buildFunctionUrlEvent(req, Buffer.concat(chunks), req.headers.host ?? '127.0.0.1');
      const context = createInvocationContext({ timeoutMs: options.invocationTimeoutMs ?? 60_000, requestId: options.requestId?.(n) });
      await invokeStreamingHandler(handler, event, serverResponseSink(res), context);
    })().catch((err) => {
      escapes.push(err);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  server.requestTimeout = 0;
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    requests,
    escapes,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
