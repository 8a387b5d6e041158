/**
 * The SNS message contract (docs/events.md, "The SNS message"):
 *
 * - body (`Message`): the notification's params as JSON. For `notifications/message`
 *   a body that is not a JSON object with `level` and `data` is wrapped as
 *   `{ level: 'info', data: <the parsed JSON, or the text> }`.
 * - message attribute `method` (String): the notification method, default
 *   `notifications/message`; one of SNS_METHODS.
 * - message attribute `sessionId` (String): deliver to that 2025-era session's streams
 *   only; absent: every open stream (broadcast).
 * - message attribute `uri` (String): the resource of `notifications/resources/updated`
 *   (or `uri` in the body).
 *
 * A message that breaks the contract is refused with a reason, never thrown: the
 * caller logs it and goes on (a retry would fail the same way).
 */
import { isLogLevel, LOG_LEVELS } from '../model/log-levels';
import type { EventInput } from '../store/event-log';

/** The notifications an SNS message may carry: those a server sends unprompted. */
export const SNS_METHODS = [
  'notifications/message',
  'notifications/resources/updated',
  'notifications/resources/list_changed',
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
] as const;

export const DEFAULT_SNS_METHOD = 'notifications/message';

/** SNS's own limit on a message, body and attributes together (256 KiB). */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;

/** The part of a Lambda SNS event record we read. */
export interface SnsRecordLike {
  readonly EventSource?: string;
  readonly Sns?: {
    readonly MessageId?: string;
    readonly Message?: string;
    readonly Timestamp?: string;
    readonly TopicArn?: string;
    readonly MessageAttributes?: Record<string, { readonly Type?: string; readonly Value?: string } | undefined>;
  };
}

export type SnsParse = { readonly ok: true; readonly event: EventInput } | { readonly ok: false; readonly reason: string };

function attribute(record: SnsRecordLike, name: string): string | undefined | { error: string } {
  const attr = record.Sns?.MessageAttributes?.[name];
  if (attr === undefined) return undefined;
  if (attr.Type !== 'String' || typeof attr.Value !== 'string') {
    return { error: `message attribute '${name}' must be of type String, got ${JSON.stringify(attr.Type)}` };
  }
  return attr.Value;
}

function isVisibleAscii(id: string): boolean {
  if (id.length === 0 || id.length > 256) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The event an SNS record asks for, or why it is refused. */
export function parseSnsRecord(record: SnsRecordLike): SnsParse {
  const sns = record.Sns;
  if (!sns || typeof sns.Message !== 'string') return { ok: false, reason: 'the record has no Sns.Message' };
  if (typeof sns.MessageId !== 'string' || sns.MessageId.length === 0 || sns.MessageId.length > 200) {
    return { ok: false, reason: 'the record has no usable Sns.MessageId' };
  }
  if (Buffer.byteLength(sns.Message, 'utf8') > SNS_MAX_MESSAGE_BYTES) {
    return { ok: false, reason: `the message is over SNS's ${SNS_MAX_MESSAGE_BYTES}-byte limit` };
  }
  const method = attribute(record, 'method') ?? DEFAULT_SNS_METHOD;
  if (typeof method !== 'string') return { ok: false, reason: method.error };
  if (!(SNS_METHODS as readonly string[]).includes(method)) {
    return { ok: false, reason: `message attribute 'method' is ${JSON.stringify(method)}; it must be one of ${SNS_METHODS.join(', ')}` };
  }
  const sessionId = attribute(record, 'sessionId');
  if (typeof sessionId === 'object') return { ok: false, reason: sessionId.error };
  if (sessionId !== undefined && !isVisibleAscii(sessionId)) {
    return { ok: false, reason: "message attribute 'sessionId' must be 1 to 256 visible ASCII characters" };
  }
  const uriAttr = attribute(record, 'uri');
  if (typeof uriAttr === 'object') return { ok: false, reason: uriAttr.error };

  let parsed: unknown;
  let isJson = true;
  try {
    parsed = sns.Message.trim() === '' ? {} : JSON.parse(sns.Message);
  } catch {
    isJson = false;
    parsed = sns.Message;
  }

  let params: Record<string, unknown>;
  if (method === 'notifications/message') {
    params = isJson && isPlainObject(parsed) && typeof parsed.level === 'string' && 'data' in parsed
      ? parsed
      : { level: 'info', data: parsed };
    if (!isLogLevel(params.level)) {
      return { ok: false, reason: `level ${JSON.stringify(params.level)} is not a logging level (${LOG_LEVELS.join(', ')})` };
    }
  } else {
    if (!isJson || !isPlainObject(parsed)) {
      return { ok: false, reason: `the body of a ${method} message must be a JSON object (the notification's params) or empty` };
    }
    params = parsed;
  }

  if (method === 'notifications/resources/updated') {
    const uri = uriAttr ?? params.uri;
    if (typeof uri !== 'string' || uri.length === 0) {
      return { ok: false, reason: "notifications/resources/updated needs the resource URI in message attribute 'uri' (or 'uri' in the body)" };
    }
    params = { ...params, uri };
  }
  return {
    ok: true,
    event: {
      method,
      params,
      ...(sessionId !== undefined ? { sessionId } : {}),
      // SNS redelivers a message with the same MessageId (and Timestamp); the id alone is the key.
      dedupKey: sns.MessageId,
    },
  };
}
