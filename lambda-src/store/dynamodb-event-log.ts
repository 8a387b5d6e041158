/**
 * EventLog on DynamoDB, in the session table (table-schema.ts): per shard a counter item
 * holding its last `seq` (a session's `COUNTER` in its partition; the broadcast shards'
 * `COUNTER#<shard>` side by side in `EVENTS#broadcast`), and one item per event under
 * `E#<seq>` in the shard's partition (`EVENTS#session#<id>`, `EVENTS#broadcast#<shard>`).
 *
 * Why a transaction and not a timestamp sort key: any key chosen before the write
 * commits (a clock reading, a counter increment) can commit out of key order when two
 * environments append at once. A reader that polls between the two commits would see
 * the later key, move its cursor past it, and never read the earlier one. Here an
 * append is one TransactWriteItems that (1) moves the shard's counter from the value it
 * read to value + 1, conditionally, (2) writes the event under that new value and (3)
 * writes the SNS de-duplication item if it does not exist. A concurrent append that
 * read the same counter value fails its condition and retries; so within a shard event
 * `n + 1` commits strictly after event `n`, and readers see a prefix of each shard.
 *
 * Why shards: one counter serializes every append behind it, and each lost race costs
 * a round trip. A broadcast append picks a shard at random, so concurrent publishers
 * mostly write to different counters; a lost race tries a random shard again with the
 * counter value the failed condition returned (no extra read); and the environment
 * remembers the counters it last saw, so an append that does not race is one round trip.
 *
 * Reading the broadcast: first the shards' counters (one Query of `EVENTS#broadcast`:
 * 1 read unit when nothing is new, as before sharding), then only the shards whose
 * counter is past the cursor, each from the cursor up to that counter value. Every
 * event up to the counter value committed with it, before the counter was read, so a
 * shard read that was not cut by the limit covers the shard up to the counter: the
 * cursor moves there even when TTL already deleted the events in between.
 *
 * Reads are strongly consistent. An eventually consistent Query (half the price)
 * may answer from a replica that has not applied the latest writes; that alone is
 * harmless (the cursor shows the event on the next poll), but DynamoDB does not
 * document that a lagging replica always shows a prefix of a partition's writes, and a
 * reader that saw `n + 1` without `n` would skip `n` for good. docs/events.md
 * states the cost.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  DEDUP_TTL_SECONDS, DEFAULT_EVENT_TTL_SECONDS, DEFAULT_READ_LIMIT, firstSeq, shardsOf,
  type EventInput, type EventLog, type EventTarget, type LogCursor, type StoredEvent,
} from './event-log';
import { assertItemFits } from './item-size';
import {
  BROADCAST_COUNTER_SK_PREFIX, dedupItemKey, EVENT_SK_PREFIX, EVENTS_BROADCAST_PK, eventCounterKey, eventPartitionKey,
  eventSortKey, nowEpochSeconds, seqOfSortKey,
} from './table-schema';

export interface DynamoDbEventLogOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** How long an event stays readable, in seconds. @default 3600 */
  readonly ttlSeconds?: number;
  /** Epoch milliseconds; injectable for tests. @default Date.now */
  readonly now?: () => number;
  /**
   * Attempts of an append that loses the counter race to concurrent appends.
   * @default 25
   */
  readonly maxAttempts?: number;
}

export class EventAppendContentionError extends Error {
  constructor(attempts: number) {
    super(`the event could not be appended: the partition's counter changed under ${attempts} attempts in a row`);
    this.name = 'EventAppendContentionError';
  }
}

export class DynamoDbEventLog implements EventLog {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly ttlSeconds: number;
  private readonly now: () => number;
  private readonly maxAttempts: number;
  /**
   * The broadcast counters as this environment last saw them (undefined: not known).
   * Only a hint: a stale value fails the append's condition, which returns the current
   * one. Sessions' counters are not kept (one entry per session would grow without bound).
   */
  private readonly broadcastCounters: Array<number | undefined> = [];

  constructor(options: DynamoDbEventLogOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_EVENT_TTL_SECONDS;
    this.now = options.now ?? Date.now;
    this.maxAttempts = options.maxAttempts ?? 25;
  }

