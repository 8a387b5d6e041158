/**
 * SNS events under DynamoDB faults and redelivery, through the real handler (an SNS
 * event invoked on it, as SNS invokes one environment per message) whose event log
 * talks to DynamoDB Local through the fault proxy (test/support/dynamodb-fault-proxy.ts).
 *
 * What must hold: a delivery that meets a store fault fails the invocation (so Lambda
 * retries it) and writes nothing, or writes the whole event; a redelivery, a retry
 * after a lost answer, and the same message delivered to two environments at once all
 * end with the event in the log exactly once; and many messages delivered twice, out
 * of order, concurrently, leave exactly one event each, each `seq` once in its shard.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PROFILE, recordResult } from './reliability-profile';
import { scanTable } from './table-snapshot';
import { CollectingSink, createInvocationContext, invokeStreamingHandler } from '../../lambda-src/entry/awslambda-shim';
import { createHandler, type StreamingHandler } from '../../lambda-src/entry/index';
import type { HandlerConfig } from '../../lambda-src/model/config';
import { createDocumentClient, DEFAULT_MAX_ATTEMPTS } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbEventLog } from '../../lambda-src/store/dynamodb-event-log';
import { DynamoDbRegistryStore } from '../../lambda-src/store/dynamodb-registry-store';
import { DynamoDbSessionStore } from '../../lambda-src/store/dynamodb-session-store';
import { type DynamoDbFault, DynamoDbFaultProxy } from '../support/dynamodb-fault-proxy';
import { createTestTables, localDynamoDbClient, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { handlerConfig } from '../support/handler-config';

jest.setTimeout(60_000);

let ddb: DynamoDbLocal;
let proxy: DynamoDbFaultProxy;
let direct: DynamoDBClient;
let tables: { sessionTable: string; registryTable: string };
const clients: Array<{ destroy(): void }> = [];
/** Two environments SNS may invoke, each with its own store client through the proxy. */
const environments: StreamingHandler[] = [];
/** Two more, straight to DynamoDB Local with the production client settings (for the burst). */
const direct2: StreamingHandler[] = [];
const tally = { deliveries: 0, faultsInjected: 0, firstDeliveryFailures: 0, eventsStored: 0, duplicatesStored: 0, burstMs: 0 };

function environment(options: { endpoint: string; requestTimeoutMs?: number }): StreamingHandler {
  const client = createDocumentClient(options);
  clients.push(client);
  const config: HandlerConfig = handlerConfig({
    sessionTable: tables.sessionTable,
    registryTable: tables.registryTable,
    serverName: 'reliability-events',
    toolTimeoutSeconds: 10,
  });
  return createHandler({
    config,
    sessions: new DynamoDbSessionStore({ client, tableName: tables.sessionTable }),
    registryStore: new DynamoDbRegistryStore({ client, tableName: tables.registryTable }),
    eventLog: new DynamoDbEventLog({ client, tableName: tables.sessionTable }),
    log: () => undefined,
  });
}

function snsEvent(messageId: string, message: string): unknown {
  return {
    Records: [{
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:events:sub',
      Sns: {
        Type: 'Notification',
        MessageId: messageId,
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:events',
        Subject: null,
        Message: message,
        Timestamp: new Date().toISOString(),
        MessageAttributes: {},
      },
    }],
  };
}

/** One SNS invocation: its answer, or the error it failed with (Lambda would retry it). */
type Delivery = { ok: true; body: any } | { ok: false; error: string };

