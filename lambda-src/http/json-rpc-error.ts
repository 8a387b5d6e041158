/**
 * HTTP error responses with a JSON-RPC error body. The transport spec lets an HTTP
 * error carry "a JSON-RPC error response that has no id" (2025-11-25
 * basic/transports.mdx, "Security Warning" and "Sending Messages to the Server"), which
 * MCP clients show to their user; the message says what was wrong.
 */
import { JsonRpcErrorCode, jsonRpcErrorResponse as modelJsonRpcErrorResponse } from '../model/json-rpc-error';

/** JSON-RPC error codes (the model's table, under the name this layer's files use). */
export const JsonRpcCode = JsonRpcErrorCode;

/**
 * An HTTP error with a JSON-RPC error body and no id: the http layer refuses a request
 * before any message of it is read.
 */
export function jsonRpcErrorResponse(
  status: number, code: number, message: string, headers: Record<string, string> = {},
): Response {
  return modelJsonRpcErrorResponse(status, code, message, null, headers);
}

/** A plain JSON error for routes that are not JSON-RPC (unknown paths). */
export function jsonErrorResponse(status: number, error: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error, message }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
