/**
 * The Lambda handler and the composition root of the runtime.
 *
 * Everything an invocation needs (config, the DynamoDB document client, the stores, the
 * registry cache, the tool invoker, the protocol endpoint, the http app) is built once
 * per execution environment, on the first invocation (not at import, so a module load
 * never fails and costs nothing), and reused by every later one.
 *
 * `createHandler(overrides)` builds the same handler around injected parts; the local
 * dev server, the tests and the benchmarks use it, so they run this file's code path:
 * event classification, event -> Request, the http app, Response -> response stream.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { type HandlerConfig, loadConfig } from '../config';
import type { LambdaResponseStream } from './awslambda';
import { ensureAwslambdaGlobal } from './awslambda-shim';
import { FunctionUrlEventError, functionUrlEventToRequest, isFunctionUrlEvent } from './function-url-event';
import { createInvocationLifetime, type LifetimeOptions, writeResponse } from './response-stream';
import { type EventConfig, loadEventConfig } from '../events/event-config';
import { ingestSnsEvent, isSnsEvent, type SnsEventLike } from '../events/sns-ingest';
import type { Authenticator } from '../http/authenticator';
import { createHttpApp } from '../http/http-app';
import { JsonRpcCode, jsonRpcErrorResponse } from '../http/json-rpc-error';
import type { OriginPolicy } from '../http/origin-policy';
import type { HttpApp, RequestContext } from '../http/request-context';
import { consoleLogSink, type LogSink } from '../http/request-log';
import { createMcpEndpoint, type McpEndpoint } from '../protocol/mcp-endpoint';
import { RegistrySource } from '../registry/registry-source';
import { sharedDocumentClient } from '../store/dynamodb-client';
import { DynamoDbEventLog } from '../store/dynamodb-event-log';
import { DynamoDbRegistryStore } from '../store/dynamodb-registry-store';
import { DynamoDbSessionStore } from '../store/dynamodb-session-store';
import type { EventLog } from '../store/event-log';
import type { RegistryStore } from '../store/registry-store';
import type { SessionStore } from '../store/session-store';
import { LambdaInvoker } from '../tools/lambda-invoker';
import { RoutingInvoker } from '../tools/routing-invoker';
import type { ToolInvoker } from '../tools/tool-invoker';

/** Parts a caller may inject; each missing one is built from `config`. */
export interface RuntimeOverrides {
  /** @default loadConfig(process.env) */
  readonly config?: HandlerConfig;
  readonly sessions?: SessionStore;
  readonly registryStore?: RegistryStore;
  readonly registry?: RegistrySource;
  /** @default a RoutingInvoker that invokes `lambdaArn` targets only */
  readonly invoker?: ToolInvoker;
  /** @default createMcpEndpoint({ config, sessions, registry, invoker }) */
  readonly endpoint?: McpEndpoint;
  /** @default exact `config.allowedOrigins` */
  readonly originPolicy?: OriginPolicy;
  /** @default by `config.authMode` */
  readonly authenticator?: Authenticator;
  /** @default one JSON line on stdout */
  readonly log?: LogSink;
  /** Deadline handling of each invocation (tests shorten it). */
  readonly lifetime?: LifetimeOptions;
  /**
   * The event log SNS events are appended to and open streams read.
   * @default a DynamoDbEventLog on `config.sessionTable`, unless `sessions` is
   * injected (then events are off unless this is injected too)
   */
  readonly eventLog?: EventLog;
  /** @default loadEventConfig(process.env) */
  readonly eventConfig?: EventConfig;
}

/** The parts of one execution environment. */
export interface Runtime {
  readonly config: HandlerConfig;
  readonly sessions: SessionStore;
  readonly registryStore: RegistryStore;
  readonly registry: RegistrySource;
  readonly invoker: ToolInvoker;
  readonly app: HttpApp;
  readonly log: LogSink;
  readonly lifetime?: LifetimeOptions;
  /** Absent when events are off (see RuntimeOverrides.eventLog). */
  readonly events?: EventLog;
}

