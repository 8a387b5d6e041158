/**
 * Server-to-client requests waiting for the client's answer (2025-era sampling and
 * elicitation; docs/endpoint.md, "The MCP endpoint"). The server sends the request on a POST's
 * SSE stream from one execution environment; the client answers with a new POST that
 * may land on any other. So the answer cannot travel in memory: the answering POST
 * writes it here, and the invocation that asked reads it (s2c/server-request-relay.ts).
 *
 * Stored under the session (`pk = SESSION#<sessionId>`, `sk = REQUEST#<wireId>`,
 * table-schema.ts reserves the row), so an answer is only ever taken from a POST that
 * passed the session's principal check, and TTL removes abandoned ones.
 */

/** The client's answer: the JSON-RPC response without `jsonrpc` and `id`. */
export type ClientAnswer =
  | { readonly result: Record<string, unknown> }
  | { readonly error: { readonly code: number; readonly message: string; readonly data?: unknown } };

/** What a read finds: still waiting, the answer, or nothing (never opened, expired, or closed). */
export type PendingRead =
  | { readonly state: 'waiting' }
  | { readonly state: 'answered'; readonly answer: ClientAnswer }
  | { readonly state: 'gone' };

export interface PendingRequestStore {
  /**
   * Records that the server sent request `wireId` in the session and waits for its
   * answer until `expiresAt` (epoch seconds). Must complete before the request is
   * written to the client, so that an answer can never arrive before its record.
   */
  open(sessionId: string, wireId: string, expiresAt: number): Promise<void>;
  /**
   * Stores the client's answer to an open, unanswered, unexpired request. Returns
   * false when there is none (unknown id, already answered, expired): the caller
   * ignores such a response, as the spec lets a receiver do.
   */
  answer(sessionId: string, wireId: string, answer: ClientAnswer): Promise<boolean>;
  /** Where the request stands. Strongly consistent: the answer was written by another environment. */
  read(sessionId: string, wireId: string): Promise<PendingRead>;
  /** Forgets the request (answered and delivered, or abandoned). */
  close(sessionId: string, wireId: string): Promise<void>;
}

/** The sort key of a pending request under its session's partition. */
export function pendingRequestSortKey(wireId: string): string {
  return `REQUEST#${wireId}`;
}

/**
 * Largest answer kept, in bytes of JSON: DynamoDB items hold 400 KB, and a sampling
 * result with an image could exceed that. A larger answer is replaced by a JSON-RPC
 * error that says so, so the waiting tool learns why instead of timing out.
 */
export const MAX_ANSWER_BYTES = 350 * 1024;

/** The answer to store: the client's, or an error when it is too large to keep. */
export function storableAnswer(answer: ClientAnswer): { readonly json: string; readonly answer: ClientAnswer } {
  const json = JSON.stringify(answer);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= MAX_ANSWER_BYTES) return { json, answer };
  const replaced: ClientAnswer = {
    error: { code: -32603, message: `the client's answer is ${bytes} bytes, over the ${MAX_ANSWER_BYTES}-byte limit this server can relay between invocations` },
  };
  return { json: JSON.stringify(replaced), answer: replaced };
}
