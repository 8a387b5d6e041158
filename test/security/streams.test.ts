/**
 * Streams a hostile or careless client cannot keep open: on Lambda a client's hang-up
 * is NOT signalled to a streaming handler (the invocation runs and bills to its end),
 * so every instance here runs with hang-ups hidden (test/events/handler-instance.ts,
 * HANG_UPS=hidden) and every bound below holds without seeing one:
 *
 * - a stream ends at its own maximum duration, whatever the function timeout;
 * - the stream of a session that was deleted (on another instance) or expired ends
 *   within one poll, not at its maximum duration;
 * - one standalone stream per session: a new GET supersedes the older one, which ends
 *   cleanly and receives nothing more (2025-11-25 basic/transports, "Multiple
 *   Connections": a server MUST NOT broadcast a message on several streams), so one
 *   session cannot hold any number of invocations open;
 * - without an event source, GET is 405 and the capabilities promise nothing a stream
 *   would carry, as the official clients see them.
 *
 * Instances are separate processes sharing only DynamoDB Local, as Lambda execution
 * environments share only the tables. Nothing here asserts a wall-clock duration from
 * above: "within one poll" is shown by the stream ending long before the maximum
 * duration that would otherwise end it (minutes, beyond the test's timeout).
 */
import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { sessionKey } from '../../lambda-src/store/table-schema';
import { startInstance, snsEvent, type Instance } from '../events/instances';
import { openSession, SseStream } from '../events/raw-session';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { pollUntil } from '../support/poll-until';

jest.setTimeout(90_000);

/** Far beyond the test timeout: a stream that ends did not end because of it. */
const LONG_MAX_STREAM_MS = 10 * 60_000;
/** The bounded instance's maximum stream duration. */
const SHORT_MAX_STREAM_MS = 1500;

let ddb: DynamoDbLocal;
let tables: { sessionTable: string; registryTable: string };
let a: Instance;
let b: Instance;
let bounded: Instance;
let off: Instance;

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  tables = await createTestTables(ddb.endpoint);
  const common = { ddbEndpoint: ddb.endpoint, ...tables, pollIntervalMs: 100, hangUps: 'hidden' as const, streamMode: 'live' as const };
  [a, b, bounded, off] = await Promise.all([
    startInstance({ ...common, maxStreamMs: LONG_MAX_STREAM_MS }),
    startInstance({ ...common, maxStreamMs: LONG_MAX_STREAM_MS }),
    startInstance({ ...common, maxStreamMs: SHORT_MAX_STREAM_MS }),
    startInstance({ ...common, streamMode: 'off' }),
  ]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), bounded?.stop(), off?.stop()]);
  await ddb?.stop();
});

const until = (condition: () => boolean | Promise<boolean>) => pollUntil(condition, 50);

function deleteSession(url: string, sessionId: string): Promise<Response> {
  return fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' } });
}

