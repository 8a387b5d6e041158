/**
 * Cancellation markers: how a `notifications/cancelled` or a DELETE reaches a call
 * running in another execution environment (docs/endpoint.md, "Cancellation"). Lambda
 * runs one request per environment at a time, so the POST that cancels is never served
 * where the call runs, and the environments share nothing but the tables. The
 * cancelling request writes a small marker under the session's partition; the running
 * call reads it (protocol/cancellation-watch.ts).
 *
 * Rows (table-schema.ts): `SESSION#<id>` / `CANCEL#R#<digest>`, one per cancelled request,
 * and `SESSION#<id>` / `CANCEL#SESSION`, written when the session is deleted. A marker
 * is written only by a request that passed the session's principal check, under that
 * session's own partition: a client can cancel only its own session's requests.
 */
import { createHash } from 'node:crypto';

/** A JSON-RPC request id: a string or a number (2025-11-25 schema, `RequestId`). */
export type CancelledRequestId = string | number;

/** What one read finds. */
export interface CancellationRead {
  /** When the request was cancelled (epoch ms), if a marker for its id is there. */
  readonly requestCancelledAt?: number;
  /** The session was deleted. */
  readonly sessionEnded: boolean;
}

export interface CancellationStore {
  /** Records that the client cancelled request `requestId` of the session, at `cancelledAt` (epoch ms). */
  cancelRequest(sessionId: string, requestId: CancelledRequestId, cancelledAt: number): Promise<void>;
  /** Records that the session was deleted, at `endedAt` (epoch ms). */
  endSession(sessionId: string, endedAt: number): Promise<void>;
  /** Both markers of a running request, read strongly consistent: they were written by another environment. */
  read(sessionId: string, requestId: CancelledRequestId): Promise<CancellationRead>;
}

export const CANCEL_SK_PREFIX = 'CANCEL#';
/** The marker of a deleted session; cannot collide with a request's (`CANCEL#R#...`). */
export const CANCEL_SESSION_SK = `${CANCEL_SK_PREFIX}SESSION`;

/**
 * How long a marker is kept, in seconds: the longest a Lambda invocation runs (15
 * minutes) and a minute more. After that no call it could stop is still running.
 */
export const CANCEL_MARKER_TTL_SECONDS = 16 * 60;

/**
 * The sort key of a request's marker. A request id is whatever the client chose: any
 * string (of any length, any characters) or number. Its SHA-256 over the id's JSON text
 * gives a key of fixed size (52 bytes) whatever the id, that no character of the id can
 * break, and that tells the string `"1"` from the number `1`, as JSON-RPC does.
 */
export function cancelRequestSortKey(requestId: CancelledRequestId): string {
  const digest = createHash('sha256').update(JSON.stringify(requestId), 'utf8').digest('base64url');
  return `${CANCEL_SK_PREFIX}R#${digest}`;
}

/** Whether a value is a request id a marker can name (what a malformed `notifications/cancelled` is not). */
export function isCancellableRequestId(value: unknown): value is CancelledRequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}
