/**
 * The HTTP application behind the one URL: Host/Origin checks, CORS, authentication,
 * the body limit, routing, error containment and the request log, in front of the MCP
 * protocol endpoint. Web-standard `Request` in, `Response` out; the same object serves
 * the Lambda entry and, through it, the local server.
 *
 * Order of checks, and why:
 * 1. Host (local server only) and Origin, on every path: MCP 2025-11-25
 *    basic/transports.mdx "Security Warning" requires Origin validation on all incoming
 *    connections with 403 for a present, invalid Origin. Nothing else runs for a
 *    rebinding page.
 * 2. Routing: the auth mode's discovery documents under `/.well-known/` (OAuth: RFC 9728
 *    Protected Resource Metadata, unauthenticated by definition); `/mcp`; other paths 404; methods other than GET/POST/DELETE/OPTIONS
 *    405 with `Allow`; OPTIONS is the CORS preflight (no auth: browsers send no
 *    credentials on a preflight).
 * 3. The body limit (413) before authentication reads anything expensive.
 * 4. Authentication, then the protocol endpoint with the principal in the context.
 *
 * Never throws: anything unexpected becomes a generic 500 and an error log line.
 */
import type { HandlerConfig } from '../config';
import { type Authenticator, createAuthenticator } from './authenticator';
import { CORS_ALLOW_METHODS, preflightResponse, withCorsHeaders } from './cors-policy';
import { JsonRpcCode, jsonErrorResponse, jsonRpcErrorResponse } from './json-rpc-error';
import { OriginPolicy } from './origin-policy';
import type { HttpApp, RequestContext } from './request-context';
import { consoleLogSink, formatRequestLog, type LogSink, logTag } from './request-log';
import type { McpEndpoint } from '../protocol/mcp-endpoint';

export const DEFAULT_MCP_PATH = '/mcp';

export interface HttpAppOptions {
  readonly config: Pick<HandlerConfig, 'allowedOrigins' | 'maxBodyBytes' | 'authMode'>
    & Partial<Pick<HandlerConfig, 'oauth' | 'bearer' | 'serverName'>>;
  readonly endpoint: McpEndpoint;
  /** @default createAuthenticator(config.authMode) */
  readonly authenticator?: Authenticator;
  /** @default exact `config.allowedOrigins`, no Host check */
  readonly originPolicy?: OriginPolicy;
  /** @default '/mcp' */
  readonly mcpPath?: string;
  /** @default one JSON line on stdout per request */
  readonly log?: LogSink;
  readonly now?: () => number;
}

const ALLOW = CORS_ALLOW_METHODS.join(', ');
const WELL_KNOWN = '/.well-known/';
const MCP_METHODS = new Set(['GET', 'POST', 'DELETE']);

