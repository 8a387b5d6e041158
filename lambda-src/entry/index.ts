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
import type { LambdaResponseStream } from './awslambda';
import { ensureAwslambdaGlobal } from './awslambda-shim';
import { type BufferedHandler, createBufferedHandler, viaStreamingHandler } from './buffered-handler';
import { builtOnce } from './built-once';
import { FunctionUrlEventError, functionUrlEventToRequest, isFunctionUrlEvent } from './function-url-event';
import { loadResponseMode, type ResponseMode } from './response-mode';
import { createInvocationLifetime, type LifetimeOptions, writeResponse } from './response-stream';
import { DEFAULT_STREAM_RETRY_MS, type EventConfig, loadEventConfig } from '../events/event-config';
import { ingestSnsEvent, isSnsEvent, type SnsEventLike } from '../events/sns-ingest';
import type { Authenticator } from '../http/authenticator';
import { createHttpApp } from '../http/http-app';
import { JsonRpcCode, jsonRpcErrorResponse } from '../http/json-rpc-error';
import type { OriginPolicy } from '../http/origin-policy';
import { consoleLogSink, type LogSink } from '../http/request-log';
import { type HandlerConfig, loadConfig } from '../model/config';
import type { HttpApp, RequestContext } from '../model/request-context';
import { traceAwsClient } from '../ops/aws-client-tracing';
import { instrumentInvoker } from '../ops/instrumented-invoker';
import { createOperations, type Operations } from '../ops/operations';
import { createMcpEndpoint, type McpEndpoint } from '../protocol/mcp-endpoint';
import { RegistrySource } from '../registry/registry-source';
import { RequestStateSeal } from '../s2c/request-state-seal';
import type { CancellationStore } from '../store/cancellation-store';
import { DynamoDbCancellationStore } from '../store/dynamodb-cancellation-store';
import { sharedDocumentClient } from '../store/dynamodb-client';
import { DynamoDbEventLog } from '../store/dynamodb-event-log';
import { DynamoDbPendingRequestStore } from '../store/dynamodb-pending-request-store';
import { DynamoDbRegistryStore } from '../store/dynamodb-registry-store';
import { dynamoDbSealKey } from '../store/dynamodb-seal-key';
import { DynamoDbSessionStore } from '../store/dynamodb-session-store';
import { DynamoDbTaskStore } from '../store/dynamodb-task-store';
import type { EventLog } from '../store/event-log';
import type { PendingRequestStore } from '../store/pending-request-store';
import type { RegistryStore } from '../store/registry-store';
import type { SessionStore } from '../store/session-store';
import type { TaskStore } from '../store/task-store';
import { LambdaTaskRunner } from '../tasks/lambda-task-runner';
import { LocalTaskRunner } from '../tasks/local-task-runner';
import { isTaskEvent, TASK_EVENT_KEY, type TaskEvent } from '../tasks/task-event';
import { executeTask, type TaskExecutorDeps } from '../tasks/task-executor';
import type { TaskRunner } from '../tasks/task-runner';
import { TaskService } from '../tasks/task-service';
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
  /** Logs, metrics and tracing (ops/operations.ts). @default Powertools on `log` (no metrics in auth mode `local`), X-Ray when the invocation is sampled */
  readonly operations?: Operations;
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
  /**
   * Where server-to-client requests wait for the client's answer (s2c/).
   * @default a DynamoDbPendingRequestStore on `config.sessionTable`, unless `sessions` is injected
   */
  readonly pending?: PendingRequestStore;
  /**
   * Where `notifications/cancelled` and DELETE leave the marker a call running in another
   * environment reads (docs/endpoint.md, "Cancellation").
   * @default a DynamoDbCancellationStore on `config.sessionTable`, unless `sessions` is injected
   */
  readonly cancellations?: CancellationStore;
  /**
   * The key that seals tools' `requestState`.
   * @default the key item in `config.sessionTable` (store/dynamodb-seal-key.ts), unless `sessions` is injected
   */
  readonly sealKey?: () => Promise<Uint8Array>;
  /** @default a DynamoDbTaskStore on `config.sessionTable`, unless `sessions` is injected */
  readonly tasks?: TaskStore;
  /**
   * Starts a task's invocation. A function gets the finished runtime.
   * @default in Lambda, a LambdaTaskRunner invoking this function asynchronously;
   * elsewhere (the dev server), a LocalTaskRunner running the task in this process
   */
  readonly taskRunner?: TaskRunner | ((runtime: Runtime) => TaskRunner);
  /**
   * `buffered` for a Function URL in `InvokeMode.BUFFERED` (docs/operations.md, "Buffered mode (no response streaming)");
   * `bufferedHandler` sets it.
   * @default loadResponseMode(process.env) (`MCP_RESPONSE_MODE`, else `streaming`)
   */
  readonly responseMode?: ResponseMode;
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
  /** Absent when tasks are off (see RuntimeOverrides.tasks). */
  readonly tasks?: TaskStore;
  /**
   * How often a 2025-11-25 client's GET stream reads the event log, in ms (live mode:
   * the poll interval; poll mode: the client's reconnect delay): a task appends its
   * tool's progress no more often, as faster progress would reach the client in the same read.
   */
  readonly taskProgressIntervalMs?: number;
}

