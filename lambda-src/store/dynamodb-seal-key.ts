/**
 * The HMAC key that seals tools' `requestState` (s2c/request-state-seal.ts), shared by
 * every execution environment through the session table, so a state sealed by one
 * environment opens on another. Created by the first environment that needs it (a
 * conditional put: two racing environments end up with the same key) and read once
 * per environment afterwards. It never expires, so it has no TTL attribute.
 *
 * Why not an environment variable: the construct would have to generate and hold a
 * secret in the template; the table is already private to the function.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from './conditional-check';

/** The key's item in the session table. */
export const SEAL_KEY_ITEM = { pk: 'CONFIG#request-state-seal', sk: 'KEY' } as const;

/** A key source for RequestStateSeal that reads (or creates) the key once and caches it. */
export function dynamoDbSealKey(options: { readonly client: DynamoDBDocumentClient; readonly tableName: string }): () => Promise<Uint8Array> {
  let cached: Promise<Uint8Array> | undefined;
  const load = async (): Promise<Uint8Array> => {
    const read = async () => {
      const { Item } = await options.client.send(new GetCommand({ TableName: options.tableName, Key: SEAL_KEY_ITEM, ConsistentRead: true }));
      return Item;
    };
    const existing = await read();
    if (typeof existing?.key === 'string') return Buffer.from(existing.key, 'base64');
    const key = randomBytes(32);
    try {
      await options.client.send(new PutCommand({
        TableName: options.tableName,
        Item: { ...SEAL_KEY_ITEM, key: key.toString('base64'), createdAt: Date.now() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return key;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const winner = await read();
      if (typeof winner?.key !== 'string') throw new Error('the request-state seal key item exists but holds no key');
      return Buffer.from(winner.key, 'base64');
    }
  };
  return () => {
    // A failed read is not cached: the next request tries again.
    cached ??= load().catch((err) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}

/** A key of this process only: for the single-process dev server and unit tests. */
export function processSealKey(): () => Promise<Uint8Array> {
  const key = randomBytes(32);
  return async () => key;
}
