/**
 * Authorization server metadata at the MCP server's own origin, for clients of the
 * 2025-03-26 protocol.
 *
 * MCP 2025-03-26 basic/authorization.mdx, "Server Metadata Discovery" and "Authorization
 * Base URL": such a client discards the path of the MCP URL and fetches
 * `<origin>/.well-known/oauth-authorization-server` (RFC 8414); on 404 it falls back to
 * `/authorize`, `/token` and `/register` at that origin. It knows nothing of Protected
 * Resource Metadata, which 2025-06-18 introduced. This server is a pure resource
 * server, so it cannot be that authorization server; but when exactly one authorization
 * server is configured, the client's intent is unambiguous, and we answer with that
 * server's own metadata document: its endpoints (authorize, token, register) are then
 * the real ones, and no authorization traffic passes through us. With several
 * authorization servers there is no right answer: 404, as the spec allows.
 *
 * Later clients never come here: they read the Protected Resource Metadata first
 * (2025-06-18 onwards), and 2026-07-28 clients MUST check that a metadata document's
 * `issuer` is the one they built the URL from (authorization-server-discovery.mdx), which
 * this mirrored document would fail; it is for 2025-03-26 clients only.
 *
 * Proxy mode (`authorizationServerProxy`, the default of `McpAuth.cognito()`): some
 * authorization servers publish only OpenID Connect discovery without
 * `code_challenge_methods_supported` (Amazon Cognito, Microsoft Entra ID), and MCP
 * clients MUST refuse such a server (2025-11-25 basic/authorization.mdx, "Authorization
 * Code Protection") although it supports PKCE S256. In this mode the Protected Resource
 * Metadata names this server's origin as the authorization server, and this document is
 * served as that origin's RFC 8414 metadata: the upstream document with `issuer` set to
 * our origin (so the issuer check of RFC 8414 section 3.3 holds for the URL the client
 * built) and `code_challenge_methods_supported: ["S256"]` when absent. Every endpoint
 * (authorize, token, JWKS) stays the upstream's; tokens still carry the upstream `iss`,
 * which is what the handler verifies.
 *
 * The document is fetched from the authorization server with the discovery order of
 * MCP 2025-11-25 "Authorization Server Metadata Discovery" (RFC 8414 path insertion,
 * then OpenID Connect discovery with path insertion and appended; Amazon Cognito
 * publishes only the last), and cached per execution environment.
 */

/** A found document is reused this long; the authorization server's endpoints rarely move. */
const CACHE_MS = 60 * 60_000;
/** A failed lookup is not retried sooner than this (each client retry would otherwise fetch). */
const FAILURE_CACHE_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;

export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server';

/** Where an authorization server's metadata may be, in the order MCP clients try them. */
export function authorizationServerMetadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  if (path === '') {
    return [`${url.origin}/.well-known/oauth-authorization-server`, `${url.origin}/.well-known/openid-configuration`];
  }
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}/.well-known/openid-configuration${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

export class AuthorizationServerMetadataMirror {
  private cached?: { readonly doc: Record<string, unknown>; readonly until: number } | { readonly failed: true; readonly until: number };

  constructor(
    private readonly issuer: string,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The metadata document; with `asIssuer`, presented as the metadata of that issuer
   * (proxy mode, see above).
   */
  async response(asIssuer?: string): Promise<Response> {
    const now = this.now();
    if (!this.cached || this.cached.until <= now) {
      const doc = await this.lookup();
      this.cached = doc === undefined ? { failed: true, until: now + FAILURE_CACHE_MS } : { doc, until: now + CACHE_MS };
    }
    if ('failed' in this.cached) {
      return new Response(JSON.stringify({
        error: 'temporarily_unavailable',
        error_description: `the metadata of the authorization server ${this.issuer} could not be fetched; try again later`,
      }), { status: 502, headers: { 'content-type': 'application/json', 'retry-after': '30' } });
    }
    const doc = asIssuer === undefined ? this.cached.doc : proxied(this.cached.doc, asIssuer);
    return new Response(JSON.stringify(doc), {
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' },
    });
  }

  private async lookup(): Promise<Record<string, unknown> | undefined> {
    for (const url of authorizationServerMetadataUrls(this.issuer)) {
      try {
        const res = await this.fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
        if (!res.ok) continue;
        const doc = await res.json() as Record<string, unknown>;
        // RFC 8414 section 3.3: the document must name the issuer it was fetched for.
        if (typeof doc !== 'object' || doc === null || stripSlash(String(doc.issuer)) !== stripSlash(this.issuer)) continue;
        return doc;
      } catch {
        // try the next well-known location
      }
    }
    return undefined;
  }
}

/**
 * The upstream document as our origin's. `authorization_response_iss_parameter_supported`
 * is dropped: an upstream that sends RFC 9207's `iss` in its redirect would send its own
 * issuer, which a client would compare with ours and refuse; proxy mode is for servers
 * that do not (Cognito does not).
 */
function proxied(doc: Record<string, unknown>, issuer: string): Record<string, unknown> {
  const { authorization_response_iss_parameter_supported: _dropped, ...rest } = doc;
  return {
    ...rest,
    issuer,
    // The upstream supports PKCE (it is configured as an MCP authorization server); it
    // only fails to say so in its OpenID Connect discovery document.
    code_challenge_methods_supported: doc.code_challenge_methods_supported ?? ['S256'],
  };
}

function stripSlash(value: string): string {
  return value.replace(/\/+$/, '');
}