async function deliver(handler: StreamingHandler, messageId: string, message: string): Promise<Delivery> {
  tally.deliveries++;
  const sink = new CollectingSink();
  try {
    await invokeStreamingHandler(handler, snsEvent(messageId, message), sink, createInvocationContext({ timeoutMs: 30_000 }));
    return { ok: true, body: JSON.parse(sink.body()) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** The broadcast events in the table (direct Scan), by their message text; `shard`: the partition key. */
async function storedEvents(): Promise<Array<{ shard: string; seq: number; text: string }>> {
  const items = await scanTable(direct, tables.sessionTable);
  return items
    .filter((i) => typeof i.seq === 'number' && typeof i.params === 'string' && typeof i.method === 'string')
    .map((i) => ({ shard: i.pk as string, seq: i.seq as number, text: JSON.stringify(JSON.parse(i.params).data) }))
    .sort((x, y) => x.seq - y.seq);
}

function countOf(events: Array<{ text: string }>, message: string): number {
  return events.filter((e) => e.text === JSON.stringify(message)).length;
}

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  tables = await createTestTables(ddb.endpoint);
  direct = localDynamoDbClient(ddb.endpoint);
  proxy = await DynamoDbFaultProxy.start(ddb.endpoint);
  const viaProxy = { endpoint: proxy.endpoint, requestTimeoutMs: PROFILE.storeRequestTimeoutMs };
  environments.push(environment(viaProxy), environment(viaProxy));
  direct2.push(environment({ endpoint: ddb.endpoint }), environment({ endpoint: ddb.endpoint }));
}, 60_000);

afterAll(async () => {
  const events = await storedEvents().catch(() => []);
  tally.eventsStored = events.length;
  tally.duplicatesStored = events.length - new Set(events.map((e) => e.text)).size;
  recordResult('event-faults', tally);
  for (const c of clients) c.destroy();
  direct?.destroy();
  await proxy?.close();
  await ddb?.stop();
});

beforeEach(() => {
  proxy.clear().resetLog();
});

const PERSISTENT: DynamoDbFault[] = ['provisioned-throughput', 'throttling', 'internal-error', 'hang', 'drop-before'];

test.each(PERSISTENT)('%s on the append: the invocation fails (Lambda retries), nothing is written; the retry delivers once', async (fault) => {
  const messageId = randomUUID();
  const message = `under ${fault} ${messageId}`;
  const before = await scanTable(direct, tables.sessionTable);
  proxy.inject({ fault, operations: ['TransactWriteItems'] });
  tally.faultsInjected++;

  const failed = await deliver(environments[0], messageId, message);
  expect(failed.ok).toBe(false);
  expect(proxy.count({ operation: 'TransactWriteItems' })).toBe(DEFAULT_MAX_ATTEMPTS);
  expect(await scanTable(direct, tables.sessionTable)).toEqual(before);

  proxy.clear();
  const retried = await deliver(environments[1], messageId, message);
  expect(retried).toEqual({ ok: true, body: { ok: true, appended: 1, duplicates: 0, refused: 0 } });
  const again = await deliver(environments[0], messageId, message);
  expect(again).toEqual({ ok: true, body: { ok: true, appended: 0, duplicates: 1, refused: 0 } });
  expect(countOf(await storedEvents(), message)).toBe(1);
});

test('drop-after once (the append committed, its answer was lost): the event is in the log exactly once', async () => {
  const messageId = randomUUID();
  const message = `drop-after ${messageId}`;
  proxy.inject({ fault: 'drop-after', operations: ['TransactWriteItems'], times: 1 });
  tally.faultsInjected++;

  const first = await deliver(environments[0], messageId, message);
  // Either answer is honest: appended (the SDK's retry was recognised) or a duplicate
  // (the retry met the de-duplication marker of its own first attempt), or a failure
  // that Lambda retries; in every case the log holds the event once.
  if (!first.ok) await deliver(environments[1], messageId, message);
  expect(countOf(await storedEvents(), message)).toBe(1);
});

test(`${PROFILE.eventBurst} messages, each delivered twice to two environments at once, shuffled: one event each, each seq once in its shard`, async () => {
  const messages = Array.from({ length: PROFILE.eventBurst }, (_, i) => ({ id: randomUUID(), text: `burst ${i} ${randomUUID()}` }));
  // Every append contends for the broadcast shards' counters: with DynamoDB Local on 2 cores
  // that takes longer than the fault tests' short timeout, so these use the real one.
  const deliveries = messages.flatMap((m) => [m, m]).map((m, i) => ({ ...m, env: direct2[i % 2] }));
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
  }
  const startedAt = Date.now();
  let results = await Promise.all(deliveries.map((d) => deliver(d.env, d.id, d.text)));
  // A delivery that fails (the counter contended past its attempts, DynamoDB Local
  // overloaded) is retried, as Lambda retries a failed SNS invocation; a few rounds.
  const firstFailures = results.filter((r) => !r.ok).length;
  let pending = deliveries.filter((_, i) => !results[i].ok);
  const settled = results.filter((r) => r.ok);
  for (let round = 0; round < 5 && pending.length > 0; round++) {
    results = await Promise.all(pending.map((d) => deliver(d.env, d.id, d.text)));
    settled.push(...results.filter((r) => r.ok));
    pending = pending.filter((_, i) => !results[i].ok);
  }
  tally.firstDeliveryFailures += firstFailures;

  expect(pending.length).toBe(0);
  const appended = settled.reduce((n, r) => n + (r.ok ? r.body.appended : 0), 0);
  const duplicates = settled.reduce((n, r) => n + (r.ok ? r.body.duplicates : 0), 0);
  expect({ appended, duplicates }).toEqual({ appended: messages.length, duplicates: messages.length });
  const events = await storedEvents();
  expect(messages.map((m) => countOf(events, m.text))).toEqual(messages.map(() => 1));
  const positions = events.map((e) => `${e.shard} ${e.seq}`);
  expect(new Set(positions).size).toBe(positions.length);
  tally.burstMs = Date.now() - startedAt;
}, 300_000);
