/**
 * `mcp-lambda-server dev --hang-ups hidden` (DevServerOptions.hangUps): the dev server
 * behaves as Lambda does about a client's hang-up (docs/streams.md): the handler is
 * not told, so a tool call whose client left runs on, and a 2025-era client's
 * `notifications/cancelled` is what stops it (docs/endpoint.md, "Cancellation"). By
 * default the hang-up is signalled and stops the call at once.
 *
 * The tool runs behind the real `@aws-sdk/client-lambda` client (the dev server's own
 * invoker for `lambdaArn` items), pointed by `AWS_ENDPOINT_URL_LAMBDA` at a local Invoke
 * endpoint whose `hold` function never answers; that endpoint seeing the invoke
 * connection closed is the proof the call stopped.
 */
import { type DevServer, startDevServer } from '../../lambda-src/local/dev-server';
import { HoldingLambdaEndpoint } from '../support/holding-lambda-endpoint';

jest.setTimeout(60_000);

const ACCEPT_BOTH = 'application/json, text/event-stream';
const ENV = ['AWS_ENDPOINT_URL_LAMBDA', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

let lambda: HoldingLambdaEndpoint;
const servers: DevServer[] = [];

beforeAll(async () => {
  lambda = await HoldingLambdaEndpoint.start();
  Object.assign(process.env, { AWS_ENDPOINT_URL_LAMBDA: lambda.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake' });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await lambda?.close();
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

const schema = { type: 'object', properties: { message: { type: 'string' } } };

async function start(hangUps?: 'hidden'): Promise<DevServer> {
  const server = await startDevServer({
    port: 0,
    log: () => undefined,
    ...(hangUps ? { hangUps } : {}),
    items: [
      { type: 'tool', name: 'hold', inputSchema: schema, lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:hold', timeoutSeconds: 600 },
      { type: 'tool', name: 'echo', inputSchema: schema, lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo' },
    ],
  });
  servers.push(server);
  return server;
}

async function openSession(url: string): Promise<string> {
  const init = await post(url, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'hang-ups', version: '1' } } });
  const id = init.headers.get('mcp-session-id')!;
  await init.text();
  await (await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, id)).text();
  return id;
}

function post(url: string, body: unknown, sessionId?: string, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'accept': ACCEPT_BOTH };
  if (sessionId) Object.assign(headers, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' });
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
}

const callHold = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'hold', arguments: { message: 'x' } } });
const callEcho = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message: 'e' } } });

test('hidden: a client that leaves does not stop its call; its notifications/cancelled does', async () => {
  const server = await start('hidden');
  expect(server.hangUps).toBe('hidden');
  const sessionId = await openSession(server.url);
  const started = lambda.started;
  const closed = lambda.closedByClient;
  const controller = new AbortController();
  const call = post(server.url, callHold(1), sessionId, controller.signal).catch((e: Error) => e);
  await lambda.next('start', started);
  controller.abort();
  expect(await call).toMatchObject({ name: 'AbortError' });
  // A whole request after the hang-up: had the hang-up been told, the Invoke would have
  // been closed by now (it is, in the next test, without this wait being needed).
  expect((await (await post(server.url, callEcho(2), sessionId)).json()).result.content[0].text).toBe('e');
  expect(lambda.closedByClient).toBe(closed);
  // What stops it, as deployed: the cancel, through the store.
  const accepted = await post(server.url, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, reason: 'left' } }, sessionId);
  expect(accepted.status).toBe(202);
  await lambda.next('close', closed);
  expect(lambda.closedByClient).toBe(closed + 1);
});

test('default (signalled): a client that leaves stops its call at once', async () => {
  const server = await start();
  expect(server.hangUps).toBe('signalled');
  const sessionId = await openSession(server.url);
  const started = lambda.started;
  const closed = lambda.closedByClient;
  const controller = new AbortController();
  const call = post(server.url, callHold(1), sessionId, controller.signal).catch((e: Error) => e);
  await lambda.next('start', started);
  controller.abort();
  expect(await call).toMatchObject({ name: 'AbortError' });
  await lambda.next('close', closed);
  expect(lambda.closedByClient).toBe(closed + 1);
});
