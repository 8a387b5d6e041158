/**
 * The event log: how events published on the SNS topic reach open client streams on
 * every execution environment. SNS invokes ONE environment per message and never the
 * invocations that hold streams open (ARCHITECTURE.md, "The platform facts that shaped the design"), so the
 * environment SNS invokes appends the event here and every open stream reads it.
 *
 * Two kinds of partition: the broadcast one (every stream reads it) and one per
 * 2025-era session (only that session's streams read it). Within a partition every
 * event has a sequence number `seq`, and events become visible in `seq` order: an
 * event with a higher `seq` is never readable before one with a lower `seq`
 * (DynamoDbEventLog commits the counter and the event in one transaction). So a
 * reader that has seen `seq = n` has seen everything up to `n`, and "everything after
 * my cursor" is exact: no skipped event, however SNS orders its deliveries.
 */

/** Where an event goes: every stream (broadcast) or the streams of one session. */
export type EventTarget = { readonly sessionId?: string };

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
  /** Position in its partition; strictly increasing in visibility order. */
  readonly seq: number;
  readonly sessionId?: string;
  readonly method: string;
  readonly params: Record<string, unknown>;
  /** Epoch ms when it was appended. */
  readonly createdAt: number;
}

export interface EventLog {
  /**
   * Appends an event; returns its `seq`, or undefined when `dedupKey` was already
   * appended (a redelivered SNS message).
   */
  append(input: EventInput): Promise<{ seq: number } | undefined>;
  /** The last `seq` handed out in the partition (0 before the first event). */
  head(target: EventTarget): Promise<number>;
  /**
   * Live events with `seq > after`, in `seq` order, at most `limit`. An expired
   * event (TTL deletes late) is never returned, but `nextAfter` moves past it, so the
   * caller's cursor never stalls on one.
   */
  read(target: EventTarget, after: number, limit?: number): Promise<{ events: StoredEvent[]; nextAfter: number }>;
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
 * The first `seq` of a partition whose counter does not exist: the clock in
 * microsecond-ish units. A session partition's counter expires with the events; if it
 * is created again later, it starts above every `seq` it handed out before (as long
 * as fewer than 1000 events a millisecond were appended), so a stream's cursor never
 * stands ahead of new events. 16 digits until the year 2255, below 2^53.
 */
export function firstSeq(nowMs: number): number {
  return Math.floor(nowMs) * 1000;
}