function getStream(url: string, sessionId: string): Promise<Response> {
  return fetch(url, { headers: { 'accept': 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' } });
}

test('a stream whose client hung up (not signalled) ends at its own maximum duration, far below the function timeout', async () => {
  const before = await bounded.stats();
  const session = await openSession(bounded.url);
  const stream = await SseStream.open(bounded.url, session);
  await stream.until((f) => f.length >= 1);
  const opened = await bounded.stats();
  expect(opened.open).toBe(1);
  // The client leaves; the handler is not told (hang-ups hidden, as on Lambda).
  stream.close();
  await until(async () => (await bounded.stats()).open === 0);
  const after = await bounded.stats();
  // Held at least to its bound: it was the bound, not the hang-up, that ended it.
  const held = after.heldMs - opened.heldMs;
  expect(held).toBeGreaterThanOrEqual(SHORT_MAX_STREAM_MS - 50);
  expect(after.invocations - before.invocations).toBe(3); // initialize, initialized, GET
});

test('a stream read to its end gets the retry field and ends cleanly at its maximum duration', async () => {
  const session = await openSession(bounded.url);
  const stream = await SseStream.open(bounded.url, session);
  await until(() => stream.ended);
  expect(stream.frames.at(-1)?.retry).toBeGreaterThan(0);
});

test('the stream of a session DELETEd on another instance ends within one poll, with its client gone or not', async () => {
  const session = await openSession(a.url);
  const reading = await SseStream.open(b.url, session);
  await reading.until((f) => f.length >= 1);
  expect((await deleteSession(a.url, session)).status).toBe(200);
  // Ends long before its 10-minute bound: the deletion ended it.
  await until(() => reading.ended);
  expect((await getStream(b.url, session)).status).toBe(404);

  // Same with the client gone (not signalled): the invocation ends all the same.
  const second = await openSession(a.url);
  const gone = await SseStream.open(b.url, second);
  await gone.until((f) => f.length >= 1);
  gone.close();
  expect((await b.stats()).open).toBe(1);
  expect((await deleteSession(a.url, second)).status).toBe(200);
  await until(async () => (await b.stats()).open === 0);
});

test('the stream of a session that expired ends within one poll', async () => {
  const session = await openSession(a.url);
  const stream = await SseStream.open(b.url, session);
  await stream.until((f) => f.length >= 1);
  // Expire it in the table, as time would (reads treat expiresAt in the past as gone).
  const client = createDocumentClient({ endpoint: ddb.endpoint });
  try {
    await client.send(new UpdateCommand({
      TableName: tables.sessionTable,
      Key: sessionKey(session),
      UpdateExpression: 'SET expiresAt = :past',
      ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
    }));
  } finally {
    client.destroy();
  }
  await until(() => stream.ended);
});

test('a second GET of a session supersedes the first, which ends cleanly and gets no event after it', async () => {
  const session = await openSession(a.url);
  const first = await SseStream.open(a.url, session);
  await first.until((f) => f.length >= 1);
  const second = await SseStream.open(b.url, session);
  await second.until((f) => f.length >= 1);
  await until(() => first.ended);
  // Ended without a retry field: the client is not invited back to the older stream.
  expect(first.frames.some((f) => f.retry !== undefined)).toBe(false);
  const text = `after-${randomUUID()}`;
  await a.sns(snsEvent(text));
  await second.until(() => second.messages().some((m) => m.params?.data === text));
  expect(first.messages().map((m) => m.params?.data)).not.toContain(text);
  second.close();
  await deleteSession(a.url, session);
});

test('a session that opens many GET streams holds one open invocation, not many', async () => {
  const session = await openSession(a.url);
  const streams: SseStream[] = [];
  for (let i = 0; i < 8; i++) {
    const stream = await SseStream.open(i % 2 ? b.url : a.url, session);
    await stream.until((f) => f.length >= 1);
    // The client never reads it again and hangs up unseen.
    stream.close();
    streams.push(stream);
  }
  await until(async () => (await a.stats()).open + (await b.stats()).open <= 1);
  const open = (await a.stats()).open + (await b.stats()).open;
  expect(open).toBe(1);
  await deleteSession(a.url, session);
  await until(async () => (await a.stats()).open + (await b.stats()).open === 0);
});

test('a 2026-07-28 subscriptions/listen ends at its own maximum duration: gracefully for a reader, and for a client gone unseen', async () => {
  // A reader sees the graceful end (resultType "complete"); the SDK does not listen again by itself.
  const reader = new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await reader.connect(new TransportV2(new URL(bounded.url)));
  const subscription = await reader.listen({ toolsListChanged: true });
  expect(await subscription.closed).toBe('graceful');
  await reader.close();
  await until(async () => (await bounded.stats()).open === 0);

  // A client that hangs up (not signalled): the listen's invocation still ends at the bound.
  const hangUp = new AbortController();
  const leaving = new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  const cutListen: typeof fetch = (input, init) => {
    const isListen = typeof init?.body === 'string' && init.body.includes('"subscriptions/listen"');
    return fetch(input, isListen ? { ...init, signal: AbortSignal.any([hangUp.signal, ...(init?.signal ? [init.signal] : [])]) } : init);
  };
  await leaving.connect(new TransportV2(new URL(bounded.url), { fetch: cutListen }));
  const gone = await leaving.listen({ toolsListChanged: true });
  const opened = await bounded.stats();
  expect(opened.open).toBe(1);
  hangUp.abort();
  expect(await gone.closed).not.toBe('graceful');
  await until(async () => (await bounded.stats()).open === 0);
  const after = await bounded.stats();
  // It ran on after the hang-up, to its bound: the bound ended it, not the hang-up.
  expect(after.heldMs - opened.heldMs).toBeGreaterThanOrEqual(SHORT_MAX_STREAM_MS - 500);
  await leaving.close();
});

describe('without an event source (stream mode off)', () => {
  test('GET answers 405, and holds no invocation open', async () => {
    const session = await openSession(off.url);
    const res = await getStream(off.url, session);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, DELETE');
    await res.text();
    expect((await off.stats()).open).toBe(0);
  });

  test('SDK v1 and v2 clients see no listChanged, subscribe or logging, and work without a stream', async () => {
    const v1 = new ClientV1({ name: 'v1', version: '1.0.0' });
    const errors: unknown[] = [];
    v1.onerror = (error) => errors.push(error);
    await v1.connect(new TransportV1(new URL(off.url)));
    const caps = v1.getServerCapabilities();
    expect(caps?.tools).toEqual({});
    expect(caps?.logging).toBeUndefined();
    expect(await v1.listTools()).toEqual({ tools: [] });
    await v1.close();
    // The client's GET got 405, which the SDK takes as "no stream offered", not an error.
    expect(errors).toEqual([]);

    const v2 = new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await v2.connect(new TransportV2(new URL(off.url)));
    const discovered = (await v2.discover()).capabilities;
    expect(discovered.tools).toEqual({});
    expect(discovered.logging).toBeUndefined();
    expect(discovered.resources).toBeUndefined();
    await v2.close();
  });
});
