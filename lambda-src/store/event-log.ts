/**
 * The event log: how events published on the SNS topic reach open client streams on
 * every execution environment. SNS invokes ONE environment per message and never the
 * invocations that hold streams open (ARCHITECTURE.md, "The platform facts that shaped the design"), so the
 * environment SNS invokes appends the event here and every open stream reads it.
 *
 * Two kinds of target: the broadcast (every stream reads it) and one per 2025-era
 * session (only that session's streams read it). A target is made of shards: the
 * broadcast of BROADCAST_SHARDS, a session of one. Within a shard every event has a
 * sequence number `seq`, and events become visible in `seq` order: an event with a
 * higher `seq` is never readable before one with a lower `seq` of the same shard
 * (DynamoDbEventLog commits the shard's counter and the event in one transaction).
 * A reader's position is a cursor, one `seq` per shard (LogCursor): a reader that has
 * seen `seq = n` of a shard has seen everything of that shard up to `n`, so
 * "everything after my cursor" is exact: no skipped event, however SNS orders its
 * deliveries and however appends interleave over the shards.
 *
 * Why shards: appends to one shard race for its counter whenever they reach it out
 * of clock order (the overtaken one is retried), and on DynamoDB two transactions on
 * one item at the same moment conflict; the broadcast takes the appends of every
 * publisher, so it spreads them over counters that do not contend with each other
 * (docs/streams.md, "Publishing: sharded, and no read before the append"). A
 * session's events come from its own tools and tasks, rarely at once.
 */

/** The shards of the broadcast. Part of every event id (stream-cursor.ts): changing it makes earlier ids unreadable (400, the client reconnects without one). */
export const BROADCAST_SHARDS = 4;

/** Where an event goes: every stream (broadcast) or the streams of one session. */
export type EventTarget = { readonly sessionId?: string };

/** A position in a target: per shard, the last `seq` read (0: none). */
export type LogCursor = readonly number[];

/** How many shards a target has. */
export function shardsOf(target: EventTarget): number {
  return target.sessionId === undefined ? BROADCAST_SHARDS : 1;
}

/** The cursor before every event of the target. */
export function emptyCursor(target: EventTarget): LogCursor {
  return new Array<number>(shardsOf(target)).fill(0);
}

/** Shard by shard, the greater position of two cursors of the same target. */
export function maxCursor(a: LogCursor, b: LogCursor): LogCursor {
  return a.map((seq, shard) => Math.max(seq, b[shard] ?? 0));
}

/** Whether `a` is at or before `b` in every shard. */
export function cursorAtOrBefore(a: LogCursor, b: LogCursor): boolean {
  return a.every((seq, shard) => seq <= (b[shard] ?? 0));
}

/**
 * Events of several shards (or targets) in one sequence, oldest `createdAt` first,
 * keeping each shard's own `seq` order even where the clocks of two writers disagree:
 * a reader that moves its cursor event by event then never moves a shard's position
 * backwards, nor past an event it has not yet handed out.
 */
export function inAppendOrder<T extends Pick<StoredEvent, 'shard' | 'seq' | 'createdAt'>>(lanes: ReadonlyArray<readonly T[]>): T[] {
  const sorted = lanes.map((lane) => [...lane].sort((a, b) => a.seq - b.seq));
  const next = sorted.map(() => 0);
  const out: T[] = [];
  for (;;) {
    let pick = -1;
    for (let i = 0; i < sorted.length; i++) {
      const head = sorted[i][next[i]];
      if (head !== undefined && (pick < 0 || head.createdAt < sorted[pick][next[pick]].createdAt)) pick = i;
    }
    if (pick < 0) return out;
    out.push(sorted[pick][next[pick]++]);
  }
}

/** Events of one target split by shard, each in `seq` order (the lanes inAppendOrder merges). */
export function byShard<T extends Pick<StoredEvent, 'shard'>>(events: readonly T[]): T[][] {
  const lanes = new Map<number, T[]>();
  for (const e of events) lanes.set(e.shard, [...(lanes.get(e.shard) ?? []), e]);
  return [...lanes.values()];
}

/** An event to append. */
export interface EventInput {
  /** Absent: broadcast. */
  readonly sessionId?: string;
  /** The JSON-RPC notification method, e.g. `notifications/message`. */
  readonly method: string;
  /** The notification's params. */
  readonly params: Record<string, unknown>;
  /**
   * A de-duplication key (the SNS MessageId): a second append with the same key
   * writes nothing and returns undefined.
   */
  readonly dedupKey?: string;
}

export interface StoredEvent {
  /** The shard of its target it was appended to (0 for a session). */
  readonly shard: number;
  /** Position in its shard; strictly increasing in visibility order. */
  readonly seq: number;
  readonly sessionId?: string;
  readonly method: string;
  readonly params: Record<string, unknown>;
  /** Epoch ms when it was appended. */
  readonly createdAt: number;
}

export interface EventLog {
  /**
   * Appends an event; returns its shard and `seq`, or undefined when `dedupKey` was
   * already appended (a redelivered SNS message).
   */
  append(input: EventInput): Promise<{ shard: number; seq: number } | undefined>;
  /** Per shard, the last `seq` handed out (0 before the first event). */
  head(target: EventTarget): Promise<LogCursor>;
  /**
   * Live events after `after` (per shard, `seq > after[shard]`), each shard's in `seq`
   * order (shards one after the other), at most `limit` per shard. An expired event
   * (TTL deletes late) is never returned, but `nextAfter` moves past it, so the
   * caller's cursor never stalls on one. `nextAfter` is at or after `after` in every
   * shard, and every live event between the two was returned.
   */
  read(target: EventTarget, after: LogCursor, limit?: number): Promise<{ events: StoredEvent[]; nextAfter: LogCursor }>;
}

/** Events per read, at most: DynamoDB pages at 1 MB anyway; this bounds a burst. */
export const DEFAULT_READ_LIMIT = 100;

/** How long events are kept for resumption, by default (1 hour). */
export const DEFAULT_EVENT_TTL_SECONDS = 3600;

/**
 * How long an SNS message id is remembered. Lambda retries an asynchronous (SNS)
 * invocation for up to 6 hours (its maximum event age), so a redelivery can come that
 * late; 24 hours covers it with room.
 */
export const DEDUP_TTL_SECONDS = 24 * 3600;

/**
 * The lowest `seq` an append at `nowMs` takes: the clock in milliseconds times 1000
 * (the counter then takes it above that when more than one append falls in a
 * millisecond). So seqs follow the clock, appends need not read the counter first
 * (dynamodb-event-log.ts), and a session partition whose counter expired with its
 * events starts again above every `seq` it handed out before (as long as fewer than
 * 1000 events a millisecond were appended on average): a stream's cursor never stands
 * ahead of new events. 16 digits until the year 2255, below 2^53.
 */
export function clockSeq(nowMs: number): number {
  return Math.floor(nowMs) * 1000;
}
