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
 */
import type { EventLog, StoredEvent } from '../store/event-log';

interface CachedRead {
  /** The cursor the read was made from: it covers seqs in (from, nextAfter]. */
  readonly from: number;
  readonly events: StoredEvent[];
  readonly nextAfter: number;
  /** Epoch ms of the read. */
  readonly at: number;
}

export class BroadcastTail {
  private cached?: CachedRead;
  private inFlight?: { readonly from: number; readonly promise: Promise<CachedRead> };

  constructor(
    private readonly log: EventLog,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Broadcast events with `seq > after`, as EventLog.read, from a read at most `maxAgeMs` old. */
  async read(after: number): Promise<{ events: StoredEvent[]; nextAfter: number }> {
    let read = this.usable(after);
    if (!read) {
      // Join a read already on its way when it starts at or before our cursor (decided
      // now, before any await, so that concurrent callers share one read).
      const pending = this.inFlight;
      read = await (pending && pending.from <= after ? pending.promise : this.fetch(after));
    }
    return {
      events: read.events.filter((e) => e.seq > after),
      nextAfter: Math.max(after, read.nextAfter),
    };
  }

  private usable(after: number): CachedRead | undefined {
    const c = this.cached;
    return c && c.from <= after && this.now() - c.at <= this.maxAgeMs ? c : undefined;
  }

  private fetch(after: number): Promise<CachedRead> {
    const at = this.now();
    const promise = this.log.read({}, after).then(({ events, nextAfter }) => {
      const read = { from: after, events, nextAfter, at };
      // Keep the freshest read; an older one finishing late does not replace it.
      if (!this.cached || this.cached.at <= at) this.cached = read;
      return read;
    });
    const entry = { from: after, promise };
    // The lowest cursor in flight serves the most callers.
    if (!this.inFlight || after <= this.inFlight.from) this.inFlight = entry;
    const settle = () => {
      if (this.inFlight === entry) this.inFlight = undefined;
    };
    promise.then(settle, settle);
    return promise;
  }
}
