/**
 * The EventLog contract (docs/events.md), run against DynamoDB (on DynamoDB Local) and memory
 * alike, and the session store's resource subscriptions.
 */
import { randomBytes } from 'node:crypto';
import { TestClock } from './store-variants';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbEventLog } from '../../lambda-src/store/dynamodb-event-log';
import { DynamoDbSessionStore } from '../../lambda-src/store/dynamodb-session-store';
import { BROADCAST_SHARDS, byShard, emptyCursor, type EventLog, inAppendOrder, type LogCursor } from '../../lambda-src/store/event-log';
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

type Variant = {
  log: EventLog;
  clock: TestClock;
  second?: EventLog;
  sessions: SessionStore;
  /** DynamoDB only: to make another environment with a clock of its own. */
  client?: ReturnType<typeof createDocumentClient>;
  tableName?: string;
};

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
      client,
      tableName: sessionTable,
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

  const ZERO = emptyCursor({});
  /** `base` moved past the appended events. */
  const past = (base: LogCursor, appended: Array<{ shard: number; seq: number } | undefined>): LogCursor =>
    base.map((seq, shard) => Math.max(seq, ...appended.filter((a) => a?.shard === shard).map((a) => a!.seq)));

  test('head is 0 in every shard before the first event; seqs then increase by one within a shard', async () => {
    expect(await v.log.head({})).toEqual([0, 0, 0, 0]);
    const sid = id();
    expect(await v.log.head({ sessionId: sid })).toEqual([0]);
    const a = await v.log.append({ sessionId: sid, method: 'notifications/message', params: { level: 'info', data: 'a' } });
    const b = await v.log.append({ sessionId: sid, method: 'notifications/message', params: { level: 'info', data: 'b' } });
    expect([a!.shard, b!.shard]).toEqual([0, 0]);
    expect(b!.seq).toBe(a!.seq + 1);
    expect(await v.log.head({ sessionId: sid })).toEqual([b!.seq]);
    const appended = [];
    for (let i = 0; i < 12; i++) appended.push((await v.log.append({ method: 'notifications/message', params: { level: 'info', data: i } }))!);
    for (let shard = 0; shard < BROADCAST_SHARDS; shard++) {
      const seqs = appended.filter((x) => x.shard === shard).map((x) => x.seq);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    }
    expect(await v.log.head({})).toEqual(past(ZERO, appended));
  });

  test('read returns the events after the cursor, in order, exactly as appended', async () => {
    const first = await v.log.append({ method: 'notifications/message', params: { level: 'info', data: { n: 1, deep: [1, 'x'] } } });
    v.clock.ms += 1; // order across shards is by the time of the append
    const second = await v.log.append({ method: 'notifications/resources/updated', params: { uri: 'file:///a' } });
    const all = await v.log.read({}, ZERO);
    expect(inAppendOrder(byShard(all.events)).map((e) => [e.method, e.params])).toEqual([
      ['notifications/message', { level: 'info', data: { n: 1, deep: [1, 'x'] } }],
      ['notifications/resources/updated', { uri: 'file:///a' }],
    ]);
    expect(all.nextAfter).toEqual(past(ZERO, [first, second]));
    const after = await v.log.read({}, past(ZERO, [first]));
    expect(after.events.map((e) => e.params)).toEqual([{ uri: 'file:///a' }]);
    expect(after.nextAfter).toEqual(past(ZERO, [first, second]));
    expect((await v.log.read({}, after.nextAfter)).events).toEqual([]);
  });

  test('a session partition is separate from the broadcast one and from other sessions', async () => {
    const s1 = id();
    const s2 = id();
    await v.log.append({ method: 'notifications/message', params: { level: 'info', data: 'all' } });
    await v.log.append({ sessionId: s1, method: 'notifications/message', params: { level: 'info', data: 'one' } });
    expect((await v.log.read({ sessionId: s1 }, [0])).events.map((e) => e.params.data)).toEqual(['one']);
    expect((await v.log.read({ sessionId: s2 }, [0])).events).toEqual([]);
    expect((await v.log.read({}, ZERO)).events.map((e) => e.params.data)).toEqual(['all']);
  });

  test('a de-duplication key already appended writes nothing', async () => {
    const key = id();
    expect(await v.log.append({ method: 'notifications/message', params: { level: 'info', data: 1 }, dedupKey: key })).toBeDefined();
    expect(await v.log.append({ method: 'notifications/message', params: { level: 'info', data: 1 }, dedupKey: key })).toBeUndefined();
    // Also from another environment, whose remembered counters are stale.
    expect(await (v.second ?? v.log).append({ method: 'notifications/message', params: { level: 'info', data: 1 }, dedupKey: key })).toBeUndefined();
    expect((await v.log.read({}, ZERO)).events).toHaveLength(1);
  });

  test('expired events are not returned, and the cursor moves past them', async () => {
    const old = await v.log.append({ method: 'notifications/message', params: { level: 'info', data: 'old' } });
    const sid = id();
    const oldOfSession = await v.log.append({ sessionId: sid, method: 'notifications/message', params: { level: 'info', data: 'old' } });
    v.clock.ms += 61_000;
    const read = await v.log.read({}, ZERO);
    expect(read.events).toEqual([]);
    expect(read.nextAfter).toEqual(past(ZERO, [old]));
    const ofSession = await v.log.read({ sessionId: sid }, [0]);
    expect(ofSession.events).toEqual([]);
    expect(ofSession.nextAfter).toEqual([oldOfSession!.seq]);
  });

  test('a read cut by the limit moves each shard only past what it returned', async () => {
    const appended = [];
    for (let i = 0; i < 24; i++) appended.push((await v.log.append({ method: 'notifications/message', params: { level: 'info', data: i } }))!);
    let cursor = ZERO;
    const seen: number[] = [];
    for (let reads = 0; reads < 24 && seen.length < 24; reads++) {
      const { events, nextAfter } = await v.log.read({}, cursor, 2);
      expect(events.length).toBeLessThanOrEqual(2 * BROADCAST_SHARDS);
      seen.push(...events.map((e) => e.params.data as number));
      cursor = nextAfter;
    }
    expect(seen.sort((a, b) => a - b)).toEqual(appended.map((_, i) => i));
    expect(cursor).toEqual(past(ZERO, appended));
  });

  test('an event over the item limit is refused by name', async () => {
    await expect(v.log.append({ method: 'notifications/message', params: { level: 'info', data: 'x'.repeat(410 * 1024) } }))
      .rejects.toBeInstanceOf(ItemTooLargeError);
  });

  test('concurrent appends (two writers) get distinct consecutive seqs per shard and all are read', async () => {
    const writers = [v.log, v.second ?? v.log];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      writers[i % 2].append({ method: 'notifications/message', params: { level: 'info', data: i } })));
    for (let shard = 0; shard < BROADCAST_SHARDS; shard++) {
      const seqs = results.filter((r) => r!.shard === shard).map((r) => r!.seq).sort((a, b) => a - b);
      expect(new Set(seqs).size).toBe(seqs.length);
      if (seqs.length) expect(seqs.at(-1)! - seqs[0]).toBe(seqs.length - 1);
    }
    const read = await v.log.read({}, ZERO);
    expect(read.events.map((e) => `${e.shard}:${e.seq}`).sort()).toEqual(results.map((r) => `${r!.shard}:${r!.seq}`).sort());
  });

  test('a reader that polls while writers append never skips an event', async () => {
    // The property the transaction exists for: whatever a poll returns, every event
    // with a lower seq in its shard was readable at that moment too, so the cursor
    // never jumps a gap.
    const writers = [v.log, v.second ?? v.log];
    let cursor = ZERO;
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

  test('inAppendOrder: oldest first, and never out of seq order within a shard', () => {
    const e = (shard: number, seq: number, createdAt: number) => ({ shard, seq, createdAt });
    // Shard 0's writers disagree on the time: seq 2 says it is older than seq 1.
    const merged = inAppendOrder([[e(0, 2, 5), e(0, 1, 10)], [e(1, 1, 7), e(1, 2, 20)]]);
    expect(merged.map((x) => `${x.shard}:${x.seq}`)).toEqual(['1:1', '0:1', '0:2', '1:2']);
  });

  test('an append whose clock is behind commits above what readers already read past, in every shard', async () => {
    // Two environments whose clocks disagree by 10 s: the one behind picks seqs below
    // the other's; the counter condition sends them above, so a reader that has read
    // past the first environment's events still gets the second's.
    const ahead = { ms: v.clock.ms + 10_000 };
    // In memory there is one clock: the same steps, without the disagreement.
    const early = v.client && v.tableName
      ? new DynamoDbEventLog({ client: v.client, tableName: v.tableName, now: () => ahead.ms, ttlSeconds: 60 })
      : v.log;
    const sid = id();
    const first = [];
    for (let i = 0; i < 12; i++) first.push(await early.append({ method: 'notifications/message', params: { level: 'info', data: `a${i}` } }));
    first.push(await early.append({ sessionId: sid, method: 'notifications/message', params: { level: 'info', data: 'a' } }));
    const broadcast = await v.log.read({}, ZERO);
    const session = await v.log.read({ sessionId: sid }, [0]);
    expect(broadcast.events).toHaveLength(12);
    const later = [];
    for (let i = 0; i < 12; i++) later.push(await v.log.append({ method: 'notifications/message', params: { level: 'info', data: `b${i}` } }));
    later.push(await v.log.append({ sessionId: sid, method: 'notifications/message', params: { level: 'info', data: 'b' } }));
    expect((await v.log.read({}, broadcast.nextAfter)).events.map((e) => e.params.data).sort()).toEqual(later.slice(0, 12).map((_, i) => `b${i}`).sort());
    expect((await v.log.read({ sessionId: sid }, session.nextAfter)).events.map((e) => e.params.data)).toEqual(['b']);
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