export function createRuntime(overrides: RuntimeOverrides = {}): Runtime {
  const config = overrides.config ?? loadConfig(process.env);
  // `local` makes every caller the same trusted principal: only the dev server, which
  // injects its authenticator, may use it; an environment variable never turns it on.
  if (config.authMode === 'local' && !overrides.authenticator) {
    throw new Error("auth mode 'local' is only for the local dev server; set MCP_AUTH_MODE to iam, oauth, bearer or none");
  }
  const needsClient = !overrides.sessions || !overrides.registryStore;
  const client = needsClient ? sharedDocumentClient({ endpoint: config.dynamoDbEndpoint }) : undefined;
  const sessions = overrides.sessions ?? new DynamoDbSessionStore({ client: client!, tableName: config.sessionTable });
  const registryStore = overrides.registryStore ?? new DynamoDbRegistryStore({ client: client!, tableName: config.registryTable });
  const registry = overrides.registry ?? new RegistrySource(registryStore, { ttlMs: config.registryCacheSeconds * 1000 });
  // The deployed handler runs tools by ARN only: it never loads a file named in the
  // registry (see tools/routing-invoker.ts); the local server injects its own invoker.
  const invoker = overrides.invoker ?? new RoutingInvoker({ lambda: new LambdaInvoker() });
  const eventConfig = overrides.eventConfig ?? loadEventConfig(process.env);
  const events = overrides.eventLog ?? (overrides.sessions
    ? undefined
    : new DynamoDbEventLog({
      client: client ?? sharedDocumentClient({ endpoint: config.dynamoDbEndpoint }),
      tableName: config.sessionTable,
      ttlSeconds: eventConfig.eventTtlSeconds,
    }));
  const endpoint = overrides.endpoint ?? createMcpEndpoint({
    config,
    sessions,
    registry,
    invoker,
    ...(events ? { events: { log: events, pollIntervalMs: eventConfig.pollIntervalMs } } : {}),
  });
  const log = overrides.log ?? consoleLogSink;
  const app = createHttpApp({
    config,
    endpoint,
    originPolicy: overrides.originPolicy,
    authenticator: overrides.authenticator,
    log,
  });
  return { config, sessions, registryStore, registry, invoker, app, log, lifetime: overrides.lifetime, events };
}

export type StreamingHandler = (event: unknown, responseStream: LambdaResponseStream, context: Context) => Promise<void>;

const awslambda = ensureAwslambdaGlobal();

/**
 * A streamified handler around a runtime built lazily from `overrides` on its first
 * invocation. A runtime that cannot be built (bad configuration) answers every HTTP
 * request with a 500 and logs why, rather than crashing the environment in a loop.
 */
export function createHandler(overrides: RuntimeOverrides | (() => RuntimeOverrides) = {}): StreamingHandler {
  let runtime: Runtime | undefined;
  let failure: Error | undefined;
  const getRuntime = (): Runtime => {
    if (runtime) return runtime;
    if (failure) throw failure;
    try {
      runtime = createRuntime(typeof overrides === 'function' ? overrides() : overrides);
      return runtime;
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
      throw failure;
    }
  };

  return awslambda.streamifyResponse(async (event: unknown, responseStream: LambdaResponseStream, context: Context) => {
    if (isFunctionUrlEvent(event)) {
      await serveHttp(event, responseStream, context, getRuntime);
      return;
    }
    if (isSnsEvent(event)) {
      await serveSns(event, responseStream, context, getRuntime);
      return;
    }
    // Task self-invocations and registration events arrive with later issues; until
    // then an unknown event is logged and answered, never fatal.
    consoleLogSink(JSON.stringify({
      level: 'warn', msg: 'unsupported event', requestId: context.awsRequestId, shape: describeEvent(event),
    }));
    responseStream.on('error', () => undefined);
    responseStream.end(JSON.stringify({ ok: false, error: 'unsupported event: this function serves Function URL requests' }));
  });
}

