/**
 * The key layout of the two tables, as code. The construct (src/) declares the same
 * tables: string partition key `pk`, string sort key `sk`, on-demand billing, and on
 * `sessionTable` a TTL on `expiresAt` (epoch seconds). The local dev server and the
 * tests create their tables with `createTables`, so what runs locally is what deploys.
 *
 * sessionTable items (sessions were the first; the rest were reserved so that later
 * items never collide with it, and live under the session's partition where they
 * belong to one session so that one Query reads them):
 *
 * | pk                    | sk                        | what                                   |
 * |-----------------------|---------------------------|----------------------------------------|
 * | `SESSION#<id>`        | `META`                    | a 2025-era session (SessionRecord)     |
 * | `SESSION#<id>`        | `REQUEST#<wireId>`        | a client's answer to a server request   |
 * | `SESSION#<id>`        | `CANCEL#R#<digest>`       | a cancelled request (cancellation-store.ts) |
 * | `SESSION#<id>`        | `CANCEL#SESSION`          | the session was deleted (the same)      |
 * | `EVENTS#broadcast`    | `COUNTER#<shard>`         | the last `seq` of a broadcast shard     |
 * | `EVENTS#broadcast#<shard>` | `E#<seq, 16 digits>` | a broadcast event (event-log.ts)        |
 * | `EVENTS#session#<id>` | `E#<seq, 16 digits>`      | an event for one session's streams      |
 * | `EVENTS#session#<id>` | `COUNTER`                 | the last `seq` of that session          |
 * | `SNS#<messageId>`     | `DEDUP`                   | SNS de-duplication (in the append)      |
 * | `TASKS#<owner>`       | `TASK#<taskId>`           | a task (task-store.ts)                  |
 * | `CONFIG#request-state-seal` | `KEY`               | the requestState HMAC key               |
 *
 * registryTable items: one partition, so that listing is one Query.
 *
 * | pk              | sk            | what                                    |
 * |-----------------|---------------|-----------------------------------------|
 * | `REGISTRY`      | `<type>#<id>` | a registry item (registryKey)           |
 * | `REGISTRY_META` | `ORDER`       | the atomic counter behind `order`       |
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../../src/runtime-contract';

/** The key attributes and the TTL attribute, as the construct declares them. */
export { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE };

export const SESSION_PREFIX = 'SESSION#';
export const SESSION_META_SK = 'META';

export const REGISTRY_PK = 'REGISTRY';
export const REGISTRY_META_PK = 'REGISTRY_META';
export const REGISTRY_ORDER_SK = 'ORDER';

/** DynamoDB's limits on key values, in UTF-8 bytes; longer keys fail the whole request. */
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;

export const EVENTS_BROADCAST_PK = 'EVENTS#broadcast';
export const EVENTS_SESSION_PREFIX = 'EVENTS#session#';
export const EVENT_SK_PREFIX = 'E#';
export const EVENT_COUNTER_SK = 'COUNTER';
/** The counters of the broadcast shards: `COUNTER#<shard>`, all in EVENTS_BROADCAST_PK so that one Query reads them. */
export const BROADCAST_COUNTER_SK_PREFIX = 'COUNTER#';
export const DEDUP_PREFIX = 'SNS#';
export const DEDUP_SK = 'DEDUP';

/** The event partition of a session, or of one broadcast shard. */
export function eventPartitionKey(sessionId?: string, shard = 0): string {
  return sessionId === undefined ? `${EVENTS_BROADCAST_PK}#${shard}` : `${EVENTS_SESSION_PREFIX}${sessionId}`;
}

/** The key of the item holding a partition's last seq: the session's `COUNTER`, or a broadcast shard's `COUNTER#<shard>`. */
export function eventCounterKey(sessionId?: string, shard = 0): { pk: string; sk: string } {
  return sessionId === undefined
    ? { pk: EVENTS_BROADCAST_PK, sk: `${BROADCAST_COUNTER_SK_PREFIX}${shard}` }
    : { pk: `${EVENTS_SESSION_PREFIX}${sessionId}`, sk: EVENT_COUNTER_SK };
}

/** An event's sort key: `E#` and the seq zero-padded to 16 digits, so string order is seq order. */
export function eventSortKey(seq: number): string {
  return `${EVENT_SK_PREFIX}${String(seq).padStart(16, '0')}`;
}

/** The seq of an event sort key. */
export function seqOfSortKey(sk: string): number {
  return Number(sk.slice(EVENT_SK_PREFIX.length));
}

/** The key of the item that remembers an SNS message id. */
export function dedupItemKey(dedupKey: string): { pk: string; sk: string } {
  return { pk: `${DEDUP_PREFIX}${dedupKey}`, sk: DEDUP_SK };
}

/** The primary key of a session's item. */
export function sessionKey(id: string): { pk: string; sk: string } {
  return { pk: `${SESSION_PREFIX}${id}`, sk: SESSION_META_SK };
}

/**
 * Whether a session id can be a key at all. An id a client sends that could never
 * have been stored (empty, or over DynamoDB's key limit) reads as an unknown session
 * instead of failing the request with a ValidationException.
 */
export function isStorableSessionId(id: string): boolean {
  return id.length > 0 && Buffer.byteLength(sessionKey(id).pk, 'utf8') <= MAX_PARTITION_KEY_BYTES;
}

/** The primary key of a registry item; `sk` is `registryKey(item)` (`<type>#<id>`). */
export function registryItemKey(sk: string): { pk: string; sk: string } {
  return { pk: REGISTRY_PK, sk };
}

/** The key of the counter item that hands out registration `order`s. */
export const REGISTRY_ORDER_KEY = { pk: REGISTRY_META_PK, sk: REGISTRY_ORDER_SK } as const;

/** Epoch seconds now: what `expiresAt` is compared with. */
export function nowEpochSeconds(nowMs: number = Date.now()): number {
  return Math.floor(nowMs / 1000);
}

export interface TableNames {
  readonly sessionTable: string;
  readonly registryTable: string;
}

/**
 * Creates both tables as the construct declares them (PAY_PER_REQUEST, `pk` S hash,
 * `sk` S range; TTL on `expiresAt` for sessionTable), and waits until they are ACTIVE.
 * A table that already exists is left as it is, so a dev server can restart against
 * a persistent DynamoDB Local. For local use (dev server, tests) only: in AWS the
 * construct owns the tables.
 */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all([
    createTable(client, names.sessionTable, true),
    createTable(client, names.registryTable, false),
  ]);
}

async function createTable(client: DynamoDBClient, tableName: string, withTtl: boolean): Promise<void> {
  try {
    await client.send(new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: SORT_KEY, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
    }));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitForActive(client, tableName);
  if (withTtl) await enableTtl(client, tableName);
}

async function waitForActive(client: DynamoDBClient, tableName: string): Promise<void> {
  // DynamoDB Local creates tables ACTIVE at once; the loop is for a real endpoint.
  for (let attempt = 0; attempt < 120; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`table ${tableName} did not become ACTIVE within 60 seconds`);
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(new UpdateTimeToLiveCommand({
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
  }));
}
