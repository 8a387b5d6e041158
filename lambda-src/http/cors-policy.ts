/**
 * CORS for MCP browser clients (the MCP Inspector, web agents).
 *
 * A browser sends the Streamable HTTP transport's own headers, so a preflight must allow
 * them, and it can read our response headers only if we expose them: the session id
 * and protocol version (2025-era clients need both to continue a session) and
 * `WWW-Authenticate` (OAuth discovery after a 401). Only origins the OriginPolicy
 * allowed ever get CORS headers; everything else was answered 403 before this point.
 *
 * On a deployed Function URL whose CORS is configured, AWS answers preflights itself and
 * adds these headers; the handler's answers matter for the local server and for URLs
 * without CORS configuration.
 */

export const CORS_ALLOW_METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'] as const;

export const CORS_ALLOW_HEADERS = [
  'Content-Type',
  'Accept',
  'Authorization',
  'Mcp-Session-Id',
  'MCP-Protocol-Version',
  'Last-Event-ID',
  'Mcp-Method',
  'Mcp-Name',
] as const;

export const CORS_EXPOSE_HEADERS = ['Mcp-Session-Id', 'MCP-Protocol-Version', 'WWW-Authenticate'] as const;

/** How long a browser may cache a preflight, in seconds. */
const PREFLIGHT_MAX_AGE = '86400';

/** The answer to an `OPTIONS` request from an allowed origin (or from no browser). */
export function preflightResponse(origin: string | undefined, requestedHeaders: string | null): Response {
  const headers = new Headers({ allow: CORS_ALLOW_METHODS.join(', ') });
  if (origin) {
    headers.set('access-control-allow-origin', origin);
    headers.set('access-control-allow-methods', CORS_ALLOW_METHODS.join(', '));
    headers.set('access-control-allow-headers', allowHeaders(requestedHeaders));
    headers.set('access-control-expose-headers', CORS_EXPOSE_HEADERS.join(', '));
    headers.set('access-control-max-age', PREFLIGHT_MAX_AGE);
    headers.set('vary', 'Origin, Access-Control-Request-Headers');
  }
  return new Response(null, { status: 204, headers });
}

/** Adds the CORS response headers for an allowed `origin` (none when there was no Origin). */
export function withCorsHeaders(response: Response, origin: string | undefined): Response {
  if (!origin) return response;
  const extra: Array<[string, string]> = [
    ['access-control-allow-origin', origin],
    ['access-control-expose-headers', CORS_EXPOSE_HEADERS.join(', ')],
  ];
  try {
    for (const [name, value] of extra) response.headers.set(name, value);
    appendVary(response.headers);
    return response;
  } catch {
    // Immutable headers (a Response from fetch): copy them onto a new Response.
    const headers = new Headers(response.headers);
    for (const [name, value] of extra) headers.set(name, value);
    appendVary(headers);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}

/**
 * The fixed list, plus what the browser asked for: the origin is already trusted, and
 * clients such as the Inspector may add headers of their own (custom auth headers).
 */
function allowHeaders(requested: string | null): string {
  const names = new Map<string, string>(CORS_ALLOW_HEADERS.map((h) => [h.toLowerCase(), h]));
  for (const raw of (requested ?? '').split(',')) {
    const name = raw.trim();
    if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && !names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
  }
  return [...names.values()].join(', ');
}

function appendVary(headers: Headers): void {
  const vary = headers.get('vary');
  if (!vary) headers.set('vary', 'Origin');
  else if (!/\borigin\b/i.test(vary)) headers.set('vary', `${vary}, Origin`);
}
