/**
 * Buffered mode (docs/readme/buffered-mode.md) over real HTTP, as a Function URL in
 * `InvokeMode.BUFFERED` serves it (buffered-handler-server.ts), driven by the official
 * SDK clients: v1 for a 2025-era session, v2 for 2026-07-28.
 */
import { join } from 'node:path';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// eslint-disable-next-line import/no-unresolved
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { type BufferedServer, startBufferedServer } from './buffered-handler-server';
import { createInvocationContext } from '../../lambda-src/entry/awslambda-shim';
import { createBufferedLambdaHandler } from '../../lambda-src/entry/index';
import type { HandlerConfig } from '../../lambda-src/model/config';
import type { RegistryItem } from '../../lambda-src/model/registry-item';
import { MemoryEventLog } from '../../lambda-src/store/memory-event-log';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { LocalInvoker } from '../../lambda-src/tools/local-invoker';
import { snsEvent } from '../events/instances';
import { handlerConfig } from '../support/handler-config';

const fixtures = join(__dirname, 'fixtures', 'tools.js');
const config: HandlerConfig = handlerConfig({ serverName: 'buffered-test' });
const items: RegistryItem[] = [
  {
    type: 'tool',
    name: 'big',
    description: 'returns about `bytes` characters',
    inputSchema: { type: 'object', properties: { bytes: { type: 'integer' } }, required: ['bytes'] },
    handler: `${fixtures}#big`,
  },
  {
    type: 'tool',
    name: 'steps',
    description: 'reports progress, then answers',
    inputSchema: { type: 'object', properties: { steps: { type: 'integer' } }, required: ['steps'] },
    handler: `${fixtures}#steps`,
  },
];

let server: BufferedServer;
let events: MemoryEventLog;
let handler: ReturnType<typeof createBufferedLambdaHandler>;

beforeAll(async () => {
  const registryStore = new MemoryRegistryStore();
  for (const item of items) await registryStore.put(item);
  events = new MemoryEventLog();
  handler = createBufferedLambdaHandler({
    config,
    registryStore,
    sessions: new MemorySessionStore(),
    eventLog: events,
    eventConfig: { pollIntervalMs: 50, eventTtlSeconds: 3600 },
    invoker: new LocalInvoker(),
    log: () => undefined,
  });
  server = await startBufferedServer(handler);
});
afterAll(() => server?.close());

async function connectV1(): Promise<{ client: ClientV1; transport: TransportV1 }> {
  const client = new ClientV1({ name: 'v1', version: '1.0.0' });
  const transport = new TransportV1(new URL(server.url));
  await client.connect(transport);
  return { client, transport };
}

test('a 2025-era session works whole: initialize, list, and a call whose progress arrives with its result', async () => {
  const { client } = await connectV1();
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['big', 'steps']);
  const progress: number[] = [];
  const result = await client.callTool({ name: 'steps', arguments: { steps: 3 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
  expect(result.content).toEqual([{ type: 'text', text: 'done in 3 steps' }]);
  expect(progress).toEqual([1, 2, 3]);
  await client.close();
});

test('an SSE answer is one whole body: every progress event, then the result', async () => {
  const { client, transport } = await connectV1();
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'accept': 'application/json, text/event-stream',
      'mcp-session-id': transport.sessionId!,
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'steps', arguments: { steps: 2 }, _meta: { progressToken: 'p' } } }),
  });
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const data = (await response.text()).split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
  expect(data.map((m) => m.method ?? `result ${m.id}`)).toEqual(['notifications/progress', 'notifications/progress', 'result 7']);
  await client.close();
});

