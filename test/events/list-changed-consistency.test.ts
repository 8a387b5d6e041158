/**
 * `list_changed` for 2026-07-28 listeners (docs/streams.md, "list_changed: never lost,
 * never early"), over handler instances in separate processes on one DynamoDB Local,
 * with hang-ups hidden as on Lambda, and the SDK v2 client pinned to 2026-07-28:
 *
 * - a listen is bounded and 2026-07-28 has no session, so every listen begins with a
 *   `list_changed` for each list it subscribed to: a change made between two listens
 *   is announced when the application listens again;
 * - a change is announced only once every environment's registry cache shows it, so
 *   a client that lists again at once, on another instance, sees it.
 */
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { type Instance, startInstance } from './instances';
import { createTestTables, type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';
import { pollUntil } from '../support/poll-until';
import { postRawModern } from '../support/raw-modern-request';

jest.setTimeout(120_000);

/** Registry cache of the instances of the re-list test, in seconds; a read settles 1 s after that. */
const CACHE_SECONDS = 2;
const SETTLE_MS = CACHE_SECONDS * 1000 + 1000;

let ddb: DynamoDbLocal;
/** Listens end after 1.5 s; registry cache 1 s (a read settles after 2 s). */
let short: Instance;
/** Holds the listen of the re-list test; registry cache 2 s. */
let listener: Instance;
/** Serves that client's other requests; registry cache 2 s. */
let other: Instance;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = (condition: () => boolean | Promise<boolean>) => pollUntil(condition, 20);

const tool = (name: string) => ({
  type: 'tool',
  name,
  description: 'registered at run time',
  inputSchema: { type: 'object' },
  lambdaArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
});

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  const tables = await createTestTables(ddb.endpoint);
  const common = { ddbEndpoint: ddb.endpoint, ...tables, pollIntervalMs: 100, hangUps: 'hidden' as const };
  [short, listener, other] = await Promise.all([
    startInstance({ ...common, maxStreamMs: 1500, registryCacheSeconds: 1 }),
    startInstance({ ...common, maxStreamMs: 60_000, registryCacheSeconds: CACHE_SECONDS }),
    startInstance({ ...common, registryCacheSeconds: CACHE_SECONDS }),
  ]);
  await short.register(tool('seed'));
  await short.register({ type: 'prompt', name: 'hello', messages: [{ role: 'user', content: { type: 'text', text: 'Hello' } }] });
});

afterAll(async () => {
  await Promise.all([short, listener, other].map((i) => i?.stop()));
  await ddb?.stop();
});

/** A raw 2026-07-28 tools/list: the tool names that instance serves now. */
async function rawToolNames(instance: Instance): Promise<string[]> {
  const answer = await postRawModern<{ result: { tools: Array<{ name: string }> } }>(instance.url, 'tools/list', {}, { id: 1, clientCapabilities: {} });
  return answer.result.tools.map((t) => t.name);
}

/** A v2 client pinned to 2026-07-28, counting tools/list_changed. */
async function connectV2(transport: TransportV2): Promise<{ client: ClientV2; toolsChanged: () => number }> {
  const client = new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  let count = 0;
  client.setNotificationHandler('notifications/tools/list_changed', () => {
    count++;
  });
  await client.connect(transport);
  return { client, toolsChanged: () => count };
}

test('every listen begins, right after its acknowledgment, with list_changed for each list it subscribed to, and only those', async () => {
  const response = await fetch(short.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'accept': 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'subscriptions/listen',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'subscriptions/listen',
      params: {
        notifications: { toolsListChanged: true, promptsListChanged: true },
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    }),
  });
  // The listen ends on its own (1.5 s) with the complete result; the body is then whole.
  const messages = (await response.text()).split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
  const methods = messages.map((m) => m.method ?? `result:${m.result?.resultType}`);
  expect(methods.slice(0, 3)).toEqual([
    'notifications/subscriptions/acknowledged',
    'notifications/tools/list_changed',
    'notifications/prompts/list_changed',
  ]);
  expect(messages[1].params._meta['io.modelcontextprotocol/subscriptionId']).toBe(7);
  expect(methods).not.toContain('notifications/resources/list_changed');
  expect(methods[methods.length - 1]).toBe('result:complete');
});

test('a change made between two listens is announced at the start of the second (SDK v2, 2026-07-28)', async () => {
  const { client, toolsChanged } = await connectV2(new TransportV2(new URL(short.url)));
  try {
    const first = await client.listen({ toolsListChanged: true });
    expect(await first.closed).toBe('graceful');
    const name = `between_${Date.now()}`;
    await short.register(tool(name));
    // Let the change settle on `short` before the second listen: its stream then
    // compares with a state that already has the tool, so only the start of the listen
    // can tell the client. The instance reads the registry on a request once its cache
    // expired; the pauses are lower bounds, none bounds the test from above.
    await until(async () => (await rawToolNames(short)).includes(name));
    await sleep(2000 + 500);
    const before = toolsChanged();
    const second = await client.listen({ toolsListChanged: true });
    try {
      await until(() => toolsChanged() > before);
      // The notification dropped the client's cached list: it lists again and sees the tool.
      expect((await client.listTools()).tools.map((t) => t.name)).toContain(name);
    } finally {
      await second.close();
    }
  } finally {
    await client.close();
  }
});

test('a client that lists again right after list_changed, on an instance whose cache predates the change, sees the change', async () => {
  // One client, two environments: its listen lands on `listener`, every other request on
  // `other`, as two Lambda execution environments behind one function URL.
  const routed = (_url: string | URL, init?: RequestInit) => {
    const method = new Headers(init?.headers).get('mcp-method');
    const target = new URL(method === 'subscriptions/listen' ? listener.url : other.url);
    return fetch(target, init);
  };
  const { client, toolsChanged } = await connectV2(new TransportV2(new URL(other.url), { fetch: routed }));
  try {
    // `listener` has read the registry long enough ago for that read to be settled, and
    // `other`'s cache from the connect has expired.
    await rawToolNames(listener);
    await sleep(SETTLE_MS + 500);
    const subscription = await client.listen({ toolsListChanged: true });
    try {
      await until(() => toolsChanged() >= 1); // the start of the listen
      // `other` reads the registry now, after `listener` did: its cache is the younger
      // one, and it predates the change below.
      await sleep(CACHE_SECONDS * 1000 / 2);
      const name = `later_${Date.now()}`;
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain(name);
      const before = toolsChanged();
      await listener.register(tool(name));
      await until(() => toolsChanged() > before);
      // At once, on `other`: announced only once every cache shows the tool.
      expect((await client.listTools()).tools.map((t) => t.name)).toContain(name);
    } finally {
      await subscription.close();
    }
  } finally {
    await client.close();
  }
});
