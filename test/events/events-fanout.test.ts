/**
 * SNS fan-out across execution environments (docs/events.md): two handler instances in
 * separate processes (handler-instance.ts) share one DynamoDB Local, as two Lambda
 * environments share the session table. SNS events are delivered to instance A (the
 * handler invoked with an SNS event, as SNS invokes one environment per message);
 * clients hold their streams open on instance B.
 */
import { randomUUID } from 'node:crypto';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
// The v1 SDK resolves through its package "exports" map, which eslint's import resolver does not read.
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema,
// eslint-disable-next-line import/no-unresolved
} from '@modelcontextprotocol/sdk/types.js';
import { type Instance, type InstancePair, snsEvent, startInstancePair } from './instances';
import { openSession, sessionRequest, SseStream } from './raw-session';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbRegistryStore } from '../../lambda-src/store/dynamodb-registry-store';
import { connectLoggingClientV1 } from '../support/logging-client-v1';
import { pollUntil, untilLive as waitUntilLive } from '../support/poll-until';
import { postRawModern } from '../support/raw-modern-request';
import { connectResourceUpdatesClientV2 } from '../support/resource-updates-client-v2';

jest.setTimeout(60_000);

const WATCHED = 'file:///watched.txt';
const OTHER = 'file:///other.txt';

let pair: InstancePair | undefined;
let a: Instance;
let b: Instance;

beforeAll(async () => {
  pair = await startInstancePair({ pollIntervalMs: 100 }, async (endpoint, tables) => {
    const client = createDocumentClient({ endpoint });
    const registry = new DynamoDbRegistryStore({ client, tableName: tables.registryTable });
    for (const uri of [WATCHED, OTHER]) {
      await registry.put({ type: 'resource', uri, name: uri.slice(8), mimeType: 'text/plain', text: 'v1' });
    }
    client.destroy();
  });
  ({ a, b } = pair);
  // Warm environments, as a deployment's mostly are: each has read the registry long
  // enough ago (the cache period and a second) for that read to be settled. A stream
  // opened on an environment without one announces every list once a read settles
  // (events/registry-fingerprint.ts), which these tests of event delivery do not count.
  await Promise.all([a, b].map((i) => postRawModern(i.url, 'tools/list', {}, { id: 1, clientCapabilities: {} })));
  await new Promise((r) => setTimeout(r, 2500));
});

afterAll(() => pair?.stop());

/** Publishes a broadcast log message through instance A. */
async function publish(data: unknown, attributes: Record<string, string> = {}, messageId?: string) {
  return a.sns(snsEvent(typeof data === 'string' ? data : JSON.stringify(data), attributes, messageId));
}

const untilLive = (probe: () => Promise<unknown>, received: () => boolean) => waitUntilLive(probe, received, 20);

const until = (condition: () => boolean) => pollUntil(condition, 20);

test('an SNS event delivered to instance A reaches a 2025-era GET stream (SDK v1) on instance B', async () => {
  const { client, logs } = await connectLoggingClientV1(b.url, 'v1');
  try {
    await untilLive(() => publish(`probe-${randomUUID()}`), () => logs.length > 0);
    const text = `hello-${randomUUID()}`;
    const result = await publish(text);
    expect(result).toEqual({ ok: true, appended: 1, duplicates: 0, refused: 0 });
    await until(() => logs.includes(text));
    // A JSON body is the notification's params as they are.
    await publish({ level: 'warning', data: { order: 42 } });
    await until(() => logs.some((l) => (l as { order?: number })?.order === 42));
  } finally {
    await client.close();
  }
});

test('an SNS resources/updated on A reaches a 2026-07-28 subscriptions/listen stream (SDK v2) on B, for its URIs only', async () => {
  const { client, updated } = await connectResourceUpdatesClientV2(b.url, 'v2');
  const subscription = await client.listen({ resourceSubscriptions: [WATCHED], toolsListChanged: true });
  try {
    expect(subscription.honoredFilter).toEqual({ resourceSubscriptions: [WATCHED], toolsListChanged: true });
    await untilLive(() => publish('', { method: 'notifications/resources/updated', uri: WATCHED }), () => updated.length > 0);
    const before = updated.length;
    await publish('', { method: 'notifications/resources/updated', uri: OTHER });
    await publish('', { method: 'notifications/resources/updated', uri: WATCHED });
    await until(() => updated.length > before);
    expect(updated.slice(before)).toEqual([WATCHED]);
    expect(updated).not.toContain(OTHER);
  } finally {
    await subscription.close();
    await client.close();
  }
});

