/**
 * The broadcast partition's tail, read at most once per `maxAgeMs` per execution
 * environment and shared by every GET the environment serves in that time.
 *
 * In poll mode one environment serves many clients in turn (each GET lasts a few ms),
 * and every one of them would otherwise Query the same broadcast partition. One
 * partition serves about 3,000 strongly consistent reads a second, so reads must not
 * grow with the number of clients: with this cache they grow with the number of
 * environments (at most one read each per `maxAgeMs`).
 *
 * Exactly-once delivery is kept: a GET served from the cache gets the events after its
 * own cursor that the cached read saw, and its cursor moves only to what that read
 * covered. An event appended after the cached read is delivered by the next poll.
 * Cursors have one seq per broadcast shard (event-log.ts): a read made from `from`
 * serves a cursor that is at or after `from` in every shard.
 */
import { cursorAtOrBefore, type EventLog, type LogCursor, maxCursor, type StoredEvent } from '../store/event-log';

interface CachedRead {
  /** The cursor the read was made from: per shard it covers seqs in (from, nextAfter]. */
  readonly from: LogCursor;
  readonly events: StoredEvent[];
  readonly nextAfter: LogCursor;
  /** Epoch ms of the read. */
  readonly at: number;
}

export class BroadcastTail {
  private cached?: CachedRead;
  private inFlight?: { readonly from: LogCursor; readonly promise: Promise<CachedRead> };

  constructor(
    private readonly log: EventLog,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Broadcast events after `after`, as EventLog.read, from a read at most `maxAgeMs` old. */
  async read(after: LogCursor): Promise<{ events: StoredEvent[]; nextAfter: LogCursor }> {
    let read = this.usable(after);
    if (!read) {
      // Join a read already on its way when it starts at or before our cursor (decided
      // now, before any await, so that concurrent callers share one read).
      const pending = this.inFlight;
      read = await (pending && cursorAtOrBefore(pending.from, after) ? pending.promise : this.fetch(after));
    }
    return {
      events: read.events.filter((e) => e.seq > (after[e.shard] ?? 0)),
      nextAfter: maxCursor(after, read.nextAfter),
    };
  }

  private usable(after: LogCursor): CachedRead | undefined {
    const c = this.cached;
    return c && cursorAtOrBefore(c.from, after) && this.now() - c.at <= this.maxAgeMs ? c : undefined;
  }

  private fetch(after: LogCursor): Promise<CachedRead> {
    const at = this.now();
    const promise = this.log.read({}, after).then(({ events, nextAfter }) => {
      const read = { from: after, events, nextAfter, at };
      // Keep the freshest read; an older one finishing late does not replace it.
      if (!this.cached || this.cached.at <= at) this.cached = read;
      return read;
    });
    const entry = { from: after, promise };
    // The lowest cursor in flight serves the most callers.
    if (!this.inFlight || cursorAtOrBefore(after, this.inFlight.from)) this.inFlight = entry;
    const settle = () => {
      if (this.inFlight === entry) this.inFlight = undefined;
    };
    promise.then(settle, settle);
    return promise;
  }
}
