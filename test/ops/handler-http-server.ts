/**
 * The Lambda handler (`createHandler`, entry/index.ts) behind node:http on 127.0.0.1:
 * each request becomes the Function URL event AWS would send and is answered through
 * the awslambda shim's response stream, as in Lambda. Records each request's headers,
 * so tests can see what a client sent (Accept-Encoding).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInvocationContext, invokeStreamingHandler, serverResponseSink } from '../../lambda-src/entry/awslambda-shim';
import { createHandler, type RuntimeOverrides } from '../../lambda-src/entry/index';
import { buildFunctionUrlEvent } from '../../lambda-src/local/function-url-event-builder';

export interface HandlerHttpServer {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: URL;
  readonly requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}

export async function startHandlerHttpServer(overrides: RuntimeOverrides): Promise<HandlerHttpServer> {
  const handler = createHandler(overrides);
  const requests: IncomingHttpHeaders[] = [];
  let count = 0;
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const event = buildFunctionUrlEvent(req, Buffer.concat(chunks), req.headers.host ?? '127.0.0.1');
      const context = createInvocationContext({ timeoutMs: 60_000, requestId: `req-${++count}` });
      await invokeStreamingHandler(handler, event, serverResponseSink(res), context);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
