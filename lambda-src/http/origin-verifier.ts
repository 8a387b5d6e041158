/**
 * The handler's half of the CloudFront front door (src/mcp-front-door.ts). Origin
 * access control cannot carry MCP traffic (POST bodies would need the client to send
 * `x-amz-content-sha256`, and OAC's signature replaces a bearer token), so the
 * Function URL stays reachable and CloudFront proves a request passed through it with
 * a secret header, `x-mcp-origin-verify`. A request without the right value came around
 * CloudFront (and its WAF) and is refused before anything else runs.
 *
 * Once verified, the request's URL takes the host the client used
 * (`x-mcp-forwarded-host`, written by the distribution's viewer-request function over
 * any client value), so OAuth metadata and challenges name the front door, not the
 * Function URL.
 *
 * The secret is read from Secrets Manager (AWSCURRENT and AWSPREVIOUS: CloudFront keeps
 * sending the old value until the next deploy after a rotation) and compared in constant
 * time over SHA-256 digests, so neither its content nor its length leaks.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { JsonRpcCode, jsonRpcErrorResponse } from './json-rpc-error';
import type { TokenSource } from './shared-token-authenticator';

export const ORIGIN_VERIFY_HEADER = 'x-mcp-origin-verify';
export const FORWARDED_HOST_HEADER = 'x-mcp-forwarded-host';

/** A host name with an optional port: nothing that could change a URL's meaning. */
const HOST = /^[a-z0-9.-]+(:\d{1,5})?$/i;

export type OriginVerification =
  | { readonly ok: true; readonly request: Request }
  | { readonly ok: false; readonly response: Response };

export class OriginVerifier {
  constructor(private readonly secrets: TokenSource) {}

  async verify(request: Request): Promise<OriginVerification> {
    const presented = request.headers.get(ORIGIN_VERIFY_HEADER);
    if (!presented) return refused();
    let matched: boolean;
    try {
      matched = matches(presented, await this.secrets.tokens())
        // A rotation may have happened since the cached read: look once more.
        || matches(presented, await this.secrets.tokens({ refresh: true }));
    } catch {
      return {
        ok: false,
        response: jsonRpcErrorResponse(503, JsonRpcCode.ServerError,
          'the server cannot verify requests from its front door right now; retry shortly', { 'retry-after': '5' }),
      };
    }
    if (!matched) return refused();
    return { ok: true, request: withForwardedHost(request) };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function matches(presented: string, secrets: readonly string[]): boolean {
  const p = digest(presented);
  let found = false;
  // Every value is compared, so the time taken does not tell which one matched.
  for (const secret of secrets) found = timingSafeEqual(p, digest(secret)) || found;
  return found;
}

function refused(): OriginVerification {
  return {
    ok: false,
    response: jsonRpcErrorResponse(403, JsonRpcCode.ServerError,
      "this MCP server is reached through its CloudFront distribution; use the server's endpointUrl, not the Function URL"),
  };
}

function withForwardedHost(request: Request): Request {
  const host = request.headers.get(FORWARDED_HOST_HEADER);
  if (!host || !HOST.test(host)) return request;
  const url = new URL(request.url);
  if (url.host === host.toLowerCase()) return request;
  url.host = host;
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== null;
  return new Request(url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    ...(hasBody ? { body: request.body, duplex: 'half' } : {}),
  } as RequestInit);
}
