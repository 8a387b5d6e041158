/**
 * EventLog in process memory, for unit tests and the dev server's embedded store
 * (local/local-stores.ts): same semantics as DynamoDbEventLog
 * (seq numbering, de-duplication, expiry by comparison with the clock, the item size
 * limit); the shared suite in test/store/ runs against both.
 */
import {
  DEDUP_TTL_SECONDS, DEFAULT_EVENT_TTL_SECONDS, DEFAULT_READ_LIMIT, firstSeq,
  type EventInput, type EventLog, type EventTarget, type StoredEvent,
} from './event-log';
import { assertItemFits } from './item-size';
import { eventPartitionKey, eventSortKey, nowEpochSeconds } from './table-schema';

interface Partition {
  seq?: number;
  events: Array<StoredEvent & { expiresAt: number }>;
}

export interface MemoryEventLogOptions {
  /** @default 3600 */
  readonly ttlSeconds?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export class MemoryEventLog implements EventLog {
  private readonly partitions = new Map<string, Partition>();
  private readonly dedup = new Map<string, number>();
  private readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor(options: MemoryEventLogOptions = {}) {
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_EVENT_TTL_SECONDS;
    this.now = options.now ?? Date.now;
  }

  async append(input: EventInput): Promise<{ seq: number } | undefined> {
    const nowMs = this.now();
    const nowSeconds = nowEpochSeconds(nowMs);
    const pk = eventPartitionKey(input.sessionId);
    const partition = this.partitions.get(pk) ?? { events: [] };
    const seq = partition.seq === undefined ? firstSeq(nowMs) : partition.seq + 1;
    const expiresAt = nowSeconds + this.ttlSeconds;
    assertItemFits(`event ${input.method}`, {
      pk, sk: eventSortKey(seq), seq, method: input.method, params: JSON.stringify(input.params), createdAt: nowMs, expiresAt,
    });
    if (input.dedupKey !== undefined) {
      const until = this.dedup.get(input.dedupKey);
      if (until !== undefined && until > nowSeconds) return undefined;
      this.dedup.set(input.dedupKey, nowSeconds + DEDUP_TTL_SECONDS);
    }
    partition.seq = seq;
    partition.events.push({
      seq,
      ...(input.sessionId !== undefined ? { sessionId: input.sessionId } : {}),
      method: input.method,
      params: JSON.parse(JSON.stringify(input.params)),
      createdAt: nowMs,
      expiresAt,
    });
    this.partitions.set(pk, partition);
    return { seq };
  }

  async head(target: EventTarget): Promise<number> {
    return this.partitions.get(eventPartitionKey(target.sessionId))?.seq ?? 0;
  }

  async read(target: EventTarget, after: number, limit: number = DEFAULT_READ_LIMIT): Promise<{ events: StoredEvent[]; nextAfter: number }> {
    const all = (this.partitions.get(eventPartitionKey(target.sessionId))?.events ?? []).filter((e) => e.seq > after).slice(0, limit);
    const nowSeconds = nowEpochSeconds(this.now());
    let nextAfter = after;
    const events: StoredEvent[] = [];
    for (const { expiresAt, ...event } of all) {
      nextAfter = Math.max(nextAfter, event.seq);
      if (expiresAt <= nowSeconds) continue;
      events.push(JSON.parse(JSON.stringify(event)));
    }
    return { events, nextAfter };
  }
}
