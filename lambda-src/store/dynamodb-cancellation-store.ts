/**
 * CancellationStore on DynamoDB, in the session table. A marker is a bare item (key,
 * `cancelledAt`, `expiresAt`: under 100 bytes), written unconditionally: writing it
 * twice is harmless. A read is two GetItems at once, one per marker of a running request,
 * strongly consistent, so each costs one read unit whether the marker is there or not:
 * two per read. (Two GetItems rather than one BatchGetItem: the same read units, and the
 * handler's role needs no action beyond those it has.)
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  CANCEL_MARKER_TTL_SECONDS,
  CANCEL_SESSION_SK,
  type CancellationRead,
  type CancellationStore,
  type CancelledRequestId,
  cancelRequestSortKey,
} from './cancellation-store';
import { isStorableSessionId, nowEpochSeconds, SESSION_PREFIX } from './table-schema';

export interface DynamoDbCancellationStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

export class DynamoDbCancellationStore implements CancellationStore {
  private readonly now: () => number;

  constructor(private readonly options: DynamoDbCancellationStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  async cancelRequest(sessionId: string, requestId: CancelledRequestId, cancelledAt: number): Promise<void> {
    await this.put({ pk: `${SESSION_PREFIX}${sessionId}`, sk: cancelRequestSortKey(requestId) }, cancelledAt);
  }

  async endSession(sessionId: string, endedAt: number): Promise<void> {
    await this.put({ pk: `${SESSION_PREFIX}${sessionId}`, sk: CANCEL_SESSION_SK }, endedAt);
  }

  async read(sessionId: string, requestId: CancelledRequestId): Promise<CancellationRead> {
    if (!isStorableSessionId(sessionId)) return { sessionEnded: false };
    const pk = `${SESSION_PREFIX}${sessionId}`;
    const [request, session] = await Promise.all([this.get(pk, cancelRequestSortKey(requestId)), this.get(pk, CANCEL_SESSION_SK)]);
    return {
      ...(request && typeof request.cancelledAt === 'number' ? { requestCancelledAt: request.cancelledAt } : {}),
      sessionEnded: session !== undefined,
    };
  }

  /** A live marker, or undefined. */
  private async get(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.options.client.send(new GetCommand({
      TableName: this.options.tableName,
      Key: { pk, sk },
      // Written a moment ago by another execution environment.
      ConsistentRead: true,
    }));
    // TTL deletes late: an expired marker is no marker.
    if (!Item || typeof Item.expiresAt !== 'number' || Item.expiresAt <= nowEpochSeconds(this.now())) return undefined;
    return Item;
  }

  private async put(key: { pk: string; sk: string }, at: number): Promise<void> {
    await this.options.client.send(new PutCommand({
      TableName: this.options.tableName,
      Item: { ...key, cancelledAt: at, expiresAt: nowEpochSeconds(this.now()) + CANCEL_MARKER_TTL_SECONDS },
    }));
  }
}
