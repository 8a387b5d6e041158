/**
 * The MCP endpoint as an OAuth 2.1 resource server (MCP 2025-11-25
 * basic/authorization.mdx; the same rules in 2025-06-18 and 2026-07-28).
 *
 * Every request must carry `Authorization: Bearer <JWT>` ("Token Requirements": on every
 * request, never in the query string). The token is a JWT checked locally with `jose`:
 * - signature against the issuer's JWK Set (jwks-cache.ts), with an allow-list of
 *   asymmetric algorithms: never `none`, never HMAC, so a token "signed" with the
 *   public key as an HMAC secret is refused (RFC 8725 sections 2.1 and 3.1);
 * - `iss` exactly the configured issuer; `exp` required, `nbf` honoured, 30 s of skew;
 * - audience ("Token Handling", RFC 8707 section 2): `aud` must name this server's
 *   canonical URL or a configured audience; Cognito access tokens carry no `aud` and are
 *   bound to an app client by `client_id` instead (profile `cognito`);
 * - scopes: every required scope, from `scope` (RFC 9068) or `scp`.
 *
 * Failures: 401 with `WWW-Authenticate: Bearer resource_metadata=..., scope=...` (plus
 * `error="invalid_token"` when a token was sent), 403 `insufficient_scope`; the JSON-RPC
 * body says what was wrong. The token itself is never logged, put in a message or passed
 * on: the principal holds `sub` and a few non-secret claims.
 *
 * It also answers the discovery routes: Protected Resource Metadata (RFC 9728) and, for
 * 2025-03-26 clients, the authorization server's metadata (authorization-server-metadata.ts).
 */
import type { JWTPayload, JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };
import type { AuthResult, Authenticator } from './authenticator-interface';
import { AUTHORIZATION_SERVER_METADATA_PATH, AuthorizationServerMetadataMirror } from './authorization-server-metadata';
import { bearerErrorResponse, type BearerChallenge } from './bearer-challenge';
import { jose } from './jose-module';
import { JsonRpcCode, jsonRpcErrorResponse } from './json-rpc-error';
import { remoteJwks } from './jwks-cache';
import {
  canonicalResourceUrl, isProtectedResourceMetadataPath, protectedResourceMetadata,
  protectedResourceMetadataResponse, protectedResourceMetadataUrl,
} from './protected-resource-metadata';
import type { OAuthConfig } from '../model/config';
import { namespacedPrincipalKey, type Principal } from '../store/session-store';

/** Allowed difference between our clock and the issuer's, for `exp`, `nbf` and `iat`. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** RFC 6750 section 2.1 `b64token`, after `Bearer `. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export interface OAuthAuthenticatorOptions {
  readonly config: OAuthConfig;
  /** @default '/mcp' */
  readonly mcpPath?: string;
  /** `resource_name` in the metadata (the server's name). */
  readonly resourceName?: string;
  /** @default the JWK Set at `config.jwksUri`, shared by the execution environment */
  readonly keys?: JWTVerifyGetKey;
  /** Used to fetch authorization server metadata. @default global fetch */
  readonly fetch?: typeof fetch;
}

export class OAuthAuthenticator implements Authenticator {
  private readonly config: OAuthConfig;
  private readonly mcpPath: string;
  private readonly keys: JWTVerifyGetKey;
  private readonly scope?: string;
  private readonly asMetadata?: AuthorizationServerMetadataMirror;

  constructor(private readonly options: OAuthAuthenticatorOptions) {
    this.config = options.config;
    this.mcpPath = options.mcpPath ?? '/mcp';
    this.keys = options.keys ?? remoteJwks(options.config.jwksUri);
    this.scope = this.config.requiredScopes.length > 0 ? this.config.requiredScopes.join(' ') : undefined;
    if (this.config.authorizationServers.length === 1) {
      this.asMetadata = new AuthorizationServerMetadataMirror(this.config.authorizationServers[0], options.fetch);
    }
  }