export function createHttpApp(options: HttpAppOptions): HttpApp {
  const authenticator = options.authenticator ?? createAuthenticator(options.config.authMode, options.config);
  const originPolicy = options.originPolicy ?? new OriginPolicy({ allowedOrigins: options.config.allowedOrigins });
  const mcpPath = options.mcpPath ?? DEFAULT_MCP_PATH;
  const log = options.log ?? consoleLogSink;
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.config.maxBodyBytes;

  async function route(request: Request, ctx: RequestContext, facts: { origin?: string; principalKind?: string }): Promise<Response> {
    const host = originPolicy.checkHost(request.headers.get('host'));
    if (!host.ok) return jsonRpcErrorResponse(403, JsonRpcCode.ServerError, host.message);
    const origin = originPolicy.checkOrigin(request.headers.get('origin'));
    if (!origin.ok) return jsonRpcErrorResponse(403, JsonRpcCode.ServerError, origin.message);
    facts.origin = origin.origin;

    const path = new URL(request.url).pathname;
    if (path.startsWith(WELL_KNOWN) && authenticator.serveDiscovery) {
      const discovery = await serveDiscovery(request, path, origin.origin);
      if (discovery) return discovery;
    }
    if (path !== mcpPath) {
      return jsonErrorResponse(404, 'not_found', `no route for ${request.method} ${path}; the MCP endpoint is ${mcpPath}`);
    }
    if (request.method === 'OPTIONS') {
      return preflightResponse(origin.origin, request.headers.get('access-control-request-headers'));
    }
    if (!MCP_METHODS.has(request.method)) {
      return jsonRpcErrorResponse(405, JsonRpcCode.ServerError,
        `method ${request.method} is not allowed on ${mcpPath}; use POST, GET or DELETE`, { allow: ALLOW });
    }

    const limited = await enforceBodyLimit(request, maxBodyBytes);
    if (limited instanceof Response) return limited;

    const auth = await authenticator.authenticate(limited, ctx.lambdaRequestContext);
    if (!auth.ok) return auth.response;
    facts.principalKind = auth.principal.kind;
    return options.endpoint.handle(limited, { ...ctx, principal: auth.principal });
  }

  /**
   * The auth mode's metadata documents (OAuth: RFC 9728 Protected Resource Metadata,
   * RFC 8414 for 2025-03-26 clients). Public: no authentication. Browser clients (the
   * Inspector) read them cross-origin and send MCP-Protocol-Version, so they are
   * preflighted like the endpoint.
   */
  async function serveDiscovery(request: Request, path: string, origin: string | undefined): Promise<Response | undefined> {
    if (request.method !== 'GET' && request.method !== 'OPTIONS') {
      const known = await authenticator.serveDiscovery!(new Request(request.url), path);
      return known ? jsonErrorResponse(405, 'method_not_allowed', `${path} answers GET only`, { allow: 'GET, OPTIONS' }) : undefined;
    }
    const response = await authenticator.serveDiscovery!(request, path);
    if (response && request.method === 'OPTIONS') {
      return preflightResponse(origin, request.headers.get('access-control-request-headers'));
    }
    return response;
  }

  return {
    async handle(request: Request, ctx: RequestContext): Promise<Response> {
      const started = now();
      const facts: { origin?: string; principalKind?: string } = {};
      let response: Response;
      let error: string | undefined;
      try {
        response = await route(request, ctx, facts);
      } catch (err) {
        error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        response = jsonRpcErrorResponse(500, JsonRpcCode.InternalError, 'internal server error');
      }
      response = withCorsHeaders(response, facts.origin);
      log(formatRequestLog({
        requestId: ctx.requestId,
        method: request.method,
        path: safePath(request.url),
        status: response.status,
        latencyMs: now() - started,
        mcpMethod: request.headers.get('mcp-method') ?? undefined,
        protocolVersion: request.headers.get('mcp-protocol-version') ?? undefined,
        session: sessionTag(request, response),
        principalKind: facts.principalKind,
        origin: facts.origin,
        streamed: response.headers.get('content-type')?.startsWith('text/event-stream') || undefined,
        error,
      }));
      return response;
    },
  };
}

/**
 * 413 for a body over the configured limit; otherwise the request with its body read
 * into memory (a Function URL body is in memory already; the local server's too).
 */
async function enforceBodyLimit(request: Request, maxBodyBytes: number): Promise<Request | Response> {
  const tooLarge = (size: number | string) => jsonRpcErrorResponse(413, JsonRpcCode.ServerError,
    `request body is ${size} bytes; this server accepts at most ${maxBodyBytes} bytes`);
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBodyBytes) return tooLarge(declared);
  if (!request.body) return request;
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxBodyBytes) return tooLarge(bytes.byteLength);
  return new Request(request.url, { method: request.method, headers: request.headers, body: bytes, signal: request.signal });
}

function sessionTag(request: Request, response: Response): string | undefined {
  const id = request.headers.get('mcp-session-id') ?? response.headers.get('mcp-session-id');
  return id ? logTag(id) : undefined;
}

/** The path without the query string: queries may carry tokens. */
function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(unparsable)';
  }
}
