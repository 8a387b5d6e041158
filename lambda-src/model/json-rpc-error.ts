/**
 * HTTP responses that carry a JSON-RPC error, for every layer: every error a client can
 * cause gets the spec's HTTP status and JSON-RPC code with a message that says what was
 * wrong. The transport spec lets an HTTP error carry "a JSON-RPC error response that has
 * no id" (2025-11-25 basic/transports.mdx, "Sending Messages to the Server"), which MCP
 * clients show to their user.
 */

/** JSON-RPC 2.0 and MCP error codes this server answers with. */
export const JsonRpcErrorCode = {
  /** Invalid JSON was received. */
  ParseError: -32700,
  /** The JSON sent is not a valid request object. */
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /**
   * Implementation-defined server error (JSON-RPC reserves -32000..-32099), the code
   * the SDK's own transports use for HTTP-level refusals (406, 413, 415, 405, 400 session).
   */
  ServerError: -32000,
  /** The SDK's "Session not found" code for 404 on an unknown session. */
  SessionNotFound: -32001,
} as const;

export type JsonRpcId = string | number | null;

/**
 * A JSON-RPC error response. Transports (2025-11-25 and 2026-07-28, "Sending Messages"):
 * the body of an HTTP error MAY comprise a JSON-RPC error response that has no `id`,
 * hence `null` unless the request's own id is known and valid.
 */
export function jsonRpcErrorResponse(
  status: number,
  code: number,
  message: string,
  id: JsonRpcId = null,
  headers?: Record<string, string>,
): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** The id of a parsed message when it is a valid JSON-RPC id, for echoing in an error. */
export function echoableId(message: unknown): JsonRpcId {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return null;
  const id = (message as { id?: unknown }).id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}