  async serveDiscovery(request: Request, path: string): Promise<Response | undefined> {
    const resource = canonicalResourceUrl(request, this.mcpPath, this.config.resourceUrl);
    const proxyIssuer = this.config.authorizationServerProxy ? new URL(resource).origin : undefined;
    if (isProtectedResourceMetadataPath(path, resource)) {
      const config = proxyIssuer ? { ...this.config, authorizationServers: [proxyIssuer] } : this.config;
      return protectedResourceMetadataResponse(protectedResourceMetadata(resource, config, this.options.resourceName));
    }
    if (path === AUTHORIZATION_SERVER_METADATA_PATH && this.asMetadata) return this.asMetadata.response(proxyIssuer);
    return undefined;
  }

  async authenticate(request: Request): Promise<AuthResult> {
    const resource = canonicalResourceUrl(request, this.mcpPath, this.config.resourceUrl);
    const challenge: BearerChallenge = { resourceMetadata: protectedResourceMetadataUrl(resource), scope: this.scope };
    const unauthorized = (message: string, error?: 'invalid_token'): AuthResult => ({
      ok: false,
      response: bearerErrorResponse(401, { ...challenge, error, errorDescription: error ? message : undefined },
        `Unauthorized: ${message}`),
    });

    if (new URL(request.url).searchParams.has('access_token')) {
      // MCP "Token Requirements": access tokens MUST NOT be in the query string.
      return {
        ok: false,
        response: jsonRpcErrorResponse(400, JsonRpcCode.InvalidRequest,
          'Bad Request: access tokens must not be sent in the query string; send them in the Authorization header'),
      };
    }
    const header = request.headers.get('authorization');
    if (!header) {
      return unauthorized(`this MCP server requires an OAuth access token (Authorization: Bearer <token>); its authorization server is described at ${challenge.resourceMetadata}`);
    }
    const match = BEARER.exec(header);
    if (!match) {
      return /^bearer\b/i.test(header)
        ? unauthorized('the Authorization header does not hold a well-formed bearer token', 'invalid_token')
        : unauthorized('the Authorization header must use the Bearer scheme with an OAuth access token');
    }

    let payload: JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(match[1], this.keys, {
        issuer: this.config.issuer,
        algorithms: [...this.config.algorithms],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      const refusal = describeVerificationError(err, this.config);
      if (refusal === undefined) {
        // The keys could not be fetched: not the client's fault, and it may pass.
        return {
          ok: false,
          response: jsonRpcErrorResponse(503, JsonRpcCode.ServerError,
            'Service Unavailable: the signing keys of the authorization server could not be fetched; try again shortly',
            { 'retry-after': '5' }),
        };
      }
      return unauthorized(refusal, 'invalid_token');
    }

    // jose checks `iat` only against a maximum token age, which this server does not set
    // (`iat` is optional): a token claiming to be issued later than now, beyond the
    // clock tolerance, is refused here (RFC 7519 section 4.1.6: the time it was issued).
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) {
      return unauthorized('the access token was issued in the future (iat)', 'invalid_token');
    }

    const audienceProblem = this.checkAudience(payload, resource);
    if (audienceProblem) return unauthorized(audienceProblem, 'invalid_token');

    const granted = grantedScopes(payload);
    const missing = this.config.requiredScopes.filter((s) => !granted.has(s));
    if (missing.length > 0) {
      const message = `the access token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(' ')}`;
      return {
        ok: false,
        response: bearerErrorResponse(403, { ...challenge, error: 'insufficient_scope', errorDescription: message }, `Forbidden: ${message}`),
      };
    }

    const clientId = typeof payload.client_id === 'string' && payload.client_id !== '' ? payload.client_id : undefined;
    const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
    const id = sub ?? clientId;
    if (!id) return unauthorized('the access token names no subject (sub) or client (client_id)', 'invalid_token');
    const claims: Record<string, unknown> = { iss: payload.iss, scope: [...granted].join(' ') };
    if (clientId) claims.client_id = clientId;
    // A token without `sub` (client credentials) is its client's, and a client is not a
    // user even when its client_id spells a user's sub: the key says which one it is, and
    // under which issuer, so the two never share a session, a task or sealed state.
    const key = sub !== undefined
      ? namespacedPrincipalKey('oauth', 'sub', String(payload.iss), sub)
      : namespacedPrincipalKey('oauth', 'client', String(payload.iss), id);
    const principal: Principal = { kind: 'oauth', id, claims, key };
    return { ok: true, principal };
  }

