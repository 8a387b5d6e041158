/**
 * Which browser origins (and, for a local server, which Host names) may call us.
 *
 * MCP 2025-11-25 basic/transports.mdx, "Security Warning": servers MUST validate the
 * `Origin` header on all incoming connections to prevent DNS rebinding attacks, and if
 * it is present and invalid MUST respond 403 Forbidden (the body MAY be a JSON-RPC error
 * without an id); when running locally they SHOULD bind only to localhost. A request
 * without `Origin` (every non-browser client) passes; it is authenticated separately.
 *
 * Deployed, a Function URL is reached by its own AWS domain, so `Host` is not checked
 * there. The local server also checks `Host` against loopback names, so a page on a
 * rebinding domain cannot reach 127.0.0.1 even without sending `Origin`.
 */
import { localhostAllowedHostnames, localhostAllowedOrigins, validateHostHeader, validateOriginHeader } from '@modelcontextprotocol/server';

export interface OriginPolicyOptions {
  /** Exact origins (`https://app.example.com`, `http://localhost:6274`). */
  readonly allowedOrigins: readonly string[];
  /** Also allow any loopback origin (`localhost`, `127.0.0.1`, `[::1]`, any port): local server only. */
  readonly allowLoopbackOrigins?: boolean;
  /** When set, `Host` must name one of these hostnames (port-agnostic): local server only. */
  readonly allowedHostnames?: readonly string[];
}

export type PolicyResult = { readonly ok: true; readonly origin?: string } | { readonly ok: false; readonly message: string };

export class OriginPolicy {
  /** The policy of the local dev server: loopback origins and Host names only (plus extras). */
  static local(extraOrigins: readonly string[] = [], extraHostnames: readonly string[] = []): OriginPolicy {
    return new OriginPolicy({
      allowedOrigins: extraOrigins,
      allowLoopbackOrigins: true,
      allowedHostnames: [...localhostAllowedHostnames(), ...extraHostnames],
    });
  }

  private readonly origins: ReadonlySet<string>;

  constructor(private readonly options: OriginPolicyOptions) {
    this.origins = new Set(options.allowedOrigins.map(normalizeConfiguredOrigin));
  }

  /** Checks the `Origin` header; `origin` in the result is the allowed origin to echo in CORS. */
  checkOrigin(originHeader: string | null): PolicyResult {
    if (originHeader === null || originHeader === '') return { ok: true };
    let origin: string;
    try {
      const url = new URL(originHeader);
      // `null` (opaque origins) and non-URL values fail here or below: deny on doubt.
      if (url.origin === 'null') throw new Error('opaque');
      origin = url.origin;
    } catch {
      return { ok: false, message: `Origin '${originHeader}' is not a valid origin` };
    }
    if (this.origins.has(origin)) return { ok: true, origin };
    if (this.options.allowLoopbackOrigins && validateOriginHeader(originHeader, localhostAllowedOrigins()).ok) {
      return { ok: true, origin };
    }
    return { ok: false, message: `Origin '${origin}' is not allowed to call this MCP server` };
  }

  /** Checks the `Host` header when the policy names allowed hostnames. */
  checkHost(hostHeader: string | null): PolicyResult {
    if (!this.options.allowedHostnames) return { ok: true };
    const result = validateHostHeader(hostHeader, [...this.options.allowedHostnames]);
    return result.ok ? { ok: true } : { ok: false, message: `${result.message}: this local MCP server answers only to loopback host names` };
  }
}

function normalizeConfiguredOrigin(value: string): string {
  try {
    const origin = new URL(value).origin;
    if (origin === 'null') throw new Error('opaque');
    return origin;
  } catch {
    throw new Error(`allowed origin '${value}' is not an origin like 'https://app.example.com'`);
  }
}
