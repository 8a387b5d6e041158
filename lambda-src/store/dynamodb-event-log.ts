/**
 * EventLog on DynamoDB, in the session table (table-schema.ts): per shard a counter item
 * holding the highest `seq` committed in it (a session's `COUNTER` in its partition; the
 * broadcast shards' `COUNTER#<shard>` side by side in `EVENTS#broadcast`), and one item
 * per event under `E#<seq>` in the shard's partition (`EVENTS#session#<id>`,
 * `EVENTS#broadcast#<shard>`).
 *
 * Why a transaction and not a timestamp sort key alone: any key chosen before the write
 * commits (a clock reading, a counter increment) can commit out of key order when two
 * environments append at once. A reader that polls between the two commits would see
 * the later key, move its cursor past it, and never read the earlier one. Here an
 * append is one TransactWriteItems that (1) moves the shard's counter forward to the
 * event's `seq`, on the condition that the counter is below it, (2) writes the event
 * under that `seq` and (3) writes the SNS de-duplication item if it does not exist. The
 * counter only moves forward, so within a shard events commit in increasing `seq`
 * order and readers see a prefix of each shard: an append whose `seq` another append
 * overtook fails its condition and is retried above the counter, never committed below
 * an event a reader may already have read past.
 *
 * What keeps appends from racing: the `seq` is the clock in microseconds (clockSeq)
 * unless the environment already saw the counter at or above it, so an append needs no
 * read first and two appends race only when they reach the same shard's counter out of
 * clock order; a broadcast append goes to its environment's shard of BROADCAST_SHARDS
 * (chosen at random, and moved by every race it loses), so concurrent publishers end
 * up writing to different counters while a lone publisher fills one shard; and a lost race learns the
 * counter from the failed condition (ReturnValuesOnConditionCheckFailure), so the retry
 * needs no read either. docs/streams.md ("Scale of the broadcast partition") measures it.
 *
 * Reading the broadcast: first the shards' counters (one Query of `EVENTS#broadcast`:
 * 1 read unit when nothing is new, as before sharding), then only the shards whose
 * counter is past the cursor. A shard's position moves only to events actually read
 * (an expired one included), never to the counter value: the counter and the event are
 * different items, and nothing documented says that a read which sees one of a
 * transaction's items already sees the other.
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
  BROADCAST_SHARDS, DEDUP_TTL_SECONDS, DEFAULT_EVENT_TTL_SECONDS, DEFAULT_READ_LIMIT, clockSeq, shardsOf,
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
   * Only a hint: a `seq` at or below the counter fails the append's condition, which
   * returns the counter as it is. Sessions' counters are not kept (one entry per
   * session would grow without bound; their appends rarely race).
   */
  private readonly broadcastCounters: Array<number | undefined> = [];
  /**
   * The broadcast shard this environment appends to, until a race moves it. Appends of
   * one environment never race each other (one SNS delivery at a time), and a reader
   * pays one Query per shard with something new: with one shard per publishing
   * environment, a deployment that publishes from one environment at a time fills one
   * shard, and readers read one. Concurrent publishers, which do race, spread out as
   * each lost race moves its environment to another shard.
   */
  private broadcastShard = Math.floor(Math.random() * BROADCAST_SHARDS);

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
    let lastSeen: number | undefined;
    let shard = broadcast ? this.broadcastShard : 0;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const counterKey = eventCounterKey(input.sessionId, shard);
      const nowMs = this.now();
      // At least the clock (clockSeq) and above the counter as last seen: no read
      // before the write. A stale memory costs one failed attempt, which returns the
      // counter as it is.
      const known = broadcast ? this.broadcastCounters[shard] : lastSeen;
      const seq = Math.max((known ?? 0) + 1, clockSeq(nowMs));
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
          // Only forwards: the counter is the highest seq committed in the shard, so
          // events become visible in seq order (an expired counter TTL has not deleted
          // still counts: it only grows).
          ConditionExpression: 'attribute_not_exists(#seq) OR #seq < :seq',
          ExpressionAttributeNames: { '#seq': 'seq' },
          ExpressionAttributeValues: { ':seq': seq, ':expiresAt': expiresAt },
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
          // Overtaken (or the remembered value was stale): retry above the counter as it
          // is now, as DynamoDB returned it (else as read).
          lastSeen = seqOfItem(counterReason.Item) ?? await this.counter(counterKey);
          if (broadcast) {
            this.broadcastCounters[shard] = lastSeen;
            // Another environment appends here now: this one moves to another shard.
            shard = this.broadcastShard = otherShard(shard, shards);
          }
          if (attempt > 2) await backOff(attempt);
          continue;
        }
        // A transaction conflict: another append is committing on the same counter.
        if (!reasons.some((r) => r.Code === 'TransactionConflict')) throw err;
        if (broadcast) {
          this.broadcastCounters[shard] = undefined;
          shard = this.broadcastShard = otherShard(shard, shards);
        }
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
      const { events, last } = await this.readShard(target.sessionId, 0, after[0] ?? 0, limit);
      return { events, nextAfter: [Math.max(after[0] ?? 0, last)] };
    }
    const heads = await this.broadcastHeads();
    const shards = await Promise.all(heads.map(async (head, shard) => {
      const from = after[shard] ?? 0;
      // Nothing new in this shard (or its counter expired and starts again above the cursor later).
      if (head === undefined || head <= from) return { events: [], next: from };
      const { events, last } = await this.readShard(undefined, shard, from, limit);
      return { events, next: last };
    }));
    return { events: shards.flatMap((s) => s.events), nextAfter: shards.map((s) => s.next) };
  }

  /** Live events of one shard after `after`, in seq order; `last`: the highest seq seen, expired or not. */
  private async readShard(
    sessionId: string | undefined, shard: number, after: number, limit: number,
  ): Promise<{ events: StoredEvent[]; last: number }> {
    const { Items = [] } = await this.client.send(new QueryCommand({
      TableName: this.tableName,
      // `E#` + 16 digits sorts after `COUNTER`, and `E#9...9` bounds the range.
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': eventPartitionKey(sessionId, shard),
        ':from': eventSortKey(after + 1),
        ':to': `${EVENT_SK_PREFIX}${'9'.repeat(16)}`,
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
    return { events, last };
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

  /** A counter's value (an expired counter TTL has not deleted still counts: it only grows). */
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

/** A shard other than `shard`, at random (the same one when there is only one). */
function otherShard(shard: number, shards: number): number {
  return shards < 2 ? shard : (shard + 1 + Math.floor(Math.random() * (shards - 1))) % shards;
}
