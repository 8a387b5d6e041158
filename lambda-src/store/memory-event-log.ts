/**
 * EventLog in process memory, for unit tests and the dev server's embedded store
 * (local/local-stores.ts): same semantics as DynamoDbEventLog
 * (shards, seq numbering per shard, cursors per shard, de-duplication, expiry by
 * comparison with the clock, the item size limit); the shared suite in test/store/
 * runs against both.
 */
import {
  DEDUP_TTL_SECONDS, DEFAULT_EVENT_TTL_SECONDS, DEFAULT_READ_LIMIT, clockSeq, shardsOf,
  type EventInput, type EventLog, type EventTarget, type LogCursor, type StoredEvent,
} from './event-log';
import { assertItemFits } from './item-size';
import { eventPartitionKey, eventSortKey, nowEpochSeconds } from './table-schema';

interface Shard {
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
  private readonly shards = new Map<string, Shard>();
  private readonly dedup = new Map<string, number>();
  private readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor(options: MemoryEventLogOptions = {}) {
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_EVENT_TTL_SECONDS;
    this.now = options.now ?? Date.now;
  }

  async append(input: EventInput): Promise<{ shard: number; seq: number } | undefined> {
    const nowMs = this.now();
    const nowSeconds = nowEpochSeconds(nowMs);
    // At random: one process has no races to spread, and DynamoDbEventLog's choice (one
    // shard per environment until a race moves it) is only about cost. Spreading here
    // keeps every reader's path over several shards exercised.
    const shardNo = Math.floor(Math.random() * shardsOf(input));
    const pk = eventPartitionKey(input.sessionId, shardNo);
    const shard = this.shards.get(pk) ?? { events: [] };
    const seq = Math.max((shard.seq ?? 0) + 1, clockSeq(nowMs));
    const expiresAt = nowSeconds + this.ttlSeconds;
    assertItemFits(`event ${input.method}`, {
      pk, sk: eventSortKey(seq), seq, method: input.method, params: JSON.stringify(input.params), createdAt: nowMs, expiresAt,
    });
    if (input.dedupKey !== undefined) {
      const until = this.dedup.get(input.dedupKey);
      if (until !== undefined && until > nowSeconds) return undefined;
      this.dedup.set(input.dedupKey, nowSeconds + DEDUP_TTL_SECONDS);
    }
    shard.seq = seq;
    shard.events.push({
      shard: shardNo,
      seq,
      ...(input.sessionId !== undefined ? { sessionId: input.sessionId } : {}),
      method: input.method,
      params: JSON.parse(JSON.stringify(input.params)),
      createdAt: nowMs,
      expiresAt,
    });
    this.shards.set(pk, shard);
    return { shard: shardNo, seq };
  }

  async head(target: EventTarget): Promise<LogCursor> {
    return Array.from({ length: shardsOf(target) }, (_, n) => this.shards.get(eventPartitionKey(target.sessionId, n))?.seq ?? 0);
  }

  async read(target: EventTarget, after: LogCursor, limit: number = DEFAULT_READ_LIMIT): Promise<{ events: StoredEvent[]; nextAfter: LogCursor }> {
    const nowSeconds = nowEpochSeconds(this.now());
    const events: StoredEvent[] = [];
    const nextAfter = Array.from({ length: shardsOf(target) }, (_, n) => {
      const from = after[n] ?? 0;
      const shard = this.shards.get(eventPartitionKey(target.sessionId, n));
      const due = (shard?.events ?? []).filter((e) => e.seq > from).slice(0, limit);
      let next = from;
      for (const { expiresAt, ...event } of due) {
        next = Math.max(next, event.seq);
        if (expiresAt <= nowSeconds) continue;
        events.push(JSON.parse(JSON.stringify(event)));
      }
      return next;
    });
    return { events, nextAfter };
  }
}
