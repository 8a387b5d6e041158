/**
 * EventLog on DynamoDB, in the session table (table-schema.ts): per partition a
 * `COUNTER` item holding the last `seq`, and one item per event under `E#<seq>`.
 *
 * Why a transaction and not a timestamp sort key: any key chosen before the write
 * commits (a clock reading, a counter increment) can commit out of key order when two
 * environments append at once. A reader that polls between the two commits would see
 * the later key, move its cursor past it, and never read the earlier one. Here an
 * append is one TransactWriteItems that (1) moves the counter from the value it read
 * to value + 1, conditionally, (2) writes the event under that new value and (3)
 * writes the SNS de-duplication item if it does not exist. A concurrent append that
 * read the same counter value fails its condition and retries with the next value; so
 * event `n + 1` commits strictly after event `n`, and readers see a prefix of the log.
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
  DEDUP_TTL_SECONDS, DEFAULT_EVENT_TTL_SECONDS, DEFAULT_READ_LIMIT, firstSeq,
  type EventInput, type EventLog, type EventTarget, type StoredEvent,
} from './event-log';
import { assertItemFits } from './item-size';
import { dedupItemKey, EVENT_COUNTER_SK, EVENT_SK_PREFIX, eventPartitionKey, eventSortKey, nowEpochSeconds, seqOfSortKey } from './table-schema';

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

  constructor(options: DynamoDbEventLogOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_EVENT_TTL_SECONDS;
    this.now = options.now ?? Date.now;
    this.maxAttempts = options.maxAttempts ?? 25;
  }

  async append(input: EventInput): Promise<{ seq: number } | undefined> {
    const pk = eventPartitionKey(input.sessionId);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const current = await this.counter(pk);
      const nowMs = this.now();
      const seq = current === undefined ? firstSeq(nowMs) : current + 1;
      const expiresAt = nowEpochSeconds(nowMs) + this.ttlSeconds;
      const event = {
        pk,
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
          Key: { pk, sk: EVENT_COUNTER_SK },
          UpdateExpression: 'SET #seq = :seq, expiresAt = :expiresAt',
          ConditionExpression: current === undefined ? 'attribute_not_exists(#seq)' : '#seq = :current',
          ExpressionAttributeNames: { '#seq': 'seq' },
          ExpressionAttributeValues: current === undefined
            ? { ':seq': seq, ':expiresAt': expiresAt }
            : { ':seq': seq, ':expiresAt': expiresAt, ':current': current },
        },
      });
      items.push({ Put: { TableName: this.tableName, Item: event } });
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return { seq };
      } catch (err) {
        if (!(err instanceof TransactionCanceledException) && (err as Error).name !== 'TransactionCanceledException') throw err;
        const reasons = (err as TransactionCanceledException).CancellationReasons ?? [];
        if (input.dedupKey !== undefined && reasons[0]?.Code === 'ConditionalCheckFailed') return undefined;
        const counterReason = reasons[input.dedupKey !== undefined ? 1 : 0]?.Code;
        // Lost the race for this seq (or a transaction conflict): read the counter again.
        if (counterReason !== 'ConditionalCheckFailed' && counterReason !== 'TransactionConflict' && !reasons.some((r) => r.Code === 'TransactionConflict')) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 5 * attempt)));
      }
    }
    throw new EventAppendContentionError(this.maxAttempts);
  }

  async head(target: EventTarget): Promise<number> {
    return (await this.counter(eventPartitionKey(target.sessionId))) ?? 0;
  }

  async read(target: EventTarget, after: number, limit: number = DEFAULT_READ_LIMIT): Promise<{ events: StoredEvent[]; nextAfter: number }> {
    const { Items = [] } = await this.client.send(new QueryCommand({
      TableName: this.tableName,
      // `E#` + 16 digits sorts after `COUNTER`, and `E#9...9` bounds the range.
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': eventPartitionKey(target.sessionId),
        ':from': eventSortKey(after + 1),
        ':to': `${EVENT_SK_PREFIX}${'9'.repeat(16)}`,
      },
      ConsistentRead: true,
      Limit: limit,
    }));
    const nowSeconds = nowEpochSeconds(this.now());
    let nextAfter = after;
    const events: StoredEvent[] = [];
    for (const item of Items) {
      const seq = seqOfSortKey(item.sk as string);
      nextAfter = Math.max(nextAfter, seq);
      if (typeof item.expiresAt === 'number' && item.expiresAt <= nowSeconds) continue;
      events.push({
        seq,
        ...(target.sessionId !== undefined ? { sessionId: target.sessionId } : {}),
        method: item.method as string,
        params: JSON.parse(item.params as string),
        createdAt: item.createdAt as number,
      });
    }
    return { events, nextAfter };
  }

  /** The counter's value; an expired counter TTL has not deleted still counts (it only grows). */
  private async counter(pk: string): Promise<number | undefined> {
    const { Item } = await this.client.send(new GetCommand({
      TableName: this.tableName,
      Key: { pk, sk: EVENT_COUNTER_SK },
      ConsistentRead: true,
    }));
    return typeof Item?.seq === 'number' ? Item.seq : undefined;
  }
}
