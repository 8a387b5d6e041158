/**
 * The MCP endpoint `/mcp`: one URL for every protocol era (docs/endpoint.md,
 * "The MCP endpoint"). The http layer calls `createMcpEndpoint` once per execution
 * environment and `handle` for every request to `/mcp` that has passed
 * authentication, Origin and CORS checks.
 *
 * - 2026-07-28 traffic (a per-request `_meta` envelope) goes to the SDK's
 *   `createMcpHandler`, strict (`legacy: 'reject'`), created once here.
 * - 2025-era traffic, told apart with the SDK's own `isLegacyRequest`, goes to our
 *   sessionful serving with sessions in the store (legacy-session-endpoint.ts): the
 *   SDK's built-in legacy fallback is stateless and answers GET/DELETE with 405
 *   (ARCHITECTURE.md, "The platform facts that shaped the design").
 *
 * The POST body is read once, here, under the size limit, and handed on parsed.
 * `handle` never throws: a store outage becomes 503 with Retry-After
 * (store-unavailable.ts), anything else unexpected 500, both with JSON-RPC -32603.
 */
import { createMcpHandler, isJsonContentType, isLegacyRequest, readRequestBody } from '@modelcontextprotocol/server';
import { acceptsJsonAndEventStream } from './accept-header';
import { builderDepsOf } from './builder-deps';
import { resolveEndpointOptions, type ResolvedEndpointOptions } from './endpoint-options';
import { withInvalidParamsCorrection } from './invalid-params';
import { JsonRpcErrorCode, jsonRpcErrorResponse } from './json-rpc-error-response';
import { checkBody } from './json-rpc-message';
import { LegacySessionEndpoint } from './legacy-session-endpoint';
import { withListenDeadline } from './listen-stream-deadline';
import { claimsModernEnvelope } from './modern-claim';
import type { ProtocolDeps } from './protocol-deps';
import { MODERN_PROTOCOL_VERSION } from './protocol-versions';
import { buildMcpServer, type ServerBuilderDeps } from './server-builder';
import { serverFeatures, type ServerFeatures } from './server-features';
import { isStoreUnavailable, STORE_RETRY_AFTER_SECONDS } from './store-unavailable';
import { DEFAULT_MAX_STREAM_MS } from '../events/event-config';
import { EventLogBus } from '../events/event-log-bus';
import { keptBody, type RequestBody } from '../http/request-body';
import type { RequestContext } from '../model/request-context';

// In their own file so that the files this one builds on (legacy-session-endpoint.ts,
// builder-deps.ts) can name them without importing this file back.
export type { ProtocolDeps, ProtocolEventDeps } from './protocol-deps';

export interface McpEndpoint {
  handle(request: Request, ctx: RequestContext): Promise<Response>;
}

/** The `_meta` key a 2026-07-28 request names its protocol version under. */
const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';