test('a stream cut mid-way and resumed with Last-Event-ID receives every event exactly once', async () => {
  const session = await openSession(b.url);
  const first = await SseStream.open(b.url, session);
  // 2025-11-25: the priming event (an id, empty data) comes first.
  const [priming] = await first.until((f) => f.length >= 1);
  expect(priming.data).toBe('');
  expect(priming.id).toBeTruthy();

  const sent = Array.from({ length: 6 }, (_, i) => `event-${i}-${randomUUID()}`);
  for (const text of sent.slice(0, 3)) await publish(text);
  await first.until(() => first.messages().length >= 3);
  first.close();
  const lastId = first.messages()[2].id!;
  // Published while the client is away.
  for (const text of sent.slice(3)) await publish(text);

  const second = await SseStream.open(b.url, session, lastId);
  await second.until(() => second.messages().length >= 3);
  const marker = `marker-${randomUUID()}`;
  await publish(marker);
  await second.until(() => second.messages().some((m) => m.params?.data === marker));
  second.close();

  const received = [...first.messages(), ...second.messages()].map((m) => m.params?.data).filter((d) => d !== marker);
  expect(received).toEqual(sent);
  // Every id unique across both streams of the session.
  const ids = [...first.frames, ...second.frames].map((f) => f.id).filter(Boolean);
  expect(new Set(ids).size).toBe(ids.length);
});

test('a stream resumed from its priming event id misses nothing published after it opened', async () => {
  const session = await openSession(b.url);
  const first = await SseStream.open(b.url, session);
  const [priming] = await first.until((f) => f.length >= 1);
  first.close();
  const text = `while-away-${randomUUID()}`;
  await publish(text);
  const second = await SseStream.open(b.url, session, priming.id);
  await second.until(() => second.messages().some((m) => m.params?.data === text));
  second.close();
});

