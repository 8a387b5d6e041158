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
 * 5. On the way out: CORS headers; a JSON body compressed when the client accepts it
 *    (response-compression.ts); an event stream metered for the stream metrics
 *    (event-stream-meter.ts); one log line and the request metrics (ops/telemetry.ts).
 *
 * Never throws: anything unexpected becomes a generic 500, and its stack goes to the
 * log line only.
 */
import { type Authenticator, createAuthenticator } from './authenticator';
import { CORS_ALLOW_METHODS, preflightResponse, withCorsHeaders } from './cors-policy';
import { meterEventStream } from './event-stream-meter';
import { JsonRpcCode, jsonErrorResponse, jsonRpcErrorResponse } from './json-rpc-error';
import { mcpRequestFacts } from './mcp-request-facts';
import { OriginPolicy } from './origin-policy';
import type { OriginVerifier } from './origin-verifier';
import { keepBody, keptBody, type RequestBody } from './request-body';
import { consoleLogSink, type LogSink } from './request-log';
import { type CompressionOptions, compressResponse } from './response-compression';
import type { HandlerConfig } from '../model/config';
import { loadOnce } from '../model/load-once';
import type { HttpApp, RequestContext } from '../model/request-context';
import { logTag } from '../ops/log-tag';
import { methodLabel, OTHER_LABEL } from '../ops/mcp-method-label';
import { createPowertoolsTelemetry } from '../ops/powertools-telemetry';
import type { Telemetry } from '../ops/telemetry';
import type { McpEndpoint } from '../protocol/mcp-endpoint';

export const DEFAULT_MCP_PATH = '/mcp';

export interface HttpAppOptions {
  readonly config: Pick<HandlerConfig, 'allowedOrigins' | 'maxBodyBytes' | 'authMode'>
    & Partial<Pick<HandlerConfig, 'oauth' | 'bearer' | 'serverName' | 'originVerifySecretArn'>>;
  /** @default from `config.originVerifySecretArn`: none without one */
  readonly originVerifier?: OriginVerifier;
  readonly endpoint: McpEndpoint;
  /** @default createAuthenticator(config.authMode) */
  readonly authenticator?: Authenticator;
  /** @default exact `config.allowedOrigins`, no Host check */
  readonly originPolicy?: OriginPolicy;
  /** @default '/mcp' */
  readonly mcpPath?: string;
  /** Where the default telemetry writes its lines. @default stdout */
  readonly log?: LogSink;
  /**
   * Logs and metrics of each request.
   * @default Powertools Logger and Metrics writing to `log`, `service` = the server
   * name; no metrics in auth mode `local` (the dev server's console is for people)
   */
  readonly telemetry?: Telemetry;
  /** JSON response compression; `false` turns it off. @default 1 KiB threshold */
  readonly compression?: CompressionOptions | false;
  readonly now?: () => number;
}

/** What the request log learns while a request is routed. */
interface RequestFacts {
  origin?: string;
  principalKind?: string;
  principalId?: string;
  mcpMethod?: string;
  tool?: string;
  /** The request reached the MCP endpoint path (others are labelled `other`). */
  mcp?: boolean;
  /** The URL's path, once routing has parsed it. */
  path?: string;
}

const ALLOW = CORS_ALLOW_METHODS.join(', ');
const WELL_KNOWN = '/.well-known/';
const MCP_METHODS = new Set(['GET', 'POST', 'DELETE']);

