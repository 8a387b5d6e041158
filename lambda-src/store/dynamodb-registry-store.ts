/**
 * RegistryStore on DynamoDB. All items share the partition `REGISTRY`, so `list()` is
 * one Query (paginated), never a Scan; a registry is at most a few thousand items, far
 * below a partition's limits. Items are stored as in registry-record.ts.
 *
 * `order` comes from an atomic counter (`REGISTRY_META`/`ORDER`, UpdateItem ADD): it
 * is strictly increasing across every execution environment and deploy, whatever the
 * clocks say, at the cost of one extra write per created item (not per replace). A
 * time-based order would tie or invert under clock skew between environments, and
 * "listed in the order they were registered" is a promise to users.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, oldNumber, oldString } from './conditional-check';
import {
  bodyOf, byOrder, fromRegistryRecord, isStorableSortKey, registrySortKey, sortKeyOf, toRegistryRecord,
} from './registry-record';
import { RegistryConflictError, type RegistryStore } from './registry-store';
import { assertExpectedVersion, describeVersionConflict, UPSERT_ATTEMPTS } from './registry-versioning';
import { REGISTRY_ORDER_KEY, REGISTRY_PK, registryItemKey } from './table-schema';
import type { RegistryItem, RegistryItemType, StoredRegistryItem } from '../model/registry-item';

export interface DynamoDbRegistryStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * Items per Query page (`Limit`). DynamoDB also ends a page at 1 MB; tests set a
   * small value to exercise pagination.
   * @default - no limit: pages of up to 1 MB
   */
  readonly pageSize?: number;
  /**
   * Strongly consistent reads: an administrator who registers an item and lists at
   * once sees it. The handler's cached snapshot (RegistrySource), already stale by up
   * to its cache period, may pass false: half the read cost, and twice the cold
   * starts per second one registry partition can serve (docs/storage.md).
   * @default true
   */
  readonly consistentReads?: boolean;
}

export class DynamoDbRegistryStore implements RegistryStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly pageSize?: number;
  private readonly consistentReads: boolean;

  constructor(options: DynamoDbRegistryStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.pageSize = options.pageSize;
    this.consistentReads = options.consistentReads ?? true;
  }

  async list(): Promise<StoredRegistryItem[]> {
    const records: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': REGISTRY_PK },
        ConsistentRead: this.consistentReads,
        Limit: this.pageSize,
        ExclusiveStartKey: startKey,
      }));
      records.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records.sort(byOrder).map(fromRegistryRecord);
  }

  async get(type: RegistryItemType, id: string): Promise<StoredRegistryItem | undefined> {
    const sk = registrySortKey(type, id);
    if (!isStorableSortKey(sk)) return undefined;
    const { Item } = await this.client.send(new GetCommand({
      TableName: this.tableName,
      Key: registryItemKey(sk),
      ConsistentRead: this.consistentReads,
    }));
    return Item ? fromRegistryRecord(Item) : undefined;
  }

  async put(item: RegistryItem, expectedVersion?: number): Promise<StoredRegistryItem> {
    assertExpectedVersion(expectedVersion);
    const sk = sortKeyOf(item);
    const body = bodyOf(item);
    toRegistryRecord(sk, body, 0, 0); // refuses an oversize item before any write
    if (expectedVersion === 0) {
      const created = await this.create(sk, body);
      if (typeof created === 'number') throw new RegistryConflictError(describeVersionConflict(sk, created, 0));
      return created;
    }
    if (expectedVersion !== undefined) {
      // With an expected version, replace throws rather than return undefined.
      return (await this.replace(sk, body, expectedVersion))!;
    }
    // Create or replace: try the common case (replace, one write) first; between the
    // two a concurrent writer may create or delete the item, so go round a few times.
    for (let attempt = 0; attempt < UPSERT_ATTEMPTS; attempt++) {
      const replaced = await this.replace(sk, body, undefined);
      if (replaced) return replaced;
      const created = await this.create(sk, body);
      if (typeof created !== 'number') return created;
    }
    throw new RegistryConflictError(`registry item ${sk} kept changing during the write; try again`);
  }

  async delete(type: RegistryItemType, id: string, expectedVersion?: number): Promise<boolean> {
    assertExpectedVersion(expectedVersion);
    const sk = registrySortKey(type, id);
    if (!isStorableSortKey(sk)) return false;
    try {
      const { Attributes } = await this.client.send(new DeleteCommand({
        TableName: this.tableName,
        Key: registryItemKey(sk),
        ReturnValues: 'ALL_OLD',
        ...(expectedVersion === undefined ? {} : {
          ConditionExpression: 'attribute_not_exists(pk) OR version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      }));
      return Attributes !== undefined;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      throw new RegistryConflictError(describeVersionConflict(sk, oldNumber(err, 'version'), expectedVersion!));
    }
  }

  /**
   * Replaces body and bumps version, keeping `order`; undefined when the item does
   * not exist and no version was expected.
   */
  private async replace(sk: string, body: string, expectedVersion: number | undefined): Promise<StoredRegistryItem | undefined> {
    try {
      const { Attributes } = await this.client.send(new UpdateCommand({
        TableName: this.tableName,
        Key: registryItemKey(sk),
        UpdateExpression: 'SET body = :body ADD version :one',
        ConditionExpression: expectedVersion === undefined
          ? 'attribute_exists(pk)'
          : 'attribute_exists(pk) AND version = :expected',
        ExpressionAttributeValues: {
          ':body': body,
          ':one': 1,
          ...(expectedVersion === undefined ? {} : { ':expected': expectedVersion }),
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return fromRegistryRecord(Attributes!);
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      if (expectedVersion === undefined) return undefined;
      // The SDK retries an UpdateItem whose answer was lost (a dropped connection, a
      // timeout) although DynamoDB may have applied it: the item one version on with
      // exactly our body is that write (or an identical one), not a conflict.
      const version = oldNumber(err, 'version');
      if (version === expectedVersion + 1 && oldString(err, 'body') === body) {
        return fromRegistryRecord({ body, order: oldNumber(err, 'order'), version });
      }
      throw new RegistryConflictError(describeVersionConflict(sk, version, expectedVersion));
    }
  }

  /** Creates the item at version 1 with a fresh order; when it already exists, its version. */
  private async create(sk: string, body: string): Promise<StoredRegistryItem | number> {
    const record = toRegistryRecord(sk, body, await this.nextOrder(), 1);
    try {
      await this.client.send(new PutCommand({
        TableName: this.tableName,
        Item: record,
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return fromRegistryRecord(record);
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      // Our own PutItem, applied but its answer lost and retried by the SDK: the order
      // drawn from the counter for this call alone says so.
      if (oldNumber(err, 'order') === record.order && oldString(err, 'body') === body) return fromRegistryRecord(record);
      return oldNumber(err, 'version') ?? 0;
    }
  }

  /** The next registration order. A value taken by a failed create is skipped: gaps are harmless. */
  private async nextOrder(): Promise<number> {
    const { Attributes } = await this.client.send(new UpdateCommand({
      TableName: this.tableName,
      Key: REGISTRY_ORDER_KEY,
      UpdateExpression: 'ADD #value :one',
      ExpressionAttributeNames: { '#value': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }));
    return Attributes!.value as number;
  }
}