export function createRuntime(overrides: RuntimeOverrides = {}): Runtime {
  const config = overrides.config ?? loadConfig(process.env);
  // `local` makes every caller the same trusted principal: only the dev server, which
  // injects its authenticator, may use it; an environment variable never turns it on.
  if (config.authMode === 'local' && !overrides.authenticator) {
    throw new Error("auth mode 'local' is only for the local dev server; set MCP_AUTH_MODE to iam, oauth, bearer or none");
  }
  const log = overrides.log ?? consoleLogSink;
  const operations = overrides.operations ?? createOperations({ serviceName: config.serverName, sink: log, metrics: config.authMode !== 'local' });
  const needsClient = !overrides.sessions || !overrides.registryStore;
  const client = needsClient ? sharedDocumentClient({ endpoint: config.dynamoDbEndpoint }) : undefined;
  if (client) traceAwsClient(client, operations.tracing);
  const sessions = overrides.sessions ?? new DynamoDbSessionStore({ client: client!, tableName: config.sessionTable });
  const registryStore = overrides.registryStore ?? new DynamoDbRegistryStore({ client: client!, tableName: config.registryTable });
  const registry = overrides.registry ?? new RegistrySource(registryStore, { ttlMs: config.registryCacheSeconds * 1000 });
  // The deployed handler runs tools by ARN only: it never loads a file named in the
  // registry (see tools/routing-invoker.ts); the local server injects its own invoker.
  const invoker = instrumentInvoker(
    overrides.invoker ?? new RoutingInvoker({ lambda: new LambdaInvoker() }),
    { telemetry: operations.telemetry, tracing: operations.tracing },
  );
  const eventConfig = overrides.eventConfig ?? loadEventConfig(process.env);
  // Mode `off`: the deployment has no event source and asked for no change
  // notifications, so no stream is offered (GET 405) and no capability promises one.
  const streamsOn = (eventConfig.streamMode ?? 'live') !== 'off';
  const events = !streamsOn ? undefined : overrides.eventLog ?? (overrides.sessions
    ? undefined
    : new DynamoDbEventLog({
      client: client ?? sharedDocumentClient({ endpoint: config.dynamoDbEndpoint }),
      tableName: config.sessionTable,
      ttlSeconds: eventConfig.eventTtlSeconds,
    }));
  // Server-to-client requests, tools' sealed requestState and tasks keep their state
  // in the session table, as sessions do (ARCHITECTURE.md, "What one construct deploys").
  const onTable = !overrides.sessions;
  const tableClient = () => client ?? sharedDocumentClient({ endpoint: config.dynamoDbEndpoint });
  const pending = overrides.pending
    ?? (onTable ? new DynamoDbPendingRequestStore({ client: tableClient(), tableName: config.sessionTable }) : undefined);
  const cancellations = overrides.cancellations
    ?? (onTable ? new DynamoDbCancellationStore({ client: tableClient(), tableName: config.sessionTable }) : undefined);
  const sealKey = overrides.sealKey ?? (onTable ? dynamoDbSealKey({ client: tableClient(), tableName: config.sessionTable }) : undefined);
  const taskStore = overrides.tasks ?? (onTable ? new DynamoDbTaskStore({ client: tableClient(), tableName: config.sessionTable }) : undefined);
  const runtimeRef: { current?: Runtime } = {};
  const runnerOverride = overrides.taskRunner;
  // In Lambda a task runs in an asynchronous invocation of this function; elsewhere
  // (the dev server, tests) in this process, which does not freeze after a response.
  const taskRunner: TaskRunner | undefined = typeof runnerOverride === 'function'
    ? { start: (event) => runnerOverride(runtimeRef.current!).start(event) }
    : runnerOverride ?? (process.env.AWS_LAMBDA_FUNCTION_NAME ? new LambdaTaskRunner() : inProcessTaskRunner(runtimeRef));
  const tasks = taskStore && taskRunner ? new TaskService({ store: taskStore, runner: taskRunner }) : undefined;
  const endpoint = overrides.endpoint ?? createMcpEndpoint({
    config,
    sessions,
    registry,
    invoker,
    ...(events
      ? {
        events: {
          log: events,
          pollIntervalMs: eventConfig.pollIntervalMs,
          mode: eventConfig.streamMode === 'poll' ? 'poll' as const : 'live' as const,
          ...(eventConfig.streamRetryMs !== undefined ? { retryMs: eventConfig.streamRetryMs } : {}),
          ...(eventConfig.pollOlderRevisions ? { pollOlderRevisions: true } : {}),
          ...(eventConfig.maxStreamMs !== undefined ? { maxStreamMs: eventConfig.maxStreamMs } : {}),
          // Event ids are signed under the sealing key, so every environment accepts
          // the ids any other one issued.
          ...(sealKey ? { cursorKey: sealKey } : {}),
        },
      }
      : {}),
    ...(pending ? { pending } : {}),
    ...(cancellations ? { cancellations } : {}),
    ...(sealKey ? { inputSeal: new RequestStateSeal(sealKey) } : {}),
    ...(tasks ? { tasks } : {}),
    responseMode: overrides.responseMode ?? loadResponseMode(process.env),
    // The deployed invoker runs Lambda functions, of which only streaming tools have a
    // log channel back (the registry declares `logging` for those); an injected one
    // (the dev server's local modules) may relay every tool's log messages.
    toolLogs: overrides.invoker !== undefined,
  });
  const app = createHttpApp({
    config,
    endpoint,
    originPolicy: overrides.originPolicy,
    authenticator: overrides.authenticator,
    log,
    telemetry: operations.telemetry,
  });
  const runtime: Runtime = {
    config,
    sessions,
    registryStore,
    registry,
    invoker,
    app,
    log,
    lifetime: overrides.lifetime,
    events,
    ...(taskStore ? { tasks: taskStore } : {}),
    taskProgressIntervalMs: eventConfig.streamMode === 'poll' ? eventConfig.streamRetryMs ?? DEFAULT_STREAM_RETRY_MS : eventConfig.pollIntervalMs,
  };
  runtimeRef.current = runtime;
  return runtime;
}

