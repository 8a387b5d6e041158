/**
 * CancellationStore on DynamoDB, in the session table. A marker is a bare item (key,
 * `cancelledAt`, `expiresAt`: under 100 bytes), written unconditionally: writing it
 * twice is harmless. A read is one BatchGetItem of the two markers of a running request,
 * strongly consistent, so each costs one read unit whether it is there or not: two per read.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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
    const requestSk = cancelRequestSortKey(requestId);
    // A key DynamoDB leaves unprocessed (throttling) reads as no marker: the next read sees it.
    const { Responses } = await this.options.client.send(new BatchGetCommand({
      RequestItems: {
        [this.options.tableName]: {
          Keys: [{ pk, sk: requestSk }, { pk, sk: CANCEL_SESSION_SK }],
          // Written a moment ago by another execution environment.
          ConsistentRead: true,
        },
      },
    }));
    const now = nowEpochSeconds(this.now());
    let requestCancelledAt: number | undefined;
    let sessionEnded = false;
    for (const item of Responses?.[this.options.tableName] ?? []) {
      // TTL deletes late: an expired marker is no marker.
      if (typeof item.expiresAt !== 'number' || item.expiresAt <= now) continue;
      if (item.sk === CANCEL_SESSION_SK) sessionEnded = true;
      else if (item.sk === requestSk && typeof item.cancelledAt === 'number') requestCancelledAt = item.cancelledAt;
    }
    return { ...(requestCancelledAt !== undefined ? { requestCancelledAt } : {}), sessionEnded };
  }

  private async put(key: { pk: string; sk: string }, at: number): Promise<void> {
    await this.options.client.send(new PutCommand({
      TableName: this.options.tableName,
      Item: { ...key, cancelledAt: at, expiresAt: nowEpochSeconds(this.now()) + CANCEL_MARKER_TTL_SECONDS },
    }));
  }
}
