/**
 * The `WWW-Authenticate: Bearer ...` challenges of a resource server (RFC 6750 section 3)
 * and the error responses that carry them.
 *
 * MCP 2025-11-25 basic/authorization.mdx:
 * - "Protected Resource Metadata Discovery Requirements": a 401 carries
 *   `resource_metadata` (RFC 9728 section 5.1) and SHOULD carry `scope`.
 * - "Token Handling": invalid or expired tokens MUST receive 401.
 * - "Runtime Insufficient Scope Errors": 403 with `error="insufficient_scope"`, `scope`
 *   and `resource_metadata`.
 * RFC 6750 section 3.1: a request without a token gets no `error` code; a token that is
 * expired, revoked, malformed or otherwise invalid gets `error="invalid_token"`.
 */
import { JsonRpcCode, jsonRpcErrorResponse } from './json-rpc-error';

export interface BearerChallenge {
  /** The URL of the Protected Resource Metadata document (OAuth mode only). */
  readonly resourceMetadata?: string;
  /** Space-separated scopes the request needs. */
  readonly scope?: string;
  readonly error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request';
  /** Human-readable; never contains the token. */
  readonly errorDescription?: string;
  /** RFC 7235 realm; used by the shared-token mode, which has no metadata. */
  readonly realm?: string;
}

/** `Bearer k="v", ...` with quoted-string escaping (RFC 7230 section 3.2.6). */
export function formatBearerChallenge(challenge: BearerChallenge): string {
  const params: Array<[string, string | undefined]> = [
    ['realm', challenge.realm],
    ['error', challenge.error],
    ['error_description', challenge.errorDescription],
    ['scope', challenge.scope],
    ['resource_metadata', challenge.resourceMetadata],
  ];
  const parts = params
    .filter((p): p is [string, string] => p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => `${k}="${quote(v)}"`);
  return parts.length > 0 ? `Bearer ${parts.join(', ')}` : 'Bearer';
}

/**
 * 401 (no/invalid token) or 403 (insufficient scope) with the challenge, and a JSON-RPC
 * error body without id that says what was wrong (MCP clients show it to their user).
 */
export function bearerErrorResponse(status: 401 | 403, challenge: BearerChallenge, message: string): Response {
  return jsonRpcErrorResponse(status, JsonRpcCode.ServerError, message, {
    'www-authenticate': formatBearerChallenge(challenge),
  });
}

function quote(value: string): string {
  // error_description is limited to %x20-21 / %x23-5B / %x5D-7E (RFC 6750 section 3);
  // other characters are dropped rather than escaped, so every client can parse it.
  return value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '');
}