export type StreamingHandler = (event: unknown, responseStream: LambdaResponseStream, context: Context) => Promise<void>;

const awslambda = ensureAwslambdaGlobal();

/**
 * A streamified handler around a runtime built lazily from `overrides` on its first
 * invocation. A runtime that cannot be built (bad configuration) answers every HTTP
 * request with a 500 and logs why, rather than crashing the environment in a loop.
 */
export function createHandler(overrides: RuntimeOverrides | (() => RuntimeOverrides) = {}): StreamingHandler {
  const getRuntime = builtOnce(() => createRuntime(typeof overrides === 'function' ? overrides() : overrides));

  return awslambda.streamifyResponse(async (event: unknown, responseStream: LambdaResponseStream, context: Context) => {
    if (isFunctionUrlEvent(event)) {
      await serveHttp(event, responseStream, context, getRuntime);
      return;
    }
    if (isSnsEvent(event)) {
      await serveSns(event, responseStream, context, getRuntime);
      return;
    }
    if (isTaskEvent(event)) {
      await serveTask(event, responseStream, context, getRuntime);
      return;
    }
    // Registration events go to the admin function, not here. Anything else (a test
    // invoke from the console, a misrouted trigger) is logged and answered, never fatal.
    consoleLogSink(JSON.stringify({
      level: 'warn', msg: 'unsupported event', requestId: context.awsRequestId, shape: describeEvent(event),
    }));
    responseStream.on('error', () => undefined);
    responseStream.end(JSON.stringify({ ok: false, error: 'unsupported event: this function serves Function URL requests' }));
  });
}

