/**
 * TaskStore on DynamoDB (item layout: task-item.ts; keys: task-store.ts). Every status
 * change is a conditional UpdateItem on the current status, so the state machine of
 * 2025-11-25 basic/utilities/tasks ("Task Status Lifecycle") holds across execution
 * environments: a cancelled task stays cancelled even when its tool finishes later.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from './conditional-check';
import { MAX_ITEM_BYTES, ItemTooLargeError } from './item-size';
import { nowEpochSeconds } from './table-schema';
import { decodeTaskCursor, encodeTaskCursor, fromTaskItem, toTaskItem } from './task-item';
import {
  type ClaimOutcome, InvalidTaskCursorError, type TaskPage, type TaskPatch, type TaskStore, type TaskUpdateCondition, taskPartitionKey, taskSortKey,
} from './task-store';
import type { TaskRecord, TaskStatus } from '../model/task-record';

export interface DynamoDbTaskStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
}

export class DynamoDbTaskStore implements TaskStore {
  private readonly now: () => number;

  constructor(private readonly options: DynamoDbTaskStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  async create(record: TaskRecord): Promise<void> {
    await this.options.client.send(new PutCommand({
      TableName: this.options.tableName,
      Item: toTaskItem(record),
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  }

  async get(owner: string, taskId: string): Promise<TaskRecord | undefined> {
    const { Item } = await this.options.client.send(new GetCommand({
      TableName: this.options.tableName,
      Key: keyOf(owner, taskId),
      // Written by another environment (the one running the task) a moment ago.
      ConsistentRead: true,
    }));
    if (!Item || typeof Item.expiresAt !== 'number' || Item.expiresAt <= nowEpochSeconds(this.now())) return undefined;
    return fromTaskItem(Item);
  }

  async update(
    owner: string, taskId: string, patch: TaskPatch, from: readonly TaskStatus[], condition: TaskUpdateCondition = {},
  ): Promise<TaskRecord | undefined> {
    const names: Record<string, string> = { '#status': 'status', '#lastUpdatedAt': 'lastUpdatedAt', '#expiresAt': 'expiresAt' };
    const values: Record<string, unknown> = { ':status': patch.status, ':lastUpdatedAt': this.now(), ':now': nowEpochSeconds(this.now()) };
    const sets = ['#status = :status', '#lastUpdatedAt = :lastUpdatedAt'];
    if (patch.statusMessage !== undefined) {
      names['#statusMessage'] = 'statusMessage';
      values[':statusMessage'] = patch.statusMessage;
      sets.push('#statusMessage = :statusMessage');
    }
    if (patch.outcome !== undefined) {
      const outcome = JSON.stringify(patch.outcome);
      // The outcome is the only unbounded part; the rest of the item is a few KB at most.
      if (Buffer.byteLength(outcome, 'utf8') > MAX_ITEM_BYTES - 16 * 1024) {
        throw new ItemTooLargeError(`the outcome of task ${taskId}`, Buffer.byteLength(outcome, 'utf8'), MAX_ITEM_BYTES - 16 * 1024);
      }
      names['#outcome'] = 'outcome';
      values[':outcome'] = outcome;
      sets.push('#outcome = :outcome');
    }
    const removes: string[] = [];
    if (patch.input !== undefined) {
      names['#input'] = 'input';
      if (patch.input === null) {
        removes.push('#input');
      } else {
        values[':input'] = JSON.stringify(patch.input);
        sets.push('#input = :input');
      }
    }
    if (patch.runDeadline !== undefined) {
      names['#runDeadline'] = 'runDeadline';
      values[':runDeadline'] = patch.runDeadline;
      sets.push('#runDeadline = :runDeadline');
    }
    const allowed = from.map((status, i) => {
      values[`:from${i}`] = status;
      return `:from${i}`;
    });
    if (allowed.length === 0) return undefined;
    const conditions = ['attribute_exists(pk)', '#expiresAt > :now', `#status IN (${allowed.join(', ')})`];
    if (condition.input !== undefined) {
      // The round is stored as the JSON string it was read from (task-item.ts), and
      // JSON.stringify of what JSON.parse gave back is that same string: comparing the
      // strings is a compare-and-set on the whole round.
      names['#input'] = 'input';
      values[':expectedInput'] = JSON.stringify(condition.input);
      conditions.push('#input = :expectedInput');
    }
    try {
      const { Attributes } = await this.options.client.send(new UpdateCommand({
        TableName: this.options.tableName,
        Key: keyOf(owner, taskId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }));
      return Attributes ? fromTaskItem(Attributes) : undefined;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return undefined;
      throw err;
    }
  }

  async claim(owner: string, taskId: string): Promise<ClaimOutcome> {
    return this.claimIf(owner, taskId, {
      UpdateExpression: 'SET #startedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND #expiresAt > :nowSeconds AND attribute_not_exists(#startedAt)',
      ExpressionAttributeNames: { '#startedAt': 'startedAt', '#expiresAt': 'expiresAt' },
      ExpressionAttributeValues: { ':now': this.now(), ':nowSeconds': nowEpochSeconds(this.now()) },
    });
  }

  async claimRound(owner: string, taskId: string, round: number): Promise<ClaimOutcome> {
    return this.claimIf(owner, taskId, {
      UpdateExpression: 'SET #claimedRound = :round',
      ConditionExpression: 'attribute_exists(pk) AND #expiresAt > :nowSeconds AND (attribute_not_exists(#claimedRound) OR #claimedRound < :round)',
      ExpressionAttributeNames: { '#claimedRound': 'claimedRound', '#expiresAt': 'expiresAt' },
      ExpressionAttributeValues: { ':round': round, ':nowSeconds': nowEpochSeconds(this.now()) },
    });
  }

  /**
   * One conditional write that claims a task: 'claimed' when the condition held; otherwise
   * the old item (returned with the failed check, so no second read) tells a task that is
   * gone or expired from one somebody else claimed first.
   */
  private async claimIf(owner: string, taskId: string, update: {
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
  }): Promise<ClaimOutcome> {
    try {
      await this.options.client.send(new UpdateCommand({
        TableName: this.options.tableName,
        Key: keyOf(owner, taskId),
        ...update,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return 'claimed';
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const old = (err as { Item?: Record<string, { N?: string }> }).Item;
      const expiresAt = Number(old?.expiresAt?.N);
      if (!old || !(expiresAt > nowEpochSeconds(this.now()))) return 'gone';
      return 'already-claimed';
    }
  }

  async list(owner: string, cursor: string | undefined, limit: number): Promise<TaskPage> {
    const after = cursor === undefined ? undefined : decodeTaskCursor(cursor);
    if (cursor !== undefined && after === undefined) throw new InvalidTaskCursorError();
    const tasks: TaskRecord[] = [];
    let startKey: Record<string, unknown> | undefined = after === undefined ? undefined : keyOf(owner, after);
    const nowSeconds = nowEpochSeconds(this.now());
    // Expired items TTL has not deleted yet are skipped, so a page may need more than one Query.
    while (tasks.length <= limit) {
      const page = await this.options.client.send(new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': taskPartitionKey(owner), ':prefix': 'TASK#' },
        ExclusiveStartKey: startKey,
        Limit: limit + 1,
        ConsistentRead: true,
      }));
      for (const item of page.Items ?? []) {
        if (typeof item.expiresAt === 'number' && item.expiresAt > nowSeconds) tasks.push(fromTaskItem(item));
      }
      startKey = page.LastEvaluatedKey;
      if (!startKey) break;
    }
    const shown = tasks.slice(0, limit);
    return { tasks: shown, ...(tasks.length > limit ? { nextCursor: encodeTaskCursor(shown[shown.length - 1].taskId) } : {}) };
  }
}

function keyOf(owner: string, taskId: string): { pk: string; sk: string } {
  return { pk: taskPartitionKey(owner), sk: taskSortKey(taskId) };
}
