/**
 * HTTP error responses with a JSON-RPC error body. The transport spec lets an HTTP
 * error carry "a JSON-RPC error response that has no id" (2025-11-25
 * basic/transports.mdx, "Security Warning" and "Sending Messages to the Server"), which
 * MCP clients show to their user; the message says what was wrong.
 */

/** JSON-RPC error codes used at the HTTP edge. */
export const JsonRpcCode = {
  /** Implementation-defined server error; what the SDKs use for transport-level refusals. */
  ServerError: -32000,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InternalError: -32603,
} as const;

export function jsonRpcErrorResponse(
  status: number, code: number, message: string, headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A plain JSON error for routes that are not JSON-RPC (unknown paths). */
export function jsonErrorResponse(status: number, error: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error, message }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