export function createHttpApp(options: HttpAppOptions): HttpApp {
  const authenticator = options.authenticator ?? createAuthenticator(options.config.authMode, options.config);
  const originPolicy = options.originPolicy ?? new OriginPolicy({ allowedOrigins: options.config.allowedOrigins });
  const mcpPath = options.mcpPath ?? DEFAULT_MCP_PATH;
  const telemetry = options.telemetry ?? createPowertoolsTelemetry({
    serviceName: options.config.serverName ?? 'mcp-lambda-server',
    sink: options.log ?? consoleLogSink,
    metrics: options.config.authMode !== 'local',
  });
  const compression = options.compression;
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.config.maxBodyBytes;
  const originVerifier = options.originVerifier ?? frontDoorVerifier(options.config.originVerifySecretArn);

  async function route(original: Request, ctx: RequestContext, facts: RequestFacts): Promise<Response> {
    // Behind the CloudFront front door, a request that did not come through it is
    // refused before anything else runs (its WAF and auth would be bypassed).
    let request = original;
    if (originVerifier) {
      const verified = await originVerifier.verify(original);
      if (!verified.ok) return verified.response;
      request = verified.request;
    }
    const host = originPolicy.checkHost(request.headers.get('host'));
    if (!host.ok) return jsonRpcErrorResponse(403, JsonRpcCode.ServerError, host.message);
    const origin = originPolicy.checkOrigin(request.headers.get('origin'));
    if (!origin.ok) return jsonRpcErrorResponse(403, JsonRpcCode.ServerError, origin.message);
    facts.origin = origin.origin;

    const path = new URL(request.url).pathname;
    facts.path = path;
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

    facts.mcp = true;
    const limited = await enforceBodyLimit(request, maxBodyBytes);
    if (limited instanceof Response) return limited;
    Object.assign(facts, mcpRequestFacts(limited.request.headers, limited.body));

    const auth = await authenticator.authenticate(limited.request, ctx.lambdaRequestContext);
    if (!auth.ok) return auth.response;
    facts.principalKind = auth.principal.kind;
    facts.principalId = auth.principal.id;
    return options.endpoint.handle(limited.request, { ...ctx, principal: auth.principal });
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
      const facts: RequestFacts = {};
      let response: Response;
      let error: unknown;
      try {
        response = await route(request, ctx, facts);
      } catch (err) {
        error = err;
        response = jsonRpcErrorResponse(500, JsonRpcCode.InternalError, 'internal server error');
      }
      response = withCorsHeaders(response, facts.origin);
      const label = facts.mcp ? methodLabel(facts.mcpMethod ?? (request.method === 'POST' ? undefined : request.method)) : OTHER_LABEL;
      const streamed = response.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
      if (streamed) {
        response = meterEventStream(response, {
          opened: () => telemetry.streamOpened(ctx.requestId, label),
          delivered: (events) => telemetry.eventsDelivered({ requestId: ctx.requestId, methodLabel: label, events }),
          closed: (events, durationMs) => telemetry.streamClosed({ requestId: ctx.requestId, methodLabel: label, events, durationMs }),
        }, { now });
      } else if (compression !== false) {
        try {
          response = await compressResponse(response, request.headers.get('accept-encoding'), compression);
        } catch (err) {
          // The body failed while read for compression: the request fails as a whole.
          error ??= err;
          response = withCorsHeaders(jsonRpcErrorResponse(500, JsonRpcCode.InternalError, 'internal server error'), facts.origin);
        }
      }
      telemetry.request({
        requestId: ctx.requestId,
        method: request.method,
        path: facts.path ?? safePath(request.url),
        status: response.status,
        latencyMs: now() - started,
        mcpMethod: facts.mcpMethod,
        methodLabel: label,
        tool: facts.tool,
        protocolVersion: request.headers.get('mcp-protocol-version') ?? undefined,
        sessionTag: sessionTag(request, response),
        principalKind: facts.principalKind,
        principalId: facts.principalId,
        origin: facts.origin,
        streamed: streamed || undefined,
        contentEncoding: response.headers.get('content-encoding') ?? undefined,
        error,
      });
      return response;
    },
  };
}

/**
 * 413 for a body over the configured limit; otherwise the request and its body in
 * memory, which the request log reads its facts from and the protocol endpoint parses
 * (request-body.ts). A Function URL body is in memory already, kept beside the Request
 * by the entry; another Request's body (the local server's, a test's) is read here and
 * the request rebuilt around the bytes.
 */
async function enforceBodyLimit(request: Request, maxBodyBytes: number): Promise<{ request: Request; body?: RequestBody } | Response> {
  const tooLarge = (size: number | string) => jsonRpcErrorResponse(413, JsonRpcCode.ServerError,
    `request body is ${size} bytes; this server accepts at most ${maxBodyBytes} bytes`);
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBodyBytes) return tooLarge(declared);
  const kept = keptBody(request);
  if (kept) return kept.bytes.byteLength > maxBodyBytes ? tooLarge(kept.bytes.byteLength) : { request, body: kept };
  if (!request.body) return { request };
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxBodyBytes) return tooLarge(bytes.byteLength);
  const rebuilt = new Request(request.url, { method: request.method, headers: request.headers, body: bytes, signal: request.signal });
  return { request: rebuilt, body: keepBody(rebuilt, bytes) };
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

/**
 * The front door's verifier, when the construct put CloudFront in front. Loaded only
 * then: the Secrets Manager client is not worth its load time to other deployments.
 */
function frontDoorVerifier(secretArn: string | undefined): Pick<OriginVerifier, 'verify'> | undefined {
  if (!secretArn) return undefined;
  const verifier = loadOnce(async (): Promise<OriginVerifier> => {
    // Dynamic imports: the bundle keeps the Secrets Manager client in a chunk that
    // deployments without a front door never parse (scripts/bundle.mjs).
    const [{ OriginVerifier: Verifier }, { SecretsManagerTokenSource }] = await Promise.all([
      import('./origin-verifier.js'), import('./secrets-manager-token-source.js'),
    ]);
    // Both stages: CloudFront sends the old value until the next deploy after a rotation.
    return new Verifier(new SecretsManagerTokenSource({ secretId: secretArn, acceptPrevious: true }));
  });
  return { verify: async (request) => (await verifier()).verify(request) };
}
