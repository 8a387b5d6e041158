/**
 * BroadcastTail: many polled GETs of one environment share one read of the broadcast
 * partition per interval, and still get every event exactly once.
 */
import { BroadcastTail } from '../../lambda-src/events/broadcast-tail';
import type { EventLog, EventTarget } from '../../lambda-src/store/event-log';
import { MemoryEventLog } from '../../lambda-src/store/memory-event-log';

/** A log that counts its reads. */
function countingLog(inner: EventLog): EventLog & { reads: number } {
  const log = {
    reads: 0,
    append: inner.append.bind(inner),
    head: inner.head.bind(inner),
    read: (target: EventTarget, after: number, limit?: number) => {
      log.reads++;
      return inner.read(target, after, limit);
    },
  };
  return log;
}

let now = 1_700_000_000_000;
const clock = () => now;

test('clients polling within one interval cost one read, and each gets the events after its own cursor', async () => {
  const log = countingLog(new MemoryEventLog({ now: clock }));
  const tail = new BroadcastTail(log, 1000, clock);
  const head = await log.head({});
  const seqs: number[] = [];
  for (let i = 0; i < 5; i++) seqs.push((await log.append({ method: 'notifications/message', params: { data: i } }))!.seq);

  // 100 clients at different cursors, all at or after the first reader's.
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => tail.read(i % 2 ? seqs[2] : head)));
  expect(log.reads).toBe(1);
  expect(results[0].events.map((e) => e.params.data)).toEqual([0, 1, 2, 3, 4]);
  expect(results[1].events.map((e) => e.params.data)).toEqual([3, 4]);
  // Later in the interval, any cursor at or after the cached read's is served from it.
  expect((await tail.read(seqs[3])).events.map((e) => e.params.data)).toEqual([4]);
  expect(log.reads).toBe(1);
  expect(results.every((r) => r.nextAfter === seqs[4])).toBe(true);
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
  const first = (await log.append({ method: 'notifications/message', params: { data: 1 } }))!.seq;
  await log.append({ method: 'notifications/message', params: { data: 2 } });
  await tail.read(first);
  const behind = await tail.read(head);
  expect(behind.events.map((e) => e.params.data)).toEqual([1, 2]);
  expect(log.reads).toBe(2);
});
