/**
 * How a SessionRecord is stored: one item, `pk = SESSION#<id>`, `sk = META`
 * (table-schema.ts). Scalars a request may change (`logLevel`, `initialized`,
 * `expiresAt`, `version`) are top-level attributes so an UpdateExpression can set them
 * alone. The objects a client or the http layer supplied (`clientCapabilities`,
 * `clientInfo`, `principal`) are stored as JSON strings: they round-trip exactly, and
 * nothing a client sends (nesting deeper than DynamoDB's 32 levels, numbers outside
 * its range, empty keys) can make the write fail.
 */
import { assertItemFits } from './item-size';
import { decodeSessionState, encodeSessionState } from './session-state-attribute';
import { SESSION_STATE_ATTRIBUTE } from './session-state-store';
import type { SessionRecord } from './session-store';
import { isStorableSessionId, sessionKey } from './table-schema';

export type SessionItem = Record<string, unknown> & {
  readonly pk: string;
  readonly sk: string;
  readonly expiresAt: number;
  readonly version: number;
};

export function toSessionItem(record: SessionRecord): SessionItem {
  if (!isStorableSessionId(record.id)) {
    throw new Error(`session id of ${record.id.length} characters cannot be stored: it must be 1 to 2000 bytes`);
  }
  const item: SessionItem = {
    ...sessionKey(record.id),
    id: record.id,
    protocolVersion: record.protocolVersion,
    clientCapabilities: JSON.stringify(record.clientCapabilities ?? {}),
    clientInfo: JSON.stringify(record.clientInfo ?? {}),
    logLevel: record.logLevel,
    principal: record.principal === undefined ? undefined : JSON.stringify(record.principal),
    initialized: record.initialized,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    version: record.version,
    streamId: record.streamId,
    streamResumeId: record.streamResumeId,
    // A DynamoDB string set (ADD/DELETE update it atomically); a set cannot be empty.
    subscriptions: record.subscriptions?.length ? new Set(record.subscriptions) : undefined,
    // A map, one entry per top-level key (session-state-attribute.ts).
    [SESSION_STATE_ATTRIBUTE]: record.sessionState === undefined ? undefined : encodeSessionState(record.sessionState),
  };
  for (const key of Object.keys(item)) {
    if (item[key] === undefined) delete item[key];
  }
  assertItemFits(`session ${record.id}`, item);
  return item;
}

export function fromSessionItem(item: Record<string, unknown>): SessionRecord {
  const record: {
    -readonly [K in keyof SessionRecord]: SessionRecord[K];
  } = {
    id: item.id as string,
    protocolVersion: item.protocolVersion as string,
    clientCapabilities: JSON.parse(item.clientCapabilities as string),
    clientInfo: JSON.parse(item.clientInfo as string),
    createdAt: item.createdAt as number,
    expiresAt: item.expiresAt as number,
    version: item.version as number,
  };
  if (item.logLevel !== undefined) record.logLevel = item.logLevel as string;
  if (item.principal !== undefined) record.principal = JSON.parse(item.principal as string);
  if (item.initialized !== undefined) record.initialized = item.initialized as boolean;
  if (typeof item.streamId === 'string') record.streamId = item.streamId;
  if (typeof item.streamResumeId === 'string') record.streamResumeId = item.streamResumeId;
  if (item[SESSION_STATE_ATTRIBUTE] !== undefined) record.sessionState = decodeSessionState(item[SESSION_STATE_ATTRIBUTE]);
  const subscriptions = item.subscriptions as Iterable<string> | undefined;
  if (subscriptions !== undefined) {
    const uris = [...subscriptions].sort();
    if (uris.length > 0) record.subscriptions = uris;
  }
  return record;
}

/** Whether a stored session is live at `nowSeconds` (TTL deletes late: compare ourselves). */
export function isLive(item: { expiresAt?: unknown } | undefined, nowSeconds: number): boolean {
  return item !== undefined && typeof item.expiresAt === 'number' && item.expiresAt > nowSeconds;
}
