/**
 * SessionStore on DynamoDB: one item per session (session-item.ts), every operation a
 * single request. Writes are conditional, so a request on one execution environment
 * never overwrites what another wrote meanwhile, and never revives an expired session.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, isSameItem, oldNumber, oldString } from './conditional-check';
import { DynamoDbSessionStateStore } from './dynamodb-session-state-store';
import { fromSessionItem, isLive, toSessionItem } from './session-item';
import type { SessionStateWrite } from './session-state-store';
import {
  MAX_SUBSCRIPTIONS, SessionConflictError, SubscriptionLimitError, type SessionPatch, type SessionRecord, type SessionStore,
  type StreamResumeMove,
} from './session-store';
import { isStorableSessionId, nowEpochSeconds, sessionKey } from './table-schema';
import type { SessionStateChanges } from '../model/session-state-changes';

export interface DynamoDbSessionStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Epoch milliseconds; injectable for tests. @default Date.now */
  readonly now?: () => number;
}

export class DynamoDbSessionStore implements SessionStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => number;
  private readonly state: DynamoDbSessionStateStore;

  constructor(options: DynamoDbSessionStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? Date.now;
    this.state = new DynamoDbSessionStateStore(options);
  }

  /** One conditional UpdateItem on the session's item (dynamodb-session-state-store.ts). */
  applySessionState(id: string, changes: SessionStateChanges): Promise<SessionStateWrite> {
    return this.state.applySessionState(id, changes);
  }

  async create(record: SessionRecord): Promise<void> {
    const item = toSessionItem(record);
    try {
      await this.client.send(new PutCommand({
        TableName: this.tableName,
        Item: item,
        // A live session with this id is never replaced. An expired one that TTL has
        // not yet deleted reads as absent, so it may be: the store then behaves as if
        // TTL had already run.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
        ExpressionAttributeValues: { ':now': nowEpochSeconds(this.now()) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
    } catch (err) {
      if (isConditionalCheckFailed(err)) {
        // The SDK retries a PutItem whose answer was lost (a dropped connection, a
        // timeout) although DynamoDB may have applied it; the retry then fails on our
        // own item. Every attribute as this call wrote it: this call's write.
        if (isSameItem(err, item)) return;
        throw new SessionConflictError(`session ${record.id} already exists`);
      }
      throw err;
    }
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    if (!isStorableSessionId(id)) return undefined;
    const { Item } = await this.client.send(new GetCommand({
      TableName: this.tableName,
      Key: sessionKey(id),
      // A session is created by one execution environment and used at once by
      // another (the client's next POST): an eventually consistent read could miss it
      // and answer 404. Strong consistency costs 1 RRU instead of 0.5.
      ConsistentRead: true,
    }));
    if (!isLive(Item, nowEpochSeconds(this.now()))) return undefined;
    return fromSessionItem(Item!);
  }

  async update(id: string, patch: SessionPatch, expectedVersion?: number): Promise<SessionRecord | undefined> {
    if (!isStorableSessionId(id)) return undefined;
    const names: Record<string, string> = { '#version': 'version', '#expiresAt': 'expiresAt' };
    const values: Record<string, unknown> = { ':one': 1, ':now': nowEpochSeconds(this.now()) };
    const sets: string[] = [];
    for (const field of ['logLevel', 'initialized', 'expiresAt', 'streamId'] as const) {
      if (patch[field] === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = patch[field];
      sets.push(`#${field} = :${field}`);
    }
    let condition = 'attribute_exists(pk) AND #expiresAt > :now';
    if (expectedVersion !== undefined) {
      values[':expected'] = expectedVersion;
      condition += ' AND #version = :expected';
    }
    try {
      const { Attributes } = await this.client.send(new UpdateCommand({
        TableName: this.tableName,
        Key: sessionKey(id),
        UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}ADD #version :one`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
        // On a failed condition DynamoDB returns the item as it was, so one request
        // tells "gone" (undefined) from "stale version" (conflict).
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return fromSessionItem(Attributes!);
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const expiresAt = oldNumber(err, 'expiresAt');
      if (expiresAt === undefined || expiresAt <= (values[':now'] as number)) return undefined;
      throw new SessionConflictError(
        `session ${id} is at version ${oldNumber(err, 'version')}, not ${expectedVersion}: it changed meanwhile`,
      );
    }
  }

  async delete(id: string): Promise<boolean> {
    if (!isStorableSessionId(id)) return false;
    // Unconditional, returning the old item: one request deletes a live or an expired
    // session (so TTL need not catch up) and tells which it was. A condition would
    // cost the same WCU and say no more.
    const { Attributes } = await this.client.send(new DeleteCommand({
      TableName: this.tableName,
      Key: sessionKey(id),
      ReturnValues: 'ALL_OLD',
    }));
    return isLive(Attributes, nowEpochSeconds(this.now()));
  }

  async addSubscription(id: string, uri: string): Promise<boolean> {
    if (!isStorableSessionId(id)) return false;
    try {
      // ADD on a string set is atomic: concurrent subscribes on two environments both stay.
      await this.client.send(new UpdateCommand({
        TableName: this.tableName,
        Key: sessionKey(id),
        UpdateExpression: 'ADD #subs :uri, #version :one',
        ConditionExpression: 'attribute_exists(pk) AND #expiresAt > :now AND '
          + '(attribute_not_exists(#subs) OR size(#subs) < :max OR contains(#subs, :uriString))',
        ExpressionAttributeNames: { '#subs': 'subscriptions', '#version': 'version', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: {
          ':uri': new Set([uri]), ':uriString': uri, ':one': 1, ':now': nowEpochSeconds(this.now()), ':max': MAX_SUBSCRIPTIONS,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return true;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const expiresAt = oldNumber(err, 'expiresAt');
      if (expiresAt === undefined || expiresAt <= nowEpochSeconds(this.now())) return false;
      throw new SubscriptionLimitError(MAX_SUBSCRIPTIONS);
    }
  }

  async moveStreamResume(id: string, from: string | undefined, to: string, expiresAt?: number): Promise<StreamResumeMove> {
    if (!isStorableSessionId(id)) return 'gone';
    const now = nowEpochSeconds(this.now());
    const names: Record<string, string> = { '#resume': 'streamResumeId', '#version': 'version', '#expiresAt': 'expiresAt' };
    const values: Record<string, unknown> = { ':to': to, ':one': 1, ':now': now };
    let set = '#resume = :to';
    if (expiresAt !== undefined) {
      values[':expiresAt'] = expiresAt;
      set += ', #expiresAt = :expiresAt';
    }
    let condition = 'attribute_exists(pk) AND #expiresAt > :now AND ';
    if (from === undefined) {
      condition += 'attribute_not_exists(#resume)';
    } else {
      values[':from'] = from;
      condition += '#resume = :from';
    }
    try {
      await this.client.send(new UpdateCommand({
        TableName: this.tableName,
        Key: sessionKey(id),
        UpdateExpression: `SET ${set} ADD #version :one`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        // One request tells "gone" from "moved by another GET".
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return 'moved';
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const old = oldNumber(err, 'expiresAt');
      if (old === undefined || old <= now) return 'gone';
      // The SDK retries an UpdateItem whose answer was lost although DynamoDB may have
      // applied it; `to` is unique to the calling GET, so finding it is finding our own write.
      return oldString(err, 'streamResumeId') === to ? 'moved' : 'raced';
    }
  }

  async removeSubscription(id: string, uri: string): Promise<boolean> {
    if (!isStorableSessionId(id)) return false;
    try {
      await this.client.send(new UpdateCommand({
        TableName: this.tableName,
        Key: sessionKey(id),
        UpdateExpression: 'DELETE #subs :uri ADD #version :one',
        ConditionExpression: 'attribute_exists(pk) AND #expiresAt > :now',
        ExpressionAttributeNames: { '#subs': 'subscriptions', '#version': 'version', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':uri': new Set([uri]), ':one': 1, ':now': nowEpochSeconds(this.now()) },
      }));
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }
}
