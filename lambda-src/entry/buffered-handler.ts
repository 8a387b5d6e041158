/**
 * The Lambda handler for deployments without response streaming (`InvokeMode.BUFFERED`
 * on the Function URL, or a front door that buffers): `index.bufferedHandler`
 * (docs/operations.md, "Buffered mode (no response streaming)"). It is not streamified: Lambda takes its return value,
 * `{ statusCode, headers, cookies, body, isBase64Encoded }` (Function URL payload 2.0
 * response), as the whole HTTP response.
 *
 * It runs the same http app as the streaming handler; only the edge differs:
 * - the app's Response body is read to its end and returned in one piece, so an SSE
 *   answer carries every event up to the result (progress and log messages arrive
 *   together with it, not before);
 * - the runtime it is given serves GET streams that end after one read of the event
 *   log, so a client polls (protocol layer, `responseMode: 'buffered'`);
 * - a body over Lambda's 6 MB limit for a buffered response is never handed to the
 *   runtime (which would fail the invocation with an opaque 502): the client gets a
 *   JSON-RPC error for each request it posted, saying what happened and what to do.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { LambdaResponseStream } from './awslambda';
import { CollectingSink, invokeStreamingHandler } from './awslambda-shim';
import { builtOnce } from './built-once';
import { FunctionUrlEventError, functionUrlEventToRequest, isFunctionUrlEvent } from './function-url-event';
import { MAX_BUFFERED_RESPONSE_BYTES } from './response-mode';
import { JsonRpcCode, jsonRpcErrorResponse } from '../http/json-rpc-error';
import { consoleLogSink } from '../http/request-log';
import type { HttpApp, RequestContext } from '../model/request-context';

/**
 * The part of an execution environment's `Runtime` (index.ts) this handler uses, declared
 * here rather than imported: index.ts builds this handler, and imports run one way.
 */
interface Runtime {
  readonly app: HttpApp;
}

export type BufferedResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string; isBase64Encoded: boolean };

export type BufferedHandler = (event: unknown, context: Context) => Promise<BufferedResult | Record<string, unknown>>;

export interface BufferedHandlerOptions {
  /**
   * Largest response returned, in bytes of the serialized result.
   * @default MAX_BUFFERED_RESPONSE_BYTES (6 MB, Lambda's limit)
   */
  readonly maxResponseBytes?: number;
  /**
   * How long before the function's deadline the request's signal aborts.
   * @default 5% of the remaining time, between 250 ms and 2 s
   */
  readonly deadlineMarginMs?: number;
  /**
   * Serves every event that is not an HTTP request (SNS notifications, task
   * self-invocations); its value is the invocation's result.
   * @default an error result naming the event as unsupported
   */
  readonly otherEvents?: (event: unknown, context: Context) => Promise<unknown>;
}

/**
 * `otherEvents` through the streaming handler, so SNS and task invocations keep one
 * code path (entry/index.ts): its output is collected and returned as the result.
 */
export function viaStreamingHandler(
  handler: (event: unknown, stream: LambdaResponseStream, context: Context) => Promise<void>,
): (event: unknown, context: Context) => Promise<unknown> {
  return async (event, context) => {
    const sink = new CollectingSink();
    await invokeStreamingHandler(handler, event, sink, context);
    const body = sink.body();
    try {
      return JSON.parse(body);
    } catch {
      return body;
    }
  };
}

/** Content types whose bodies go out as text; anything else (or an encoded body) as base64. */
const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|javascript))/i;

/**
 * A buffered handler around a runtime built lazily on the first invocation (as the
 * streaming handler's is). A runtime that cannot be built answers 500 and logs why.
 */
export function createBufferedHandler(buildRuntime: () => Runtime, options: BufferedHandlerOptions = {}): BufferedHandler {
  const getRuntime = builtOnce(buildRuntime);
  const maxBytes = options.maxResponseBytes ?? MAX_BUFFERED_RESPONSE_BYTES;

  return async (event, context) => {
    if (isFunctionUrlEvent(event)) return serveHttp(event, context, getRuntime, maxBytes, options.deadlineMarginMs);
    if (options.otherEvents) return options.otherEvents(event, context) as Promise<Record<string, unknown>>;
    consoleLogSink(JSON.stringify({ level: 'warn', msg: 'unsupported event', requestId: context.awsRequestId }));
    return { ok: false, error: 'unsupported event: this function serves Function URL requests' };
  };
}

