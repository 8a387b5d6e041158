/**
 * writeFetchResponse (lambda-src/local/write-fetch-response.ts), what the signing proxy
 * and the tests' web server stream responses with: repeated headers kept apart, and a
 * body whose client has left is cancelled, even when the client left first.
 */
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFetchResponse } from '../../lambda-src/local/write-fetch-response';

let server: Server;
let onRequest: (res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((_req, res) => onRequest(res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

function get(): Promise<IncomingMessage> {
  const req = httpRequest({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' });
  req.end();
  return once(req, 'response').then(([res]) => res as IncomingMessage);
}

test('every Set-Cookie reaches the client, and omitted headers do not', async () => {
  const headers = new Headers([['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-kept', 'yes'], ['x-dropped', 'no']]);
  onRequest = (res) => void writeFetchResponse(new Response('ok', { headers }), res, new Set(['x-dropped']));
  const res = await get();
  expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  expect(res.headers['x-kept']).toBe('yes');
  expect(res.headers['x-dropped']).toBeUndefined();
  res.resume();
  await once(res, 'end');
});

test('a client that left before the body was read has the body cancelled', async () => {
  let cancelled!: () => void;
  const wasCancelled = new Promise<void>((resolve) => {
    cancelled = resolve;
  });
  // An endless stream, as an SSE body is: only a cancel ends it.
  const endless = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined), cancel: () => cancelled() });
  onRequest = (res) => {
    res.socket!.destroy();
    res.once('close', () => void writeFetchResponse(new Response(endless, { headers: { 'content-type': 'text/event-stream' } }), res));
  };
  await get().catch(() => undefined);
  await wasCancelled;
});