/**
 * An SNS notification (the construct subscribes the function to its topic): the
 * records' events go to the event log, which every open stream reads (DESIGN.md,
 * "Facts of the platform": SNS invokes one environment, never the streaming ones).
 * A store failure fails the invocation, so Lambda retries the delivery; the SNS
 * MessageId de-duplicates the retry.
 */
async function serveSns(event: SnsEventLike, responseStream: LambdaResponseStream, context: Context, getRuntime: () => Runtime): Promise<void> {
  const runtime = getRuntime();
  const line = (entry: Record<string, unknown>) => runtime.log(JSON.stringify({ ...entry, requestId: context.awsRequestId }));
  responseStream.on('error', () => undefined);
  if (!runtime.events) {
    line({ level: 'error', msg: 'SNS event received but this runtime has no event log' });
    responseStream.end(JSON.stringify({ ok: false, error: 'events are not configured' }));
    return;
  }
  const result = await ingestSnsEvent(event, runtime.events, line);
  responseStream.end(JSON.stringify({ ok: true, ...result }));
}

async function serveHttp(
  event: APIGatewayProxyEventV2, responseStream: LambdaResponseStream, context: Context, getRuntime: () => Runtime,
): Promise<void> {
  let runtime: Runtime | undefined;
  let startupError: Error | undefined;
  try {
    runtime = getRuntime();
  } catch (err) {
    startupError = err as Error;
  }
  const lifetime = createInvocationLifetime(responseStream, context, runtime?.lifetime);
  try {
    let response: Response;
    if (!runtime) {
      consoleLogSink(JSON.stringify({
        level: 'error', msg: 'runtime could not be created', requestId: context.awsRequestId, error: startupError?.message,
      }));
      response = jsonRpcErrorResponse(500, JsonRpcCode.InternalError, 'internal server error');
    } else {
      response = await handleEvent(runtime, event, context, lifetime.signal, lifetime.deadline);
    }
    await writeResponse(awslambda, responseStream, response, lifetime.signal);
  } finally {
    lifetime.dispose();
  }
}

async function handleEvent(
  runtime: Runtime, event: APIGatewayProxyEventV2, context: Context, signal: AbortSignal, deadline: number,
): Promise<Response> {
  let request: Request;
  try {
    request = functionUrlEventToRequest(event, signal);
  } catch (err) {
    const status = err instanceof FunctionUrlEventError ? err.status : 400;
    const message = err instanceof Error ? err.message : 'the request could not be read';
    return jsonRpcErrorResponse(status, JsonRpcCode.InvalidRequest, message,
      status === 405 ? { allow: 'GET, POST, DELETE, OPTIONS' } : {});
  }
  const ctx: RequestContext = {
    requestId: context.awsRequestId,
    signal,
    deadline,
    lambdaRequestContext: event.requestContext,
  };
  // The app never throws; this guard is for the impossible, not the expected.
  try {
    return await runtime.app.handle(request, ctx);
  } catch {
    return jsonRpcErrorResponse(500, JsonRpcCode.InternalError, 'internal server error');
  }
}

/** The top-level keys and a few type markers of an event: enough to diagnose, no payload. */
function describeEvent(event: unknown): Record<string, unknown> {
  if (typeof event !== 'object' || event === null) return { type: typeof event };
  const e = event as Record<string, unknown>;
  const records = Array.isArray(e.Records) ? e.Records as Array<Record<string, unknown>> : undefined;
  return {
    keys: Object.keys(e).slice(0, 20),
    eventSource: records?.[0]?.EventSource ?? records?.[0]?.eventSource,
    version: typeof e.version === 'string' ? e.version : undefined,
  };
}

/** The handler Lambda runs (the construct sets `index.handler`). */
export const handler: StreamingHandler = createHandler();
