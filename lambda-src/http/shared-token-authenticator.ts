/**
 * Auth mode `bearer`: one shared token, kept in AWS Secrets Manager
 * (`McpAuth.bearerToken(secret)`), for small teams and scripts.
 *
 * - The token is compared in constant time: both sides are hashed with SHA-256 and the
 *   digests compared with `timingSafeEqual`, so neither the content nor the length of
 *   the expected token leaks through timing; every accepted value is compared, with no
 *   early exit.
 * - Rotation: the accepted values come from a TokenSource that caches them briefly
 *   (secrets-manager-token-source.ts). A token that matches nothing makes the source
 *   re-read the secret once (if its copy is older than a few seconds) before refusing, so
 *   a rotated token works at once on every execution environment, while a stream of bad
 *   tokens cannot turn into a stream of Secrets Manager calls.
 * - The principal is the same for every holder (`{ kind: 'bearer', id: 'shared-token' }`):
 *   a shared token does not say who is calling, so a session is bound to the token
 *   holders as a group. It survives a rotation (the id does not depend on the value).
 *
 * Failures are 401 with `WWW-Authenticate: Bearer realm="mcp"` (RFC 6750 section 3),
 * `error="invalid_token"` when a token was sent. There is no OAuth metadata in this mode.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthResult, Authenticator } from './authenticator-interface';
import { bearerErrorResponse } from './bearer-challenge';
import { JsonRpcCode, jsonRpcErrorResponse } from './json-rpc-error';
import type { Principal } from '../store/session-store';

/** The token values accepted now. */
export interface TokenSource {
  /** The accepted values; `refresh` asks for a fresh read unless the cached one is very recent. */
  tokens(options?: { refresh?: boolean }): Promise<readonly string[]>;
}

export const SHARED_TOKEN_PRINCIPAL: Principal = { kind: 'bearer', id: 'shared-token' };

const REALM = 'mcp';
const BEARER = /^Bearer +(\S+) *$/i;

export class SharedTokenAuthenticator implements Authenticator {
  constructor(private readonly source: TokenSource) {}

  async authenticate(request: Request): Promise<AuthResult> {
    const header = request.headers.get('authorization');
    const match = header ? BEARER.exec(header) : null;
    if (!match) {
      const message = header
        ? 'the Authorization header must be "Bearer <token>"'
        : 'this MCP server requires a bearer token (Authorization: Bearer <token>)';
      return { ok: false, response: bearerErrorResponse(401, { realm: REALM }, `Unauthorized: ${message}`) };
    }
    const presented = digest(match[1]);
    let accepted: readonly string[];
    try {
      accepted = await this.source.tokens();
      if (!matchesAny(presented, accepted)) accepted = await this.source.tokens({ refresh: true });
    } catch {
      return {
        ok: false,
        response: jsonRpcErrorResponse(503, JsonRpcCode.ServerError,
          'Service Unavailable: the server could not read its token secret; try again shortly', { 'retry-after': '5' }),
      };
    }
    if (!matchesAny(presented, accepted)) {
      return {
        ok: false,
        response: bearerErrorResponse(401, { realm: REALM, error: 'invalid_token', errorDescription: 'the bearer token is not valid' },
          'Unauthorized: the bearer token is not valid'),
      };
    }
    return { ok: true, principal: SHARED_TOKEN_PRINCIPAL };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant time in the content of the values; compares against all of them. */
function matchesAny(presented: Buffer, accepted: readonly string[]): boolean {
  let found = false;
  for (const value of accepted) {
    // Non-short-circuiting `|` keeps the work the same whichever value matches.
    found = timingSafeEqual(presented, digest(value)) || found;
  }
  return found;
}