/** The revision a modern request claims, for the tool contract's `context.protocolVersion`. */
function claimedModernVersion(body: unknown): string {
  const meta = (body as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta;
  const version = meta?.[PROTOCOL_VERSION_META_KEY];
  return typeof version === 'string' ? version : MODERN_PROTOCOL_VERSION;
}

/**
 * Session ids are bearer-like secrets and never logged (whoever holds one may use the session); store errors may
 * name one. Ours are 43 base64url characters.
 */
function withoutSessionIds(text: string): string {
  return text.replace(/[A-Za-z0-9_-]{43}/g, '<session-id>');
}

/** What the SDK's `readRequestBody` answers, for a body already in memory. */
function readKeptBody(request: Request, kept: RequestBody, maxBytes: number): { tooLarge: true } | { tooLarge: false; text: string } {
  if (Number(request.headers.get('content-length')) > maxBytes || kept.bytes.byteLength > maxBytes) return { tooLarge: true };
  return { tooLarge: false, text: kept.text() };
}

interface ModernCall {
  readonly ctx: RequestContext;
  readonly protocolVersion: string;
}

export function createMcpEndpoint(deps: ProtocolDeps): McpEndpoint {
  const options = resolveEndpointOptions(deps.options);
  const builderDeps = builderDepsOf(deps);
  // The factory only receives the Request; this maps it back to our per-request facts.
  const modernCalls = new WeakMap<Request, ModernCall>();
  const endpoint: Endpoint = {
    deps,
    options,
    features: serverFeatures(builderDeps),
    modernCalls,
    modern: modernHandler(deps, options, builderDeps, modernCalls),
    legacy: new LegacySessionEndpoint(deps, options),
  };
  return {
    async handle(request: Request, ctx: RequestContext): Promise<Response> {
      try {
        return await route(endpoint, request, ctx);
      } catch (error) {
        return errorResponse(error, ctx, options);
      }
    },
  };
}

/** What the endpoint's request handling shares, made once per environment. */
interface Endpoint {
  readonly deps: ProtocolDeps;
  readonly options: ResolvedEndpointOptions;
  readonly features: ServerFeatures;
  readonly modernCalls: WeakMap<Request, ModernCall>;
  /** The SDK's `createMcpHandler`, for 2026-07-28 requests. */
  readonly modern: ReturnType<typeof createMcpHandler>;
  /** Our sessionful serving, for 2025-era requests. */
  readonly legacy: LegacySessionEndpoint;
}

/** The SDK's handler of 2026-07-28 requests, strict (`legacy: 'reject'`). */
function modernHandler(
  deps: ProtocolDeps, options: ResolvedEndpointOptions, builderDeps: ServerBuilderDeps, modernCalls: WeakMap<Request, ModernCall>,
): ReturnType<typeof createMcpHandler> {
  const maxBodyBytes = deps.config.maxBodyBytes;
  const buildServer = deps.buildServer ?? buildMcpServer;
  return createMcpHandler(
    async ({ requestInfo }) => {
      const call = requestInfo ? modernCalls.get(requestInfo) : undefined;
      if (!call) throw new Error('2026-07-28 request reached the server factory without its request context');
      const snapshot = await deps.registry.snapshot();
      return withInvalidParamsCorrection(
        buildServer(snapshot, builderDeps, {
          requestId: call.ctx.requestId,
          protocolVersion: call.protocolVersion,
          principal: call.ctx.principal,
          signal: call.ctx.signal,
          deadline: call.ctx.deadline,
        }),
      );
    },
    {
      legacy: 'reject',
      maxRequestBodySize: maxBodyBytes,
      // JSON unless progress or log notifications come before the result.
      responseMode: 'auto',
      keepAliveMs: options.keepAliveMs,
      // Rejected requests are reported here too; they are the client's errors, not ours.
      onerror: (error) => options.log({ level: 'warn', message: 'modern request refused or failed', error: error.message }),
      // subscriptions/listen reads the event log (events/event-log-bus.ts), so events
      // published on any environment reach listeners on every one.
      ...(deps.events
        ? {
          bus: new EventLogBus({
            log: deps.events.log,
            registry: deps.registry,
            pollIntervalMs: deps.events.pollIntervalMs,
            onError: (error) => options.log({ level: 'warn', message: 'event bus poll failed', error: error.message }),
          }),
        }
        : {}),
    },
  );
}

async function route(endpoint: Endpoint, request: Request, ctx: RequestContext): Promise<Response> {
  const { legacy } = endpoint;
  switch (request.method.toUpperCase()) {
    case 'POST':
      return post(endpoint, request, ctx);
    // GET and DELETE are 2025-era session operations; 2026-07-28 has neither
    // (2026-07-28 streamable-http, "Backward Compatibility").
    case 'GET':
      return legacy.get(request, ctx);
    case 'DELETE':
      return legacy.delete(request, ctx);
    default:
      return jsonRpcErrorResponse(405, JsonRpcErrorCode.ServerError, `Method Not Allowed: ${request.method}; the MCP endpoint serves POST, GET and DELETE`, null, {
        allow: 'GET, POST, DELETE',
      });
  }
}

async function post(endpoint: Endpoint, request: Request, ctx: RequestContext): Promise<Response> {
  const { deps, legacy } = endpoint;
  const maxBodyBytes = deps.config.maxBodyBytes;
  const refused = checkPostHeaders(request);
  if (refused) return refused;
  const read = await readJsonRpcBody(request, maxBodyBytes);
  if (read instanceof Response) return read;
  const { body, checked } = read;
  // A message that claims the 2026-07-28 envelope is never legacy (modern-claim.ts):
  // the SDK's classification, which createMcpHandler repeats, is needed only for others.
  if (!claimsModernEnvelope(body) && await isLegacyRequest(request, body, { maxRequestBodySize: maxBodyBytes })) {
    return legacy.post(request, ctx, checked.messages, checked.isBatch);
  }
  // Read (or find cached) here rather than first in the SDK's server factory: a store
  // outage then reaches our handler below (503) instead of the SDK's generic 500.
  await deps.registry.snapshot();
  return postModern(endpoint, request, ctx, body);
}

/** A 2026-07-28 request, through the SDK's handler; `subscriptions/listen` gets its own bound. */
async function postModern(endpoint: Endpoint, request: Request, ctx: RequestContext, body: object): Promise<Response> {
  const { deps, options, features, modernCalls, modern } = endpoint;
  const method = (body as { method?: unknown }).method;
  if (!features.streaming && method === 'subscriptions/listen') {
    // Its answer is a stream that lasts as long as the subscription; a buffered
    // response would hold it until the function's timeout and deliver nothing before.
    return jsonRpcErrorResponse(
      200,
      JsonRpcErrorCode.MethodNotFound,
      'Method not found: subscriptions/listen needs response streaming, and this server returns whole responses (buffered mode); poll the lists instead',
      (body as { id?: string | number }).id ?? null,
    );
  }
  modernCalls.set(request, { ctx, protocolVersion: claimedModernVersion(body) });
  const response = await modern.fetch(request, { parsedBody: body });
  const listen = body as { method?: unknown; id?: unknown };
  if (listen.method === 'subscriptions/listen' && (typeof listen.id === 'string' || typeof listen.id === 'number')) {
    return withListenDeadline(response, {
      subscriptionId: listen.id,
      // A listen has its own bound, far below the function timeout: on Lambda a
      // client's hang-up is never seen, so nothing else would end it.
      deadline: Math.min(ctx.deadline, options.now() + (deps.events?.maxStreamMs ?? DEFAULT_MAX_STREAM_MS) + options.streamEndMarginMs),
      endMarginMs: options.streamEndMarginMs,
      now: options.now,
    });
  }
  return response;
}

/** The POST's Content-Type and Accept headers; a refusal, or undefined when they are right. */
function checkPostHeaders(request: Request): Response | undefined {
  // Transports 2025-11-25 / 2026-07-28, "Sending Messages": the body is JSON. The
  // SDK leaves this check to hand-wired routing like ours (isLegacyRequest docs).
  const contentType = request.headers.get('content-type');
  if (!isJsonContentType(contentType)) {
    return jsonRpcErrorResponse(
      415,
      JsonRpcErrorCode.ServerError,
      `Unsupported Media Type: Content-Type must be application/json, got ${contentType === null ? 'none' : JSON.stringify(contentType)}`,
    );
  }
  if (!acceptsJsonAndEventStream(request.headers.get('accept'))) {
    return jsonRpcErrorResponse(406, JsonRpcErrorCode.ServerError, 'Not Acceptable: the Accept header must list both application/json and text/event-stream');
  }
  return undefined;
}

/** The POST body, read once under the size limit and parsed; or the error response. */
async function readJsonRpcBody(
  request: Request, maxBodyBytes: number,
): Promise<Response | { body: object; checked: Extract<ReturnType<typeof checkBody>, { ok: true }> }> {
  // The body the http layer kept with the request (http/request-body.ts) is decoded
  // and parsed once for the request log and here; any other is read from its stream.
  const kept = keptBody(request);
  const read = kept
    ? readKeptBody(request, kept, maxBodyBytes)
    : await readRequestBody(request, maxBodyBytes);
  if (read.tooLarge) {
    return jsonRpcErrorResponse(413, JsonRpcErrorCode.ServerError, `Payload Too Large: the request body is over the limit of ${maxBodyBytes} bytes`);
  }
  if (read.text.trim().length === 0) {
    return jsonRpcErrorResponse(400, JsonRpcErrorCode.ParseError, 'Parse error: the request body is empty');
  }
  let body: unknown;
  try {
    body = kept ? kept.json() : JSON.parse(read.text);
  } catch (error) {
    return jsonRpcErrorResponse(400, JsonRpcErrorCode.ParseError, `Parse error: the request body is not valid JSON (${(error as Error).message})`);
  }
  if (body === null || typeof body !== 'object') {
    return jsonRpcErrorResponse(
      400,
      JsonRpcErrorCode.InvalidRequest,
      `Invalid Request: the body must be a JSON-RPC message object, got ${body === null ? 'null' : typeof body}`,
    );
  }
  const checked = checkBody(body);
  if (!checked.ok) {
    return jsonRpcErrorResponse(400, JsonRpcErrorCode.InvalidRequest, `Invalid Request: ${checked.problem}`, checked.id);
  }
  return { body, checked };
}

/** The answer to an error thrown while serving a request, so that `handle` never throws. */
function errorResponse(error: unknown, ctx: RequestContext, options: ResolvedEndpointOptions): Response {
  if (isStoreUnavailable(error)) {
    // DynamoDB throttled, failed or did not answer through the client's bounded
    // retries: the client may retry, so 503 with Retry-After, not 500.
    options.log({
      level: 'warn',
      message: 'the store is unavailable',
      requestId: ctx.requestId,
      error: withoutSessionIds(error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
    });
    return jsonRpcErrorResponse(
      503,
      JsonRpcErrorCode.InternalError,
      'Service Unavailable: the session and registry store did not answer in time; retry the request',
      null,
      { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) },
    );
  }
  // Details go to the log (never a token: nothing here holds one), the client gets a generic message.
  options.log({
    level: 'error',
    message: 'unexpected error serving an MCP request',
    requestId: ctx.requestId,
    error: withoutSessionIds(error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
    stack: error instanceof Error && error.stack ? withoutSessionIds(error.stack) : undefined,
  });
  return jsonRpcErrorResponse(500, JsonRpcErrorCode.InternalError, 'Internal error');
}
