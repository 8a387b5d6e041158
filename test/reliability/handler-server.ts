/**
 * The real Lambda handler (entry/index.ts `createHandler`) behind a real HTTP server on
 * 127.0.0.1, as the local dev server runs it: each request becomes the Function URL
 * event AWS would send (local/function-url-event-builder.ts) and is answered through
 * the awslambda shim's response stream, so a client disconnect reaches the handler as
 * it would in Lambda. Unlike the dev server, every part is injectable (stores on a
 * fault proxy, a tool invoker on the fake Lambda endpoint), and auth mode is `none`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInvocationContext, invokeStreamingHandler, serverResponseSink } from '../../lambda-src/entry/awslambda-shim';
import { createHandler, type RuntimeOverrides } from '../../lambda-src/entry/index';
import { buildFunctionUrlEvent } from '../../lambda-src/local/function-url-event-builder';

export interface HandlerServer {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: string;
  /** Requests whose invocation threw out of the handler (must stay 0). */
  readonly escapes: unknown[];
  close(): Promise<void>;
}

export async function startHandlerServer(overrides: RuntimeOverrides, options: { invocationTimeoutMs?: number } = {}): Promise<HandlerServer> {
  const handler = createHandler(overrides);
  const escapes: unknown[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const event = buildFunctionUrlEvent(req, Buffer.concat(chunks), req.headers.host ?? '127.0.0.1');
      const context = createInvocationContext({ timeoutMs: options.invocationTimeoutMs ?? 60_000 });
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
    url: `http://127.0.0.1:${port}/mcp`,
    escapes,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
