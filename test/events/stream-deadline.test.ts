/**
 * Streams end cleanly before the function timeout, and the client loses nothing
 * (ARCHITECTURE.md, "The platform facts that shaped the design"): an instance whose invocations have a
 * short time budget, like a function timeout, on DynamoDB Local.
 */
import { randomUUID } from 'node:crypto';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { startInstance, snsEvent, type Instance } from './instances';
import { openSession, SseStream } from './raw-session';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';

jest.setTimeout(60_000);

let ddb: DynamoDbLocal;
let short: Instance;

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  const tables = await createTestTables(ddb.endpoint);
  // Streams end 5 s (the default margin) before the deadline: this one lives about 1.5 s.
  short = await startInstance({ ddbEndpoint: ddb.endpoint, ...tables, pollIntervalMs: 100, invocationTimeoutMs: 6_500 });
});

afterAll(async () => {
  await short?.stop();
  await ddb?.stop();
});

test('a GET stream ends with retry: before the deadline, and resuming from its last id loses nothing', async () => {
  const session = await openSession(short.url);
  const first = await SseStream.open(short.url, session);
  const before = `before-${randomUUID()}`;
  await short.sns(snsEvent(before));
  // The server ends the stream on its own, with a retry field (2025-11-25 "Polling SSE
  // streams"). On a busy machine its 1.5 s may pass before `before` reaches it: then the
  // resumed stream must deliver it, so the test waits for the end, not for the event.
  while (!first.ended) await new Promise((r) => setTimeout(r, 20));
  expect(first.frames.find((f) => f.retry !== undefined)?.retry).toBe(1000);

  const during = `during-${randomUUID()}`;
  await short.sns(snsEvent(during));
  // Resumed as a client does, from the last id it saw, until both events have arrived:
  // bounded by count (each stream lives 1.5 s), not by a clock.
  const streams = [first];
  const received = () => streams.flatMap((s) => s.messages().map((m) => m.params?.data));
  const both = () => received().includes(before) && received().includes(during);
  for (let n = 0; n < 20 && !both(); n++) {
    const lastId = streams.flatMap((s) => s.frames).reverse().find((f) => f.id)!.id!;
    const next = await SseStream.open(short.url, session, lastId);
    streams.push(next);
    await next.until(() => both()).catch(() => undefined); // ended first: resume again
    next.close();
  }
  // Each exactly once, in order.
  expect(received()).toEqual([before, during]);
});

test('a subscriptions/listen stream ends gracefully (a complete result) before the deadline', async () => {
  const client = new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new TransportV2(new URL(short.url)));
  const subscription = await client.listen({ toolsListChanged: true });
  try {
    expect(await subscription.closed).toBe('graceful');
  } finally {
    await client.close();
  }
});
