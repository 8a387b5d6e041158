/**
 * The EventLog contract (docs/events.md), run against DynamoDB (on DynamoDB Local) and memory
 * alike, and the session store's resource subscriptions.
 */
import { randomBytes } from 'node:crypto';
import { TestClock } from './store-variants';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbEventLog } from '../../lambda-src/store/dynamodb-event-log';
import { DynamoDbSessionStore } from '../../lambda-src/store/dynamodb-session-store';
import type { EventLog } from '../../lambda-src/store/event-log';
import { ItemTooLargeError } from '../../lambda-src/store/item-size';
import { MemoryEventLog } from '../../lambda-src/store/memory-event-log';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { MAX_SUBSCRIPTIONS, type SessionStore, SubscriptionLimitError } from '../../lambda-src/store/session-store';
import { DynamoDbLocal, createTestTables, startDynamoDbLocal } from '../support/dynamodb-local';

let ddb: DynamoDbLocal | undefined;
const clients: Array<ReturnType<typeof createDocumentClient>> = [];

async function dynamo() {
  ddb ??= await startDynamoDbLocal();
  const client = createDocumentClient({ endpoint: ddb.endpoint });
  clients.push(client);
  const { sessionTable } = await createTestTables(ddb.endpoint);
  return { client, sessionTable };
}

afterAll(async () => {
  for (const c of clients) c.destroy();
  await ddb?.stop();
});

type Variant = { log: EventLog; clock: TestClock; second?: EventLog; sessions: SessionStore };

const VARIANTS: Array<[string, () => Promise<Variant>]> = [
  ['DynamoDB', async () => {
    const { client, sessionTable } = await dynamo();
    const clock = new TestClock();
    return {
      log: new DynamoDbEventLog({ client, tableName: sessionTable, now: clock.now, ttlSeconds: 60 }),
      // A second writer on the same table: another execution environment.
      second: new DynamoDbEventLog({ client, tableName: sessionTable, now: clock.now, ttlSeconds: 60 }),
      sessions: new DynamoDbSessionStore({ client, tableName: sessionTable, now: clock.now }),
      clock,
    };
  }],
  ['memory', async () => {
    const clock = new TestClock();
    return { log: new MemoryEventLog({ now: clock.now, ttlSeconds: 60 }), clock, sessions: new MemorySessionStore({ now: clock.now }) };
  }],
];

function id(): string {
  return randomBytes(16).toString('hex');
}

