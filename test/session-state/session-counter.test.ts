/**
 * Session state end to end (docs/readme/session-state.md): the example registry's
 * `counter` tool (examples/local-registry/tools/counter.js), called concurrently in ONE
 * session through TWO handler instances (each its own runtime: stores, registry cache,
 * SDK servers) that share DynamoDB Local, as two Lambda execution environments share
 * the session table. The count must end exact: no lost update.
 */
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { HandlerConfig } from '../../lambda-src/model/config';
import { readRegistryFile } from '../../lambda-src/registry/registry-file';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { decodeSessionState } from '../../lambda-src/store/session-state-attribute';
import { SESSION_STATE_ATTRIBUTE } from '../../lambda-src/store/session-state-store';
import { sessionKey } from '../../lambda-src/store/table-schema';
import { LocalInvoker } from '../../lambda-src/tools/local-invoker';
import { type HandlerServer, startHandlerServer } from '../reliability/handler-server';
import { createTestTables, type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';
import { handlerConfig } from '../support/handler-config';

const REGISTRY = join(__dirname, '..', '..', 'examples', 'local-registry', 'registry.json');
const CALLS = 40;

let ddb: DynamoDbLocal;
let sessionTable: string;
let instances: HandlerServer[] = [];

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  const tables = await createTestTables(ddb.endpoint);
  sessionTable = tables.sessionTable;
  const config: HandlerConfig = handlerConfig({
    sessionTable,
    registryTable: tables.registryTable,
    serverName: 'counter-test',
    dynamoDbEndpoint: ddb.endpoint,
  });
  const items = await readRegistryFile(REGISTRY);
  for (let i = 0; i < 2; i++) {
    const registryStore = new MemoryRegistryStore();
    for (const item of items) await registryStore.put(item);
    instances.push(await startHandlerServer({
      config,
      registryStore,
      invoker: new LocalInvoker(),
      log: () => undefined,
      eventConfig: { pollIntervalMs: 1000, eventTtlSeconds: 3600 },
    }));
  }
}, 60_000);
afterAll(async () => {
  await Promise.all(instances.map((i) => i.close()));
  instances = [];
  await ddb?.stop();
});

/** The session's state as stored, read past every cache. */
async function storedState(sessionId: string): Promise<Record<string, unknown>> {
  const client = createDocumentClient({ endpoint: ddb.endpoint });
  try {
    const { Item } = await client.send(new GetCommand({ TableName: sessionTable, Key: sessionKey(sessionId), ConsistentRead: true }));
    return decodeSessionState(Item?.[SESSION_STATE_ATTRIBUTE]);
  } finally {
    client.destroy();
  }
}

async function session(): Promise<{ a: ClientV1; b: ClientV1; id: string }> {
  const a = new ClientV1({ name: 'a', version: '1.0.0' });
  const ta = new TransportV1(new URL(instances[0].url));
  await a.connect(ta);
  // The same session through the other instance: the client joins with the id, as a
  // client whose next request lands on another execution environment.
  const b = new ClientV1({ name: 'b', version: '1.0.0' });
  await b.connect(new TransportV1(new URL(instances[1].url), { sessionId: ta.sessionId }));
  return { a, b, id: ta.sessionId! };
}

test(`${CALLS} concurrent increments in one session over two instances end at exactly ${CALLS}`, async () => {
  const { a, b, id } = await session();
  const results = await Promise.all(Array.from({ length: CALLS }, (_, i) => (i % 2 === 0 ? a : b).callTool({ name: 'counter', arguments: {} })));
  expect(results.filter((r) => r.isError)).toEqual([]);
  expect(await storedState(id)).toEqual({ counter: CALLS });
  // A later call sees the exact count in its context.sessionState, on either instance.
  const after = await b.callTool({ name: 'counter', arguments: { by: 0 } });
  expect(after.structuredContent).toEqual({ name: 'counter', seen: CALLS, added: 0 });
  await Promise.all([a.close(), b.close()]);
});

test('state is per session: another session starts from nothing', async () => {
  const one = await session();
  await one.a.callTool({ name: 'counter', arguments: { name: 'visits', by: 5 } });
  const two = await session();
  const first = await two.b.callTool({ name: 'counter', arguments: { name: 'visits' } });
  expect(first.structuredContent).toEqual({ name: 'visits', seen: 0, added: 1 });
  expect(await storedState(one.id)).toEqual({ visits: 5 });
  expect(await storedState(two.id)).toEqual({ visits: 1 });
  await Promise.all([one.a.close(), one.b.close(), two.a.close(), two.b.close()]);
});

test('a deleted session keeps no state, and its tool call fails with the reason', async () => {
  const { a, b, id } = await session();
  await a.callTool({ name: 'counter', arguments: {} });
  expect(await storedState(id)).toEqual({ counter: 1 });
  await (a.transport as TransportV1).terminateSession();
  expect(await storedState(id)).toEqual({});
  await expect(b.callTool({ name: 'counter', arguments: {} })).rejects.toThrow(/404|Session not found/);
  await Promise.all([a.close(), b.close()]);
});

test('under 2026-07-28 the tool gets no session state and says so', async () => {
  const client = new ClientV2({ name: 'v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new TransportV2(new URL(instances[0].url)));
  const result = await client.callTool({ name: 'counter', arguments: {} });
  expect(result.isError).toBe(true);
  expect((result.content as Array<{ text: string }>)[0].text).toContain('2026-07-28 is sessionless');
  await client.close();
});