/**
 * An SNS notification (the construct subscribes the function to its topic): the
 * records' events go to the event log, which every open stream reads (ARCHITECTURE.md,
 * "The platform facts that shaped the design": SNS invokes one environment, never the streaming ones).
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

/** What a task's run needs from the runtime. */
function taskExecutorDeps(runtime: Runtime, store: TaskStore): TaskExecutorDeps {
  return {
    config: runtime.config,
    store,
    registry: runtime.registry,
    invoker: runtime.invoker,
    events: runtime.events,
    // The creating session's log level, and the stream's poll interval, bound what a
    // task relays of its tool's progress and log messages (tasks/task-notification-relay.ts).
    sessions: runtime.sessions,
    ...(runtime.taskProgressIntervalMs !== undefined ? { progressIntervalMs: runtime.taskProgressIntervalMs } : {}),
    log: (entry) => runtime.log(JSON.stringify(entry)),
  };
}

/** Runs tasks in this process with the runtime's own parts (local development only). */
function inProcessTaskRunner(runtimeRef: { current?: Runtime }): TaskRunner {
  let runner: LocalTaskRunner | undefined;
  return {
    start: (event) => {
      const runtime = runtimeRef.current!;
      runner ??= new LocalTaskRunner({
        execute: async (e) => {
          await executeTask(
            taskExecutorDeps(runtime, runtime.tasks!),
            e,
            // No function timeout locally: the tool's own timeout bounds the run.
            { requestId: e[TASK_EVENT_KEY].taskId, deadline: Date.now() + 15 * 60_000 },
          );
        },
        onError: (error) => runtime.log(JSON.stringify({ level: 'error', msg: 'task run failed', error: String(error) })),
      });
      return runner.start(event);
    },
  };
}

/**
 * A task's own invocation (tasks/lambda-task-runner.ts invoked this function with
 * `InvocationType: 'Event'`): runs the tool and stores the outcome. A store failure
 * fails the invocation so that Lambda retries it; the executor's claim keeps the retry
 * from running the tool twice.
 */
async function serveTask(event: TaskEvent, responseStream: LambdaResponseStream, context: Context, getRuntime: () => Runtime): Promise<void> {
  const runtime = getRuntime();
  responseStream.on('error', () => undefined);
  if (!runtime.tasks) {
    runtime.log(JSON.stringify({ level: 'error', msg: 'task event received but this runtime has no task store', requestId: context.awsRequestId }));
    responseStream.end(JSON.stringify({ ok: false, error: 'tasks are not configured' }));
    return;
  }
  const status = await executeTask(
    taskExecutorDeps(runtime, runtime.tasks),
    event,
    { requestId: context.awsRequestId, deadline: Date.now() + context.getRemainingTimeInMillis() },
  );
  responseStream.end(JSON.stringify({ ok: true, status }));
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

/**
 * The handler of a Function URL in `InvokeMode.BUFFERED` (docs/operations.md, "Buffered mode (no response streaming)"):
 * HTTP requests are answered whole; SNS and task events take the streaming handler's path.
 */
export function createBufferedLambdaHandler(overrides: RuntimeOverrides | (() => RuntimeOverrides) = {}): BufferedHandler {
  const resolve = (): RuntimeOverrides => ({ ...(typeof overrides === 'function' ? overrides() : overrides), responseMode: 'buffered' });
  return createBufferedHandler(() => createRuntime(resolve()), { otherEvents: viaStreamingHandler(createHandler(resolve)) });
}

/** The handler Lambda runs in buffered mode (the construct sets `index.bufferedHandler`). */
export const bufferedHandler: BufferedHandler = createBufferedLambdaHandler();
