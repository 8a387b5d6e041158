/**
 * The endpoint over real HTTP (127.0.0.1 sockets) driven by the official clients:
 *
 * - SDK v1's Client (a 2025-11-25 session) against TWO endpoint instances, two
 *   "execution environments" that share nothing but the DynamoDB session store on
 *   DynamoDB Local: instance A serves the initialize, instance B everything after.
 * - SDK v2's Client pinned to 2026-07-28 (stateless: discover, list, call).
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
// The v1 SDK resolves through its package "exports" map, which eslint's import resolver does not read.
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// eslint-disable-next-line import/no-unresolved
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { ACCEPT_BOTH, ALICE, buildServerThatLogs, RecordingSessionStore, testConfig, TestToolInvoker, TOOLS } from './endpoint-fixture';
import { startWebRequestServer, type WebRequestServer } from './web-request-server';
import { createMcpEndpoint, type McpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { DynamoDbSessionStore } from '../../lambda-src/store/dynamodb-session-store';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { createTestTables, localDynamoDbClient, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';

let ddb: DynamoDbLocal;
let sessions: RecordingSessionStore;
let invoker: TestToolInvoker;
let serverA: WebRequestServer;
let serverB: WebRequestServer;
/** Which instance served each POSTed method, in order. */
let served: Array<{ instance: 'A' | 'B'; method: string }>;

async function instance(): Promise<McpEndpoint> {
  // Each instance has its own registry cache (and its own copy of the registry); only the session store is shared.
  const registryStore = new MemoryRegistryStore();
  for (const tool of TOOLS) await registryStore.put(tool);
  const registry = new RegistrySource(registryStore);
  const options = { log: () => undefined };
  return createMcpEndpoint({ config: testConfig(), sessions, registry, invoker, buildServer: buildServerThatLogs, options });
}

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  const { sessionTable } = await createTestTables(ddb.endpoint);
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(ddb.endpoint));
  sessions = new RecordingSessionStore(new DynamoDbSessionStore({ client, tableName: sessionTable }));
  invoker = new TestToolInvoker();
  const [a, b] = [await instance(), await instance()];
  const record = (name: 'A' | 'B', endpoint: McpEndpoint) => async (request: Request, ctx: Parameters<McpEndpoint['handle']>[1]) => {
    if (request.method === 'POST') {
      const body = await request.clone().json().catch(() => undefined);
      served.push({ instance: name, method: Array.isArray(body) ? 'batch' : body?.method ?? 'response' });
    } else {
      served.push({ instance: name, method: request.method });
    }
    return endpoint.handle(request, ctx);
  };
  serverA = await startWebRequestServer(record('A', a), { context: () => ({ principal: ALICE }) });
  serverB = await startWebRequestServer(record('B', b), { context: () => ({ principal: ALICE }) });
}, 60_000);

afterAll(async () => {
  await serverA?.close();
  await serverB?.close();
  await ddb?.stop();
});

beforeEach(() => {
  served = [];
  sessions.reset();
});

/** A fetch that sends initialize to instance A and every other request to instance B. */
const splitFetch: typeof fetch = async (_input, init) => {
  const body = typeof init?.body === 'string' ? init.body : '';
  const target = body.includes('"method":"initialize"') ? serverA.url : serverB.url;
  return fetch(target, init);
};

describe('SDK v1 client, 2025-11-25 session across two instances', () => {
  test('initialize on A; list, call with progress, setLevel and DELETE on B; then 404', async () => {
    const client = new ClientV1({ name: 'v1-client', version: '1.0.0' });
    const transport = new TransportV1(serverA.url, { fetch: splitFetch });
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.getServerVersion()).toMatchObject({ name: 'protocol-test' });
    expect(transport.protocolVersion).toBe('2025-11-25');

    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(['echo', 'count']);

    const progress: number[] = [];
    const counted = await client.callTool({ name: 'count', arguments: { steps: 4 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(counted.content).toEqual([{ type: 'text', text: 'counted to 4' }]);
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(invoker.events.at(-1)?.context).toMatchObject({ sessionId, principal: ALICE, protocolVersion: '2025-11-25' });

    const logged: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logged.push(n.params.level);
    });
    await client.ping();
    expect(logged).toEqual(['debug', 'info', 'warning', 'error']);
    logged.length = 0;
    await client.setLoggingLevel('warning');
    expect((await sessions.inner.get(sessionId))?.logLevel).toBe('warning');
    await client.ping();
    expect(logged).toEqual(['warning', 'error']);

    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'after setLevel' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'after setLevel' }]);

    await transport.terminateSession();
    expect(await sessions.inner.get(sessionId)).toBeUndefined();
    await client.close();

    // Everything but the initialize was served by instance B.
    expect(served.filter((s) => s.instance === 'A').map((s) => s.method)).toEqual(['initialize']);
    expect(served.filter((s) => s.instance === 'B').map((s) => s.method)).toEqual(
      expect.arrayContaining(['notifications/initialized', 'GET', 'tools/list', 'tools/call', 'logging/setLevel', 'DELETE']),
    );

    const after = await fetch(serverB.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': ACCEPT_BOTH, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
    expect((await after.json()).error.code).toBe(-32001);
  });

  test('a request in a session costs one DynamoDB read on the serving instance', async () => {
    const client = new ClientV1({ name: 'v1-client', version: '1.0.0' });
    const transport = new TransportV1(serverA.url, { fetch: splitFetch });
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    // Let the initialized notification and the GET stream settle, then count one request.
    await client.ping();
    sessions.reset();
    await client.listTools();
    expect(sessions.calls).toEqual([{ op: 'get', id: sessionId }]);
    await transport.terminateSession();
    await client.close();
  });
});

describe('SDK v2 client, 2026-07-28', () => {
  test('discover, list and call without a session', async () => {
    const client = new ClientV2({ name: 'v2-client', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    const transport = new TransportV2(serverB.url);
    await client.connect(transport);
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    const discovered = await client.discover();
    expect(discovered.supportedVersions).toContain('2026-07-28');
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(['echo', 'count']);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'stateless' } });
    expect(result.content).toEqual([{ type: 'text', text: 'stateless' }]);
    const progress: number[] = [];
    const counted = await client.callTool({ name: 'count', arguments: { steps: 2 } }, { onprogress: (p: { progress: number }) => progress.push(p.progress) });
    expect(counted.content).toEqual([{ type: 'text', text: 'counted to 2' }]);
    expect(progress).toEqual([1, 2]);
    await client.close();
    expect(sessions.calls).toEqual([]);
  });
});