async function serveHttp(
  event: APIGatewayProxyEventV2, context: Context, getRuntime: () => Runtime, maxBytes: number, marginMs?: number,
): Promise<BufferedResult> {
  let runtime: Runtime;
  try {
    runtime = getRuntime();
  } catch (err) {
    consoleLogSink(JSON.stringify({ level: 'error', msg: 'runtime could not be created', requestId: context.awsRequestId, error: (err as Error).message }));
    return toResult(jsonRpcErrorResponse(500, JsonRpcCode.InternalError, 'internal server error'), maxBytes, event);
  }
  // No response stream to watch: the signal aborts only near the deadline, so a
  // response is always finished (or cut cleanly) while the invocation still runs.
  const remaining = Math.max(0, context.getRemainingTimeInMillis());
  const deadline = Date.now() + remaining;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('the invocation is about to reach its timeout')),
    Math.max(0, remaining - (marginMs ?? Math.min(2000, Math.max(250, Math.floor(remaining / 20))))));
  timer.unref?.();
  try {
    let response: Response;
    try {
      const request = functionUrlEventToRequest(event, controller.signal);
      const ctx: RequestContext = {
        requestId: context.awsRequestId, signal: controller.signal, deadline, lambdaRequestContext: event.requestContext,
      };
      response = await runtime.app.handle(request, ctx);
    } catch (err) {
      const status = err instanceof FunctionUrlEventError ? err.status : 400;
      response = jsonRpcErrorResponse(status, JsonRpcCode.InvalidRequest, err instanceof Error ? err.message : 'the request could not be read',
        status === 405 ? { allow: 'GET, POST, DELETE, OPTIONS' } : {});
    }
    return await toResult(response, maxBytes, event);
  } finally {
    clearTimeout(timer);
  }
}

/** The whole response as Lambda's result, or a too-large error in its place. */
async function toResult(response: Response, maxBytes: number, event: APIGatewayProxyEventV2): Promise<BufferedResult> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  const body = await readBody(response, maxBytes);
  if (body !== undefined) {
    const binary = headers['content-encoding'] !== undefined || (body.length > 0 && !TEXT_TYPES.test(headers['content-type'] ?? 'text/plain'));
    const result: BufferedResult = {
      statusCode: response.status,
      headers,
      ...(cookies.length > 0 ? { cookies } : {}),
      body: binary ? body.toString('base64') : body.toString('utf8'),
      isBase64Encoded: binary,
    };
    const bytes = Buffer.byteLength(JSON.stringify(result), 'utf8');
    if (bytes <= maxBytes) return result;
    return tooLarge(event, bytes, maxBytes);
  }
  return tooLarge(event, undefined, maxBytes);
}

/** The body, or undefined once it is known to exceed `maxBytes` (then the rest is not read). */
async function readBody(response: Response, maxBytes: number): Promise<Buffer | undefined> {
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel(new Error('response too large for a buffered Lambda response')).catch(() => undefined);
        return undefined;
      }
      chunks.push(value);
    }
  } catch {
    // The app's body failed midway: what was produced is all there is.
  }
  return Buffer.concat(chunks);
}

/**
 * A JSON-RPC error for each request the client posted (so its SDK fails that call with
 * our message rather than waiting or reporting a transport error), or a bare one.
 */
function tooLarge(event: APIGatewayProxyEventV2, bytes: number | undefined, maxBytes: number): BufferedResult {
  const size = bytes === undefined ? 'larger than' : `${bytes} bytes, over`;
  const message = `Internal error: the response is ${size} the ${maxBytes}-byte limit of a buffered AWS Lambda response `
    + '(this server runs with MCP_RESPONSE_MODE=buffered); ask for less (a smaller page, a narrower query), or deploy the server with response streaming';
  const ids = postedRequestIds(event);
  if (ids.length === 0) {
    return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: JsonRpcCode.InternalError, message } }), isBase64Encoded: false };
  }
  const errors = ids.map((id) => ({ jsonrpc: '2.0', id, error: { code: JsonRpcCode.InternalError, message } }));
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ids.isBatch ? errors : errors[0]),
    isBase64Encoded: false,
  };
}

/** Ids of the JSON-RPC requests in a POST body (none for GET, notifications, or an unreadable body). */
function postedRequestIds(event: APIGatewayProxyEventV2): Array<string | number> & { isBatch?: boolean } {
  const ids: Array<string | number> & { isBatch?: boolean } = [];
  if (!event.body) return ids;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8').toString('utf8'));
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    ids.isBatch = Array.isArray(parsed);
    for (const m of messages) {
      const id = (m as { id?: unknown; method?: unknown } | null)?.id;
      if (typeof (m as { method?: unknown })?.method === 'string' && (typeof id === 'string' || typeof id === 'number')) ids.push(id);
    }
  } catch {
    // not JSON: no ids to answer
  }
  return ids;
}