test('a Last-Event-ID this server did not send is refused with 400', async () => {
  const session = await openSession(b.url);
  const res = await fetch(b.url, {
    headers: { 'accept': 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25', 'last-event-id': 'not-ours' },
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Last-Event-ID/);
});

test('an event targeted at a session reaches only that session', async () => {
  const [s1, s2] = await Promise.all([openSession(b.url), openSession(b.url)]);
  const [one, two] = await Promise.all([SseStream.open(b.url, s1), SseStream.open(b.url, s2)]);
  const secret = `for-s1-${randomUUID()}`;
  await publish(secret, { sessionId: s1 });
  const marker = `marker-${randomUUID()}`;
  await publish(marker);
  await one.until(() => one.messages().some((m) => m.params?.data === marker));
  await two.until(() => two.messages().some((m) => m.params?.data === marker));
  one.close();
  two.close();
  expect(one.messages().map((m) => m.params?.data)).toEqual([secret, marker]);
  expect(two.messages().map((m) => m.params?.data)).toEqual([marker]);
});

test('a duplicated SNS delivery (same MessageId, to either instance) is delivered once', async () => {
  const session = await openSession(b.url);
  const stream = await SseStream.open(b.url, session);
  const messageId = randomUUID();
  const text = `once-${randomUUID()}`;
  const event = snsEvent(text, {}, messageId);
  const results = await Promise.all([a.sns(event), b.sns(event), a.sns(event)]);
  expect(results.map((r) => r.appended).reduce((x, y) => x! + y!, 0)).toBe(1);
  expect(results.map((r) => r.duplicates).reduce((x, y) => x! + y!, 0)).toBe(2);
  const marker = `marker-${randomUUID()}`;
  await publish(marker);
  await stream.until(() => stream.messages().some((m) => m.params?.data === marker));
  stream.close();
  expect(stream.messages().map((m) => m.params?.data)).toEqual([text, marker]);
});

test('a message that breaks the contract is refused and acknowledged (a retry would fail the same way), never appended', async () => {
  expect(await a.sns(snsEvent('{}', { method: 'tools/call' }))).toMatchObject({ ok: true, appended: 0, refused: 1 });
  expect(await a.sns(snsEvent('{}', { method: 'notifications/resources/updated' }))).toMatchObject({ refused: 1 });
  expect(await a.sns(snsEvent('not json', { method: 'notifications/tools/list_changed' }))).toMatchObject({ refused: 1 });
});

test('resources/subscribe: only subscribers get notifications/resources/updated', async () => {
  const [s1, s2] = await Promise.all([openSession(b.url), openSession(b.url)]);
  // Subscribed on instance A, streaming on instance B: the subscription is in the store.
  expect(await sessionRequest(a.url, s1, 'resources/subscribe', { uri: WATCHED })).toMatchObject({ result: {} });
  const [one, two] = await Promise.all([SseStream.open(b.url, s1), SseStream.open(b.url, s2)]);
  await publish('', { method: 'notifications/resources/updated', uri: WATCHED });
  const marker = `marker-${randomUUID()}`;
  await publish(marker);
  await one.until(() => one.messages().some((m) => m.params?.data === marker));
  await two.until(() => two.messages().some((m) => m.params?.data === marker));
  expect(one.messages().map((m) => m.method)).toEqual(['notifications/resources/updated', 'notifications/message']);
  expect(one.messages()[0].params).toEqual({ uri: WATCHED });
  expect(two.messages().map((m) => m.method)).toEqual(['notifications/message']);

  // After unsubscribe (on B), no more updates.
  expect(await sessionRequest(b.url, s1, 'resources/unsubscribe', { uri: WATCHED })).toMatchObject({ result: {} });
  await publish('', { method: 'notifications/resources/updated', uri: WATCHED });
  const marker2 = `marker-${randomUUID()}`;
  await publish(marker2);
  await one.until(() => one.messages().some((m) => m.params?.data === marker2));
  one.close();
  two.close();
  expect(one.messages().map((m) => m.method)).toEqual(['notifications/resources/updated', 'notifications/message', 'notifications/message']);
});

test('a registry change raises list_changed on both eras', async () => {
  const v1 = new ClientV1({ name: 'v1', version: '1.0.0' });
  let v1ToolsChanged = 0;
  const v1Logs: unknown[] = [];
  v1.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    v1ToolsChanged++;
  });
  v1.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    v1Logs.push(n.params.data);
  });
  v1.setNotificationHandler(ResourceUpdatedNotificationSchema, () => undefined);
  await v1.connect(new TransportV1(new URL(b.url)));
  expect(v1.getServerCapabilities()?.tools?.listChanged).toBe(true);
  expect(v1.getServerCapabilities()?.resources).toMatchObject({ listChanged: true, subscribe: true });

  const v2 = new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  let v2ToolsChanged = 0;
  const v2Updated: string[] = [];
  v2.setNotificationHandler('notifications/tools/list_changed', () => {
    v2ToolsChanged++;
  });
  v2.setNotificationHandler('notifications/resources/updated', (n) => {
    v2Updated.push(n.params.uri);
  });
  await v2.connect(new TransportV2(new URL(b.url)));
  const subscription = await v2.listen({ toolsListChanged: true, resourceSubscriptions: [WATCHED] });
  try {
    await untilLive(() => publish(`probe-${randomUUID()}`), () => v1Logs.length > 0);
    await untilLive(() => publish('', { method: 'notifications/resources/updated', uri: WATCHED }), () => v2Updated.length > 0);
    // Flush: events arrive in log order, so once these markers are in, no probe is still on its way.
    const marker = `marker-${randomUUID()}`;
    const updatedBefore = v2Updated.length;
    await publish(marker);
    await publish('', { method: 'notifications/resources/updated', uri: WATCHED });
    await until(() => v1Logs.includes(marker) && v2Updated.length > updatedBefore);
    const v2Before = v2ToolsChanged;
    const v1Before = v1ToolsChanged;
    await a.register({
      type: 'tool',
      name: `added_${randomUUID().slice(0, 8)}`,
      description: 'added at run time',
      inputSchema: { type: 'object' },
      lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:added',
    });
    await until(() => v1ToolsChanged > v1Before && v2ToolsChanged > v2Before);
  } finally {
    await subscription.close();
    await v2.close();
    await v1.close();
  }
});
