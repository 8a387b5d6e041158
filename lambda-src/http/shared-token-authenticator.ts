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
 *   re-read the secret before refusing, so a rotated token works at once on every
 *   execution environment. The floor on those reads is per token (a token already
 *   compared with the newest read is refused from it), so wrong tokens cannot spend the
 *   read a new one needs; a bound on reads per interval keeps a flood of distinct bad
 *   tokens from turning into a flood of Secrets Manager calls.
 * - A secret that holds no usable token (empty, or JSON without a non-empty `token`
 *   string) fails closed: every request gets 500 and the log says why. It is never
 *   compared as if its raw text were the token (`{}` would be a guessable one).
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
  /**
   * The accepted values. `refresh` asks for a fresh read, made unless the cached one is
   * very recent; `presented` (the SHA-256 of the token to be compared, hex) lets the
   * source apply that floor per token.
   */
  tokens(options?: { refresh?: boolean; presented?: string }): Promise<readonly string[]>;
}

/** The secret holds no usable token: a misconfiguration, not a passing failure. */
export class TokenSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenSecretError';
  }
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
    // The digest, never the token, lets the source remember which read a token was compared with.
    const presentedHex = presented.toString('hex');
    let accepted: readonly string[];
    try {
      accepted = await this.source.tokens({ presented: presentedHex });
      if (!matchesAny(presented, accepted)) accepted = await this.source.tokens({ refresh: true, presented: presentedHex });
    } catch (err) {
      // Fails closed: thrown on, the http app answers 500 and logs the reason.
      if (err instanceof TokenSecretError) throw err;
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
