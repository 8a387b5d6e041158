/**
 * BroadcastTail: many polled GETs of one environment share one read of the broadcast
 * partition per interval, and still get every event exactly once.
 */
import { BroadcastTail } from '../../lambda-src/events/broadcast-tail';
import type { EventLog, EventTarget, LogCursor } from '../../lambda-src/store/event-log';
import { MemoryEventLog } from '../../lambda-src/store/memory-event-log';

/** A log that counts its reads. */
function countingLog(inner: EventLog): EventLog & { reads: number } {
  const log = {
    reads: 0,
    append: inner.append.bind(inner),
    head: inner.head.bind(inner),
    read: (target: EventTarget, after: LogCursor, limit?: number) => {
      log.reads++;
      return inner.read(target, after, limit);
    },
  };
  return log;
}

let now = 1_700_000_000_000;
const clock = () => now;

/** `base` moved past the appended events (the cursor of a reader that read them). */
function past(base: LogCursor, appended: Array<{ shard: number; seq: number } | undefined>): LogCursor {
  return base.map((seq, shard) => Math.max(seq, ...appended.filter((a) => a?.shard === shard).map((a) => a!.seq)));
}

/** The events' data, sorted: a read returns them shard by shard. */
const data = (r: { events: Array<{ params: Record<string, unknown> }> }) => r.events.map((e) => e.params.data).sort();

test('clients polling within one interval cost one read, and each gets the events after its own cursor', async () => {
  const log = countingLog(new MemoryEventLog({ now: clock }));
  const tail = new BroadcastTail(log, 1000, clock);
  const head = await log.head({});
  const appended: Array<{ shard: number; seq: number } | undefined> = [];
  for (let i = 0; i < 5; i++) appended.push(await log.append({ method: 'notifications/message', params: { data: i } }));

  // 100 clients at different cursors, all at or after the first reader's.
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => tail.read(i % 2 ? past(head, appended.slice(0, 3)) : head)));
  expect(log.reads).toBe(1);
  expect(data(results[0])).toEqual([0, 1, 2, 3, 4]);
  expect(data(results[1])).toEqual([3, 4]);
  // Later in the interval, any cursor at or after the cached read's is served from it.
  expect(data(await tail.read(past(head, appended.slice(0, 4))))).toEqual([4]);
  expect(log.reads).toBe(1);
  expect(results.every((r) => JSON.stringify(r.nextAfter) === JSON.stringify(past(head, appended)))).toBe(true);
});

test('an event appended after the cached read is delivered by the next interval\'s read, exactly once', async () => {
  const log = countingLog(new MemoryEventLog({ now: clock }));
  const tail = new BroadcastTail(log, 1000, clock);
  let cursor = await log.head({});
  const delivered: unknown[] = [];
  const poll = async () => {
    const { events, nextAfter } = await tail.read(cursor);
    delivered.push(...events.map((e) => e.params.data));
    cursor = nextAfter;
  };
  await log.append({ method: 'notifications/message', params: { data: 'a' } });
  await poll();
  await log.append({ method: 'notifications/message', params: { data: 'b' } });
  await poll(); // same interval: served from the cache, which has not seen 'b'
  expect(delivered).toEqual(['a']);
  now += 1001;
  await poll();
  await poll();
  expect(delivered).toEqual(['a', 'b']);
  expect(log.reads).toBe(2);
});

test('a client behind the cached read gets its own read', async () => {
  const log = countingLog(new MemoryEventLog({ now: clock }));
  const tail = new BroadcastTail(log, 1000, clock);
  const head = await log.head({});
  const first = past(head, [await log.append({ method: 'notifications/message', params: { data: 1 } })]);
  await log.append({ method: 'notifications/message', params: { data: 2 } });
  await tail.read(first);
  const behind = await tail.read(head);
  expect(data(behind)).toEqual([1, 2]);
  expect(log.reads).toBe(2);
});
