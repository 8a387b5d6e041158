/**
 * A tiny real HTTP server on 127.0.0.1 in front of a web-standard handler, for driving
 * the endpoint with the official SDK clients over real sockets. It converts an
 * IncomingMessage to a `Request` (with a signal that aborts when the client goes away)
 * and pipes the `Response` back as it is produced (the signing proxy's own
 * writeFetchResponse), so SSE events arrive as written.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFetchResponse } from '../../lambda-src/local/write-fetch-response';
import type { RequestContext } from '../../lambda-src/model/request-context';

export type WebHandler = (request: Request, ctx: RequestContext) => Promise<Response>;

export interface WebRequestServer {
  /** `http://127.0.0.1:<port>/mcp`. */
  readonly url: URL;
  close(): Promise<void>;
}

export interface WebRequestServerOptions {
  /** The RequestContext for a request (principal, deadline); signal and requestId are filled in. */
  readonly context?: (request: Request) => Partial<RequestContext>;
}

let nextRequest = 0;

async function toRequest(req: IncomingMessage, signal: AbortSignal, port: number): Promise<Request> {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  return new Request(`http://127.0.0.1:${port}${req.url ?? '/'}`, {
    method: req.method,
    headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    signal,
  });
}

export async function startWebRequestServer(handler: WebHandler, options: WebRequestServerOptions = {}): Promise<WebRequestServer> {
  let port = 0;
  const server: Server = createServer((req, res) => {
    const controller = new AbortController();
    // 'close' on the response fires when it ends or when the client disconnects.
    res.on('close', () => controller.abort());
    void (async () => {
      const request = await toRequest(req, controller.signal, port);
      const ctx: RequestContext = {
        requestId: `req-${++nextRequest}`,
        signal: controller.signal,
        deadline: Date.now() + 60_000,
        ...options.context?.(request),
      };
      await writeFetchResponse(await handler(request, ctx), res);
    })().catch((error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