  /** The reason the token is not meant for this server, or undefined when it is. */
  private checkAudience(payload: JWTPayload, resource: string): string | undefined {
    const accepted = new Set([normalizeAudience(resource), ...this.config.audiences.map(normalizeAudience)]);
    const audiences = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const audienceOk = audiences.some((a) => typeof a === 'string' && accepted.has(normalizeAudience(a)));

    if (this.config.tokenProfile === 'cognito') {
      // Cognito access tokens: `token_use: access`, the app client in `client_id`, no `aud`
      // (an ID token, whose `aud` is the app client, is not an access token).
      if (payload.token_use !== 'access') return 'the token is not an access token (token_use must be access)';
      if (typeof payload.client_id !== 'string' || !this.config.clientIds.includes(payload.client_id)) {
        return 'the access token was issued to an app client this server does not accept';
      }
      if (audiences.length > 0 && !audienceOk) return `the access token's audience is not this server (${resource})`;
      return undefined;
    }
    if (audiences.length === 0) return `the access token has no audience (aud); request it with resource=${resource}`;
    if (!audienceOk) return `the access token was issued for another audience; request it with resource=${resource}`;
    return undefined;
  }
}

/** A client-facing reason for a refused token, or undefined when the failure is ours (keys unavailable). */
function describeVerificationError(err: unknown, config: OAuthConfig): string | undefined {
  if (err instanceof jose.errors.JWTExpired) return 'the access token has expired';
  if (err instanceof jose.errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'nbf': return 'the access token is not valid yet (nbf)';
      case 'iat': return 'the access token was issued in the future (iat)';
      case 'iss': return `the access token was not issued by ${config.issuer}`;
      case 'exp': return 'the access token has no expiry (exp)';
      default: return `the access token's ${err.claim} claim is invalid`;
    }
  }
  if (err instanceof jose.errors.JOSEAlgNotAllowed) return `the access token is signed with an algorithm this server does not accept (accepted: ${config.algorithms.join(', ')})`;
  if (err instanceof jose.errors.JWSSignatureVerificationFailed) return 'the access token signature is invalid';
  if (err instanceof jose.errors.JWKSNoMatchingKey) return 'the access token is signed with a key the issuer does not publish (unknown kid)';
  if (err instanceof jose.errors.JWKSMultipleMatchingKeys) return 'the access token names no key id (kid) and the issuer publishes several keys';
  if (err instanceof jose.errors.JWKSTimeout || err instanceof jose.errors.JWKSInvalid) return undefined;
  // A JWK Set that could not be fetched or read is a plain JOSEError (ERR_JOSE_GENERIC);
  // a network failure is not a JOSEError at all. Every other JOSEError is about the token.
  if (err instanceof jose.errors.JOSEError && err.code !== 'ERR_JOSE_GENERIC') return 'the access token is not a valid signed JWT';
  return undefined;
}

function grantedScopes(payload: JWTPayload): Set<string> {
  const out = new Set<string>();
  if (typeof payload.scope === 'string') for (const s of payload.scope.split(' ')) if (s) out.add(s);
  // `scp` (Okta, Microsoft Entra): an array or a space-separated string.
  const scp = payload.scp;
  if (Array.isArray(scp)) for (const s of scp) if (typeof s === 'string' && s) out.add(s);
  if (typeof scp === 'string') for (const s of scp.split(' ')) if (s) out.add(s);
  return out;
}

/**
 * MCP "Canonical Server URI": accept uppercase scheme and host and an optional trailing
 * slash; other audiences (`api://orders`) compare exactly.
 */
function normalizeAudience(value: string): string {
  if (!/^https?:\/\//i.test(value)) return value;
  try {
    const url = new URL(value);
    const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
    return `${url.protocol}//${url.host}${path}${url.search}`;
  } catch {
    return value;
  }
}