test('a 2026-07-28 client discovers and calls tools', async () => {
  const client = new ClientV2({ name: 'v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new TransportV2(new URL(server.url)));
  expect(client.getServerVersion()).toMatchObject({ name: 'buffered-test' });
  const result = await client.callTool({ name: 'steps', arguments: { steps: 1 } });
  expect(result.content).toEqual([{ type: 'text', text: 'done in 1 steps' }]);
  await client.close();
});

test('a response over 6 MB is refused with a JSON-RPC error that says why, not a Lambda failure', async () => {
  const { client } = await connectV1();
  const call = client.callTool({ name: 'big', arguments: { bytes: 5_000_000 } });
  await expect(call).rejects.toThrow(/the response is (\d+ bytes, over|larger than) the 6291456-byte limit of a buffered AWS Lambda response/);
  expect(server.platformFailures).toEqual([]);
  // The session is unharmed: a smaller answer still comes.
  const small = await client.callTool({ name: 'big', arguments: { bytes: 10 } });
  expect((small.structuredContent as { data: string }).data).toHaveLength(10);
  await client.close();
});

test('a GET returns the events recorded since Last-Event-ID at once and ends, so the client polls', async () => {
  const { client, transport } = await connectV1();
  const headers = { 'accept': 'text/event-stream', 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-11-25' };
  const first = await fetch(server.url, { headers });
  expect(first.status).toBe(200);
  const firstBody = await first.text();
  const priming = /^id: (.+)$/m.exec(firstBody)![1];
  expect(firstBody).toMatch(/^retry: \d+$/m);

  await events.append({ sessionId: transport.sessionId!, method: 'notifications/message', params: { level: 'error', data: 'one' } });
  await events.append({ method: 'notifications/message', params: { level: 'error', data: 'two' } });
  const second = await fetch(server.url, { headers: { ...headers, 'last-event-id': priming } });
  const body = await second.text();
  const data = body.split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)));
  expect(data.map((m) => m.params.data).sort()).toEqual(['one', 'two']);
  await client.close();
});

test('a 2025-06-18 GET resumes from the cursor its session keeps: no event is lost between two GETs without Last-Event-ID', async () => {
  const init = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  await init.text();
  const headers = { 'accept': 'text/event-stream', 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
  const first = await (await fetch(server.url, { headers })).text();
  // Neither a priming event nor `retry:` exists before 2025-11-25.
  expect(first).not.toMatch(/^(id|retry):/m);
  await events.append({ method: 'notifications/message', params: { level: 'error', data: 'between' } });
  const data = (body: string) => body.split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)).params.data);
  expect(data(await (await fetch(server.url, { headers })).text())).toEqual(['between']);
  expect(data(await (await fetch(server.url, { headers })).text())).toEqual([]);
});

test('the SDK client polls its GET stream and receives an event published while it was away', async () => {
  const client = new ClientV1({ name: 'v1', version: '1.0.0' });
  const received = new Promise<unknown>((resolve) => client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => resolve(n.params.data)));
  const transport = new TransportV1(new URL(server.url));
  await client.connect(transport);
  // Once one of its GETs has been answered and ended, every later poll resumes from
  // there (Last-Event-ID): an event appended now comes with a later poll.
  await server.nextGet(transport.sessionId!);
  await events.append({ sessionId: transport.sessionId!, method: 'notifications/message', params: { level: 'info', data: 'while you were away' } });
  expect(await received).toBe('while you were away');
  await client.close();
});

test('an SNS notification is served as by the streaming handler: appended to the event log', async () => {
  const before = await events.head({});
  const output = await handler(snsEvent('{"level":"info","data":"from sns"}'), createInvocationContext());
  expect(output).toMatchObject({ ok: true, appended: 1 });
  const { events: appended } = await events.read({}, before);
  expect(appended.map((e) => e.params)).toEqual([{ level: 'info', data: 'from sns' }]);
});

test('subscriptions/listen is refused: it needs response streaming', async () => {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json', 'accept': 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'subscriptions/listen',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'subscriptions/listen',
      params: { notifications: { toolsListChanged: true }, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } },
    }),
  });
  const body = await response.json();
  expect(body).toMatchObject({ id: 1, error: { code: -32601, message: expect.stringContaining('response streaming') } });
});