  async append(input: EventInput): Promise<{ shard: number; seq: number } | undefined> {
    const broadcast = input.sessionId === undefined;
    const shards = shardsOf(input);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const shard = Math.floor(Math.random() * shards);
      const counterKey = eventCounterKey(input.sessionId, shard);
      const known = broadcast ? this.broadcastCounters[shard] : undefined;
      const current = known ?? await this.counter(counterKey);
      const nowMs = this.now();
      const seq = current === undefined ? firstSeq(nowMs) : current + 1;
      const expiresAt = nowEpochSeconds(nowMs) + this.ttlSeconds;
      const event = {
        pk: eventPartitionKey(input.sessionId, shard),
        sk: eventSortKey(seq),
        seq,
        method: input.method,
        // A JSON string: params round-trip exactly (see session-item.ts for why).
        params: JSON.stringify(input.params),
        createdAt: nowMs,
        expiresAt,
      };
      assertItemFits(`event ${input.method}`, event);
      const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [];
      if (input.dedupKey !== undefined) {
        items.push({
          Put: {
            TableName: this.tableName,
            Item: { ...dedupItemKey(input.dedupKey), expiresAt: nowEpochSeconds(nowMs) + DEDUP_TTL_SECONDS },
            // An expired marker TTL has not yet deleted counts as absent.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': nowEpochSeconds(nowMs) },
          },
        });
      }
      items.push({
        Update: {
          TableName: this.tableName,
          Key: counterKey,
          UpdateExpression: 'SET #seq = :seq, expiresAt = :expiresAt',
          ConditionExpression: current === undefined ? 'attribute_not_exists(#seq)' : '#seq = :current',
          ExpressionAttributeNames: { '#seq': 'seq' },
          ExpressionAttributeValues: current === undefined
            ? { ':seq': seq, ':expiresAt': expiresAt }
            : { ':seq': seq, ':expiresAt': expiresAt, ':current': current },
          // A lost race says where the counter is now: the next attempt needs no read.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
      items.push({ Put: { TableName: this.tableName, Item: event } });
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        if (broadcast) this.broadcastCounters[shard] = seq;
        return { shard, seq };
      } catch (err) {
        if (!(err instanceof TransactionCanceledException) && (err as Error).name !== 'TransactionCanceledException') throw err;
        const reasons = (err as TransactionCanceledException).CancellationReasons ?? [];
        if (input.dedupKey !== undefined && reasons[0]?.Code === 'ConditionalCheckFailed') return undefined;
        const counterReason = reasons[input.dedupKey !== undefined ? 1 : 0];
        if (counterReason?.Code === 'ConditionalCheckFailed') {
          // Lost the race for this seq (or the remembered value was stale): the
          // counter as it is now, when DynamoDB returned it, else read it next time.
          if (broadcast) this.broadcastCounters[shard] = seqOfItem(counterReason.Item);
          if (attempt > 2) await backOff(attempt);
          continue;
        }
        // A transaction conflict: another append is committing on the same counter.
        if (!reasons.some((r) => r.Code === 'TransactionConflict')) throw err;
        if (broadcast) this.broadcastCounters[shard] = undefined;
        await backOff(attempt);
      }
    }
    throw new EventAppendContentionError(this.maxAttempts);
  }

  async head(target: EventTarget): Promise<LogCursor> {
    if (target.sessionId !== undefined) return [(await this.counter(eventCounterKey(target.sessionId))) ?? 0];
    return (await this.broadcastHeads()).map((seq) => seq ?? 0);
  }

  async read(target: EventTarget, after: LogCursor, limit: number = DEFAULT_READ_LIMIT): Promise<{ events: StoredEvent[]; nextAfter: LogCursor }> {
    if (target.sessionId !== undefined) {
      const { events, last } = await this.readShard(target.sessionId, 0, after[0] ?? 0, undefined, limit);
      return { events, nextAfter: [Math.max(after[0] ?? 0, last)] };
    }
    const heads = await this.broadcastHeads();
    const shards = await Promise.all(heads.map(async (head, shard) => {
      const from = after[shard] ?? 0;
      // Nothing new in this shard (or its counter expired and starts again above the cursor later).
      if (head === undefined || head <= from) return { events: [], next: from };
      const { events, last, full } = await this.readShard(undefined, shard, from, head, limit);
      // Not cut by the limit: everything up to `head` was read (what is missing expired).
      return { events, next: full ? Math.max(from, last) : head };
    }));
    return { events: shards.flatMap((s) => s.events), nextAfter: shards.map((s) => s.next) };
  }

  /** Live events of one shard in (after, to], in seq order; `last`: the highest seq seen, expired or not. */
  private async readShard(
    sessionId: string | undefined, shard: number, after: number, to: number | undefined, limit: number,
  ): Promise<{ events: StoredEvent[]; last: number; full: boolean }> {
    const { Items = [] } = await this.client.send(new QueryCommand({
      TableName: this.tableName,
      // `E#` + 16 digits sorts after `COUNTER`, and `E#9...9` bounds the range.
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': eventPartitionKey(sessionId, shard),
        ':from': eventSortKey(after + 1),
        ':to': to === undefined ? `${EVENT_SK_PREFIX}${'9'.repeat(16)}` : eventSortKey(to),
      },
      ConsistentRead: true,
      Limit: limit,
    }));
    const nowSeconds = nowEpochSeconds(this.now());
    let last = after;
    const events: StoredEvent[] = [];
    for (const item of Items) {
      const seq = seqOfSortKey(item.sk as string);
      last = Math.max(last, seq);
      if (typeof item.expiresAt === 'number' && item.expiresAt <= nowSeconds) continue;
      events.push({
        shard,
        seq,
        ...(sessionId !== undefined ? { sessionId } : {}),
        method: item.method as string,
        params: JSON.parse(item.params as string),
        createdAt: item.createdAt as number,
      });
    }
    return { events, last, full: Items.length >= limit };
  }

  /** Every broadcast shard's counter (undefined: none yet), in one Query. */
  private async broadcastHeads(): Promise<Array<number | undefined>> {
    const { Items = [] } = await this.client.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': EVENTS_BROADCAST_PK, ':prefix': BROADCAST_COUNTER_SK_PREFIX },
      ConsistentRead: true,
    }));
    const heads = new Array<number | undefined>(shardsOf({})).fill(undefined);
    for (const item of Items) {
      const shard = Number((item.sk as string).slice(BROADCAST_COUNTER_SK_PREFIX.length));
      if (Number.isInteger(shard) && shard >= 0 && shard < heads.length && typeof item.seq === 'number') heads[shard] = item.seq;
    }
    return heads;
  }

  /** A counter's value; an expired counter TTL has not deleted still counts (it only grows). */
  private async counter(key: { pk: string; sk: string }): Promise<number | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return typeof Item?.seq === 'number' ? Item.seq : undefined;
  }
}

/** The `seq` of a counter item a cancelled transaction returned (marshalled: the document client does not convert errors). */
function seqOfItem(item: Record<string, unknown> | undefined): number | undefined {
  const seq = item?.seq as { N?: string } | number | undefined;
  if (typeof seq === 'number') return seq;
  return seq?.N !== undefined ? Number(seq.N) : undefined;
}

/** A short random pause, growing with the attempts, so that racing appends spread out. */
function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 5 * attempt)));
}