describe.each(VARIANTS)('%s event log', (_name, make) => {
  let v: Variant;
  beforeEach(async () => {
    v = await make();
  });

  test('head is 0 before the first event; seqs then increase by one', async () => {
    expect(await v.log.head({})).toBe(0);
    const a = await v.log.append({ method: 'notifications/message', params: { level: 'info', data: 'a' } });
    const b = await v.log.append({ method: 'notifications/message', params: { level: 'info', data: 'b' } });
    expect(b!.seq).toBe(a!.seq + 1);
    expect(await v.log.head({})).toBe(b!.seq);
  });

  test('read returns the events after the cursor, in order, exactly as appended', async () => {
    const first = await v.log.append({ method: 'notifications/message', params: { level: 'info', data: { n: 1, deep: [1, 'x'] } } });
    await v.log.append({ method: 'notifications/resources/updated', params: { uri: 'file:///a' } });
    const all = await v.log.read({}, 0);
    expect(all.events.map((e) => [e.method, e.params])).toEqual([
      ['notifications/message', { level: 'info', data: { n: 1, deep: [1, 'x'] } }],
      ['notifications/resources/updated', { uri: 'file:///a' }],
    ]);
    const after = await v.log.read({}, first!.seq);
    expect(after.events.map((e) => e.params)).toEqual([{ uri: 'file:///a' }]);
    expect(after.nextAfter).toBe(first!.seq + 1);
    expect((await v.log.read({}, after.nextAfter)).events).toEqual([]);
  });

  test('a session partition is separate from the broadcast one and from other sessions', async () => {
    const s1 = id();
    const s2 = id();
    await v.log.append({ method: 'notifications/message', params: { level: 'info', data: 'all' } });
    await v.log.append({ sessionId: s1, method: 'notifications/message', params: { level: 'info', data: 'one' } });
    expect((await v.log.read({ sessionId: s1 }, 0)).events.map((e) => e.params.data)).toEqual(['one']);
    expect((await v.log.read({ sessionId: s2 }, 0)).events).toEqual([]);
    expect((await v.log.read({}, 0)).events.map((e) => e.params.data)).toEqual(['all']);
  });

  test('a de-duplication key already appended writes nothing', async () => {
    const key = id();
    expect(await v.log.append({ method: 'notifications/message', params: { level: 'info', data: 1 }, dedupKey: key })).toBeDefined();
    expect(await v.log.append({ method: 'notifications/message', params: { level: 'info', data: 1 }, dedupKey: key })).toBeUndefined();
    expect((await v.log.read({}, 0)).events).toHaveLength(1);
  });

  test('expired events are not returned, and the cursor moves past them', async () => {
    const old = await v.log.append({ method: 'notifications/message', params: { level: 'info', data: 'old' } });
    v.clock.ms += 61_000;
    const read = await v.log.read({}, 0);
    expect(read.events).toEqual([]);
    expect(read.nextAfter).toBe(old!.seq);
  });

  test('an event over the item limit is refused by name', async () => {
    await expect(v.log.append({ method: 'notifications/message', params: { level: 'info', data: 'x'.repeat(410 * 1024) } }))
      .rejects.toBeInstanceOf(ItemTooLargeError);
  });

  test('concurrent appends (two writers) get distinct consecutive seqs and all are read', async () => {
    const writers = [v.log, v.second ?? v.log];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      writers[i % 2].append({ method: 'notifications/message', params: { level: 'info', data: i } })));
    const seqs = results.map((r) => r!.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(20);
    expect(seqs[19] - seqs[0]).toBe(19);
    const read = await v.log.read({}, 0);
    expect(read.events.map((e) => e.seq)).toEqual(seqs);
  });

  test('a reader that polls while writers append never skips an event', async () => {
    // The property the transaction exists for: whatever a poll returns, every event
    // with a lower seq was readable at that moment too, so the cursor never jumps a gap.
    const writers = [v.log, v.second ?? v.log];
    let cursor = 0;
    const seen: number[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing || (await v.log.read({}, cursor)).events.length > 0) {
        const { events, nextAfter } = await v.log.read({}, cursor);
        for (const e of events) seen.push(e.params.data as number);
        cursor = nextAfter;
      }
    })();
    await Promise.all(Array.from({ length: 30 }, (_, i) =>
      writers[i % 2].append({ method: 'notifications/message', params: { level: 'info', data: i } })));
    writing = false;
    await reader;
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(seen).toHaveLength(30);
  });

  describe('session subscriptions', () => {
    async function session(): Promise<string> {
      const sid = id();
      await v.sessions.create({
        id: sid,
        protocolVersion: '2025-11-25',
        clientCapabilities: {},
        clientInfo: {},
        createdAt: v.clock.ms,
        expiresAt: v.clock.seconds + 3600,
        version: 1,
      });
      return sid;
    }

    test('subscribe and unsubscribe are kept with the session', async () => {
      const sid = await session();
      expect(await v.sessions.addSubscription!(sid, 'file:///b')).toBe(true);
      expect(await v.sessions.addSubscription!(sid, 'file:///a')).toBe(true);
      expect(await v.sessions.addSubscription!(sid, 'file:///a')).toBe(true);
      expect((await v.sessions.get(sid))!.subscriptions).toEqual(['file:///a', 'file:///b']);
      expect(await v.sessions.removeSubscription!(sid, 'file:///a')).toBe(true);
      expect(await v.sessions.removeSubscription!(sid, 'file:///never')).toBe(true);
      expect((await v.sessions.get(sid))!.subscriptions).toEqual(['file:///b']);
      await v.sessions.removeSubscription!(sid, 'file:///b');
      expect((await v.sessions.get(sid))!.subscriptions).toBeUndefined();
    });

    test('concurrent subscribes are all kept (no lost update)', async () => {
      const sid = await session();
      const uris = Array.from({ length: 15 }, (_, i) => `file:///r${String(i).padStart(2, '0')}`);
      await Promise.all(uris.map((u) => v.sessions.addSubscription!(sid, u)));
      expect((await v.sessions.get(sid))!.subscriptions).toEqual(uris);
      // Other writes of the session do not drop them either.
      await v.sessions.update(sid, { logLevel: 'error' });
      expect((await v.sessions.get(sid))!.subscriptions).toEqual(uris);
    });

    test('a gone session answers false; the limit is enforced', async () => {
      expect(await v.sessions.addSubscription!(id(), 'file:///a')).toBe(false);
      expect(await v.sessions.removeSubscription!(id(), 'file:///a')).toBe(false);
      const sid = await session();
      for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) await v.sessions.addSubscription!(sid, `file:///${i}`);
      await expect(v.sessions.addSubscription!(sid, 'file:///one-more')).rejects.toBeInstanceOf(SubscriptionLimitError);
      // Re-subscribing to one it holds is fine.
      expect(await v.sessions.addSubscription!(sid, 'file:///0')).toBe(true);
      v.clock.ms += 3601_000;
      expect(await v.sessions.addSubscription!(sid, 'file:///a')).toBe(false);
    });
  });
});
