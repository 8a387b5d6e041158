/**
 * PendingRequestStore on DynamoDB: one item per request under the session's
 * partition. `answer` is one conditional UpdateItem (the request must exist, be
 * unexpired and unanswered), so two answers to one id cannot both land and an answer
 * never revives an expired request.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from './conditional-check';
import { type ClientAnswer, type PendingRead, type PendingRequestStore, pendingRequestSortKey, storableAnswer } from './pending-request-store';
import { isStorableSessionId, MAX_SORT_KEY_BYTES, nowEpochSeconds, SESSION_PREFIX } from './table-schema';

export interface DynamoDbPendingRequestStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

export class DynamoDbPendingRequestStore implements PendingRequestStore {
  private readonly now: () => number;

  constructor(private readonly options: DynamoDbPendingRequestStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  async open(sessionId: string, wireId: string, expiresAt: number): Promise<void> {
    await this.options.client.send(new PutCommand({
      TableName: this.options.tableName,
      Item: { ...keyOf(sessionId, wireId), expiresAt, openedAt: this.now() },
    }));
  }

  async answer(sessionId: string, wireId: string, answer: ClientAnswer): Promise<boolean> {
    // A response id a client invents (any JSON-RPC id) that could never be a key is simply unknown.
    if (!isStorableSessionId(sessionId) || Buffer.byteLength(pendingRequestSortKey(wireId), 'utf8') > MAX_SORT_KEY_BYTES) return false;
    try {
      await this.options.client.send(new UpdateCommand({
        TableName: this.options.tableName,
        Key: keyOf(sessionId, wireId),
        UpdateExpression: 'SET #answer = :answer',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#answer) AND #expiresAt > :now',
        ExpressionAttributeNames: { '#answer': 'answer', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':answer': storableAnswer(answer).json, ':now': nowEpochSeconds(this.now()) },
      }));
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  async read(sessionId: string, wireId: string): Promise<PendingRead> {
    const { Item } = await this.options.client.send(new GetCommand({
      TableName: this.options.tableName,
      Key: keyOf(sessionId, wireId),
      // The answer was written by another execution environment a moment ago.
      ConsistentRead: true,
    }));
    if (!Item || typeof Item.expiresAt !== 'number' || Item.expiresAt <= nowEpochSeconds(this.now())) return { state: 'gone' };
    if (typeof Item.answer !== 'string') return { state: 'waiting' };
    return { state: 'answered', answer: JSON.parse(Item.answer) as ClientAnswer };
  }

  async close(sessionId: string, wireId: string): Promise<void> {
    await this.options.client.send(new DeleteCommand({ TableName: this.options.tableName, Key: keyOf(sessionId, wireId) }));
  }
}

function keyOf(sessionId: string, wireId: string): { pk: string; sk: string } {
  return { pk: `${SESSION_PREFIX}${sessionId}`, sk: pendingRequestSortKey(wireId) };
}
