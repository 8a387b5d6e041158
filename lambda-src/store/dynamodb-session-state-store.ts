/**
 * SessionStateStore on DynamoDB: one conditional UpdateItem on the session's item per
 * tool call that changed state (session-state-store.ts). Why it loses no update under
 * concurrency: every operation names one map entry, DynamoDB applies an
 * UpdateExpression to the item atomically, and `increment` is arithmetic in the
 * expression (`if_not_exists(...) + :by`), not a value computed from an earlier read.
 * Nothing is read first, so there is no version to go stale and nothing to retry.
 *
 * The condition keeps the session alive-only (a write never revives an expired or
 * deleted session) and each incremented entry an integer that stays in the safe range.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, oldNumber } from './conditional-check';
import { encodeStateValue } from './session-state-attribute';
import { SESSION_STATE_ATTRIBUTE, type SessionStateStore, type SessionStateWrite } from './session-state-store';
import { isStorableSessionId, nowEpochSeconds, sessionKey } from './table-schema';
import { isEmptyChanges, type SessionStateChanges } from '../model/session-state-changes';

export interface DynamoDbSessionStateStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

const GONE: SessionStateWrite = { ok: false, reason: 'gone', message: 'the session is unknown, expired or was deleted' };

export class DynamoDbSessionStateStore implements SessionStateStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => number;

  constructor(options: DynamoDbSessionStateStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? Date.now;
  }

  async applySessionState(id: string, changes: SessionStateChanges): Promise<SessionStateWrite> {
    if (!isStorableSessionId(id)) return GONE;
    if (isEmptyChanges(changes)) return { ok: true };
    try {
      return await this.update(id, changes);
    } catch (err) {
      // A nested path needs its map: the first state write of a session creates it
      // (if_not_exists, so a concurrent first write is never clobbered), then retries.
      if (!isMissingMap(err)) throw err;
      const created = await this.createMap(id);
      if (!created.ok) return created;
      return this.update(id, changes);
    }
  }

  private async update(id: string, changes: SessionStateChanges): Promise<SessionStateWrite> {
    const names: Record<string, string> = { '#s': SESSION_STATE_ATTRIBUTE, '#version': 'version', '#expiresAt': 'expiresAt' };
    const values: Record<string, unknown> = { ':one': 1, ':now': this.nowSeconds() };
    const sets: string[] = [];
    const removes: string[] = [];
    const conditions = ['attribute_exists(pk)', '#expiresAt > :now'];
    const incremented: Array<{ key: string; by: number }> = [];
    let n = 0;
    const name = (key: string) => {
      const placeholder = `#k${n++}`;
      names[placeholder] = key;
      return placeholder;
    };
    for (const [key, value] of Object.entries(changes.set ?? {})) {
      const k = name(key);
      values[`:v${k.slice(2)}`] = encodeStateValue(value);
      sets.push(`#s.${k} = :v${k.slice(2)}`);
    }
    for (const [key, by] of Object.entries(changes.increment ?? {})) {
      const k = name(key);
      const i = k.slice(2);
      values[`:by${i}`] = by;
      values[':zero'] = 0;
      values[':typeN'] = 'N';
      values[`:lo${i}`] = by < 0 ? Number.MIN_SAFE_INTEGER - by : Number.MIN_SAFE_INTEGER;
      values[`:hi${i}`] = by > 0 ? Number.MAX_SAFE_INTEGER - by : Number.MAX_SAFE_INTEGER;
      sets.push(`#s.${k} = if_not_exists(#s.${k}, :zero) + :by${i}`);
      conditions.push(`(attribute_not_exists(#s.${k}) OR (attribute_type(#s.${k}, :typeN) AND #s.${k} BETWEEN :lo${i} AND :hi${i}))`);
      incremented.push({ key, by });
    }
    for (const key of changes.remove ?? []) removes.push(`#s.${name(key)}`);

    const expression = [
      sets.length > 0 ? `SET ${sets.join(', ')}` : '',
      removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
      'ADD #version :one',
    ].filter(Boolean).join(' ');
    try {
      await this.client.send(new UpdateCommand({
        TableName: this.tableName,
        Key: sessionKey(id),
        UpdateExpression: expression,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { ok: true };
    } catch (err) {
      if (isItemTooLarge(err)) {
        return { ok: false, reason: 'too_large', message: 'the session would exceed the 400 KB DynamoDB item limit' };
      }
      if (!isConditionalCheckFailed(err)) throw err;
      const expiresAt = oldNumber(err, 'expiresAt');
      if (expiresAt === undefined || expiresAt <= (values[':now'] as number)) return GONE;
      return { ok: false, reason: 'not_integer', message: incrementProblem(err, incremented) };
    }
  }

  private async createMap(id: string): Promise<SessionStateWrite> {
    try {
      await this.client.send(new UpdateCommand({
        TableName: this.tableName,
        Key: sessionKey(id),
        UpdateExpression: 'SET #s = if_not_exists(#s, :empty)',
        ConditionExpression: 'attribute_exists(pk) AND #expiresAt > :now',
        ExpressionAttributeNames: { '#s': SESSION_STATE_ATTRIBUTE, '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':empty': {}, ':now': this.nowSeconds() },
      }));
      return { ok: true };
    } catch (err) {
      if (isConditionalCheckFailed(err)) return GONE;
      throw err;
    }
  }

  private nowSeconds(): number {
    return nowEpochSeconds(this.now());
  }
}

/** Which increment failed its condition, from the item as it was (wire form). */
function incrementProblem(err: unknown, incremented: ReadonlyArray<{ key: string; by: number }>): string {
  const map = (err as { Item?: Record<string, { M?: Record<string, { N?: string; S?: string }> }> }).Item?.[SESSION_STATE_ATTRIBUTE]?.M ?? {};
  for (const { key, by } of incremented) {
    const old = map[key];
    if (old === undefined) continue;
    if (old.N === undefined) return `session state key '${key}' does not hold an integer, so it cannot be incremented`;
    const next = Number(old.N) + by;
    if (!Number.isSafeInteger(next)) return `incrementing session state key '${key}' by ${by} would leave the safe integer range`;
  }
  return 'an increment met a value that is not an integer';
}

function isMissingMap(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | null;
  return e?.name === 'ValidationException' && /document path/i.test(e.message ?? '');
}

function isItemTooLarge(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | null;
  return e?.name === 'ValidationException' && /item size/i.test(e.message ?? '');
}
