/**
 * Builds the SDK server instance that serves one request (createMcpHandler and our
 * legacy serving both construct one per request), with the registry's tools,
 * resources, prompts and completions.
 *
 * Registry items carry raw JSON Schema and must be listed exactly as registered, in
 * registration order, with cursors; McpServer's own registerTool/registerResource
 * take Standard Schema objects, re-derive the listed JSON Schema, and list without
 * pagination. So the handlers are installed on the McpServer's low-level `server`
 * with setRequestHandler, the SDK's documented route for this (Server
 * `projectCallToolResult` docs), while the McpServer wrapper is kept for what the
 * HTTP entry needs from it.
 *
 * Building is cheap: nothing here compiles a schema or loads a client; compiled
 * validators live in the environment-wide cache (json-schema-validators.ts).
 */
import { McpServer, ProtocolError, ProtocolErrorCode, ResourceNotFoundError, UriTemplate } from '@modelcontextprotocol/server';
import type { CallToolResult, CompleteResult, ServerCapabilities, ServerContext } from '@modelcontextprotocol/server';
import { serverCapabilities } from './server-capabilities';
import { serverFeatures, type ServerFeatures } from './server-features';
import type { HandlerConfig } from '../model/config';
import type { FunctionTarget, PromptItem, ResourceItem, ResourceTemplateItem, ToolItem } from '../model/registry-item';
import type { SessionState } from '../model/session-state-changes';
import type { TaskRequest } from '../model/task-record';
import { DEFAULT_PAGE_SIZE, pageAfter } from '../registry/list-cursor';
import { checkPromptArguments, promptFunctionResult, renderStaticPrompt } from '../registry/prompt-messages';
import type { RegistrySnapshot } from '../registry/registry-source';
import { functionContents, staticContents } from '../registry/resource-contents';
import { climbsOutOfTemplate, controlCharacterIn } from '../registry/template-traversal';
import { withInputResponses } from '../s2c/input-required-contract';
import type { RequestStateSeal } from '../s2c/request-state-seal';
import { incomingRound, itemOutgoingRound, outgoingRound } from '../s2c/tool-input-round';
import type { SessionStateStore } from '../store/session-state-store';
import { MAX_SUBSCRIPTION_URI_BYTES, type Principal, SubscriptionLimitError } from '../store/session-store';
import {
  ADMISSION_TASK_FIELD, asksForTask, extensionCreateTaskResult, installTaskExtensionMethods, runsAsExtensionTask, TASKS_EXTENSION,
} from '../tasks/task-extension';
import { createTaskResult, installTaskMethods, requestedTtl, runsAsTask, servesTasks, TASKS_CAPABILITY, withTaskSupport } from '../tasks/task-methods';
import { taskOwner } from '../tasks/task-owner';
import type { TaskService } from '../tasks/task-service';
import { AGENTCORE_GATEWAY_CONTRACT, agentCoreGatewayInvocation, agentCoreGatewayResult } from '../tools/agentcore-gateway-contract';
import type { JsonSchemaValidators } from '../tools/json-schema-validators';
import { sharedValidators } from '../tools/json-schema-validators';
import { linkSignals } from '../tools/linked-signal';
import { eventContext, toolEvent, type ToolEventContext } from '../tools/tool-event';
import type { InvokeFailureKind, InvokeOptions, InvokeOutcome, ToolInvoker } from '../tools/tool-invoker';
import { describeFailure, parseProtocolError, toCallToolResult, toolErrorResult } from '../tools/tool-result';
import { keepSessionState, takeSessionStateChanges, withSessionStateError } from '../tools/tool-session-state';

/** Per-request facts that reach tool functions in the tool contract's `context`. */
export interface CallContext {
  readonly requestId: string;
  readonly protocolVersion: string;
  readonly sessionId?: string;
  /**
   * The 2025-era session's tool state, as read with the session (docs/tools.md, "Session state for tools");
   * tools get it in `context.sessionState`. Absent without a session.
   */
  readonly sessionState?: SessionState;
  readonly principal?: Principal;
  /** Aborted on client disconnect; combined with the SDK's per-request cancellation. */
  readonly signal?: AbortSignal;
  /** Epoch ms; tool invocations must end before it. */
  readonly deadline?: number;
  /**
   * Follows cancellations of a request made in other environments while one of its
   * function invocations runs (protocol/cancellation-watch.ts): a 2025-era session's
   * `notifications/cancelled` and DELETE. Absent: only this environment's signals stop it.
   */
  readonly watchCancellation?: (requestId: string | number) => { readonly signal: AbortSignal; dispose(): void };
}

export interface ServerBuilderDeps {
  readonly config: HandlerConfig;
  readonly invoker: ToolInvoker;
  /** Items per page of every list. @default 100 */
  readonly pageSize?: number;
  /** Compiled-schema cache. @default the execution environment's shared one */
  readonly validators?: JsonSchemaValidators;
  /** Clock, for the deadline arithmetic. @default Date.now */
  readonly now?: () => number;
  /**
   * Protocol versions the instance accepts (`initialize` picks among the 2025-era
   * ones, `server/discover` advertises the 2026-era ones).
   * @default the SDK's SUPPORTED_PROTOCOL_VERSIONS (2025-era only)
   */
  readonly supportedProtocolVersions?: string[];
  /**
   * Told once per function invocation (tool call, resource read, prompt get), for the
   * structured log line the layers above write. Carries no arguments or results.
   */
  readonly onInvocation?: (record: InvocationRecord) => void;
  /**
   * Set when change notifications reach clients (docs/events.md): the 2025-era GET stream and
   * the 2026-07-28 `subscriptions/listen` stream deliver `list_changed` and
   * `resources/updated` from the event log. Capabilities then declare `listChanged`
   * and `resources.subscribe`; without it they declare neither (truthful capabilities,
   * 2025-11-25 basic/lifecycle, "Capability Negotiation").
   */
  readonly events?: EventCapabilityDeps;
  /**
   * Seals the `requestState` of tools that ask for input (s2c/). Absent: a tool that
   * returns a requestState gets an error result; one asking with inputRequests only works.
   */
  readonly inputSeal?: RequestStateSeal;
  /** 2025-11-25 tasks; served to 2025-11-25 sessions only (tasks/task-methods.ts). */
  readonly tasks?: TaskService;
  /**
   * Writes the `_sessionState` operations a tool returns (docs/tools.md, "Session state for tools").
   * Absent: a tool's operations are refused with an error result.
   */
  readonly sessionState?: SessionStateStore;
  /**
   * `buffered`: responses are returned whole (entry/buffered-handler.ts), so no
   * `subscriptions/listen` stream carries notifications to 2026-07-28 clients.
   * @default 'streaming'
   */
  readonly responseMode?: 'streaming' | 'buffered';
  /**
   * Whether `notifications/message` can reach clients besides through events: the
   * invoker relays every tool's log channel (local `handler` modules do; of Lambda
   * functions, only those registered `streaming` have one, and a registry with such a
   * tool declares `logging` whatever this says). With events on, SNS messages reach
   * clients either way.
   * @default true
   */
  readonly toolLogs?: boolean;
}

export interface EventCapabilityDeps {
  /**
   * Keeps a 2025-era session's `resources/subscribe` URIs (SessionStore
   * addSubscription/removeSubscription). Absent: `resources/subscribe` is not offered
   * to 2025-era sessions.
   */
  readonly subscriptions?: {
    add(sessionId: string, uri: string): Promise<boolean>;
    remove(sessionId: string, uri: string): Promise<boolean>;
  };
}

/** What one function invocation did, without its data. */
export interface InvocationRecord {
  readonly requestId: string;
  readonly kind: 'tool' | 'resource' | 'prompt';
  /** The tool or prompt name, or the resource URI. */
  readonly name: string;
  /** `ok`, or why not. */
  readonly outcome: 'ok' | InvokeFailureKind;
  readonly latencyMs: number;
}

/** Time kept back from the invocation deadline to still write the tool's error result. */
const DEADLINE_MARGIN_MS = 1_000;

/**
 * Function invocations one request (one POST) may have running at once, task starts
 * included (a task runs on in an invocation of its own, so a start holds its place for
 * the rest of the request). A 2025-03-26 batch is the only way past one: without the
 * bound, a batch of 1,000 `tools/call` was 1,000 concurrent invocations from a single
 * POST, and twenty such POSTs reach an account's default concurrency. Past it, a
 * request gets a JSON-RPC error saying so, and nothing is invoked for it.
 */
export const MAX_CONCURRENT_INVOCATIONS_PER_REQUEST = 10;

/** The JSON-RPC error of a request past the bound (-32000: implementation-defined server error). */
function tooManyInvocations(): ProtocolError {
  return new ProtocolError(
    -32000 as ProtocolErrorCode,
    `Too many function invocations in one request: at most ${MAX_CONCURRENT_INVOCATIONS_PER_REQUEST} tools/call, function-backed resources/read or prompts/get (or task starts) run at once per POST; send the rest in later requests`,
  );
}
/** completion/complete returns at most 100 values (2025-11-25, utilities/completion). */
const MAX_COMPLETIONS = 100;

/**
 * 2026-07-28 cache hints for the results built from the registry: a client may reuse
 * a list for as long as this environment may serve a cached registry itself
 * (`registryCacheSeconds`), so a hint never promises more freshness than we have.
 * `private`: results can depend on the caller (auth), so no shared caches.
 */
function cacheHintsFor(registryCacheSeconds: number) {
  const hint = { ttlMs: registryCacheSeconds * 1000, cacheScope: 'private' as const };
  return {
    'tools/list': hint,
    'prompts/list': hint,
    'resources/list': hint,
    'resources/templates/list': hint,
    'server/discover': hint,
  };
}

/** What every server built from one snapshot looks up in it; made once per snapshot. */
interface SnapshotIndex {
  /** Some registered tool may run as a task. */
  readonly taskTools: boolean;
  readonly toolsByName: ReadonlyMap<string, RegistrySnapshot['tools'][number]>;
  readonly resourcesByUri: ReadonlyMap<string, RegistrySnapshot['resources'][number]>;
  readonly promptsByName: ReadonlyMap<string, RegistrySnapshot['prompts'][number]>;
}

/** A snapshot is served to every request until the registry is read again (registry-source.ts). */
const indexes = new WeakMap<RegistrySnapshot, SnapshotIndex>();

function indexOf(snapshot: RegistrySnapshot): SnapshotIndex {
  let index = indexes.get(snapshot);
  if (!index) {
    index = {
      taskTools: snapshot.tools.some((t) => t.taskSupport === 'optional' || t.taskSupport === 'required'),
      toolsByName: new Map(snapshot.tools.map((t) => [t.name, t])),
      resourcesByUri: new Map(snapshot.resources.map((r) => [r.uri, r])),
      promptsByName: new Map(snapshot.prompts.map((p) => [p.name, p])),
    };
    indexes.set(snapshot, index);
  }
  return index;
}

export function buildMcpServer(snapshot: RegistrySnapshot, deps: ServerBuilderDeps, call: CallContext): McpServer {
  const features = serverFeatures(deps);
  const index = indexOf(snapshot);
  const legacySession = call.sessionId !== undefined;
  const { tasks, extensionTasks } = taskServices(features, index, deps, call);
  const capabilities = capabilitiesOf(snapshot, features, legacySession, { tasks, extensionTasks });
  const mcp = newMcpServer(deps, capabilities);
  const scope: RequestScope = {
    snapshot,
    index,
    deps,
    config: deps.config,
    call,
    mcp,
    server: mcp.server,
    validators: deps.validators ?? sharedValidators,
    pageSize: deps.pageSize ?? DEFAULT_PAGE_SIZE,
    // Who owns the tasks this request creates or reads, and whose requestState it opens.
    caller: taskOwner(call.principal, call.sessionId),
    tasks,
    extensionTasks,
    contextFor: (ctx, progressToken) => eventContextOf(call, ctx, progressToken),
    ...invocations(deps, call),
  };
  const hasResources = snapshot.resources.length > 0 || snapshot.resourceTemplates.length > 0;

  installTools(scope);
  if (hasResources) installResources(scope);
  const subscriptions = deps.events?.subscriptions;
  if (hasResources && capabilities.resources?.subscribe && legacySession && subscriptions) installResourceSubscriptions(scope, subscriptions);
  if (snapshot.prompts.length > 0) installPrompts(scope);
  if (tasks) installTaskMethods(mcp, tasks, { owner: scope.caller, deadline: call.deadline, signal: call.signal });
  if (extensionTasks) installTaskExtensionMethods(mcp, extensionTasks, scope.caller);
  if (capabilities.completions) installCompletions(scope);
  return mcp;
}

/** What the request handlers of one request's server share. */
interface RequestScope {
  readonly snapshot: RegistrySnapshot;
  readonly index: SnapshotIndex;
  readonly deps: ServerBuilderDeps;
  readonly config: HandlerConfig;
  readonly call: CallContext;
  readonly mcp: McpServer;
  readonly server: McpServer['server'];
  readonly validators: JsonSchemaValidators;
  readonly pageSize: number;
  readonly caller: string;
  /** The 2025-11-25 task methods' service, when this request is served them. */
  readonly tasks?: TaskService;
  /** The 2026-07-28 tasks extension's service, when this request is served it. */
  readonly extensionTasks?: TaskService;
  readonly contextFor: (ctx: ServerContext, progressToken?: string | number) => ToolEventContext;
  readonly invoke: Invoke;
  readonly takeInvocationSlot: () => void;
}

/**
 * Tasks are served, and so declared, only when some registered tool may run as one
 * (2025-11-25 basic/utilities/tasks: the capability says task-augmented requests work).
 */
function taskServices(
  features: ServerFeatures, index: SnapshotIndex, deps: ServerBuilderDeps, call: CallContext,
): { tasks?: TaskService; extensionTasks?: TaskService } {
  if (!features.tasks || !index.taskTools) return {};
  const legacySession = call.sessionId !== undefined;
  const tasks = servesTasks(deps.tasks, call.protocolVersion, call.sessionId) ? deps.tasks : undefined;
  // 2026-07-28: tasks through the io.modelcontextprotocol/tasks extension (tasks/task-extension.ts).
  const extensionTasks = !legacySession && call.protocolVersion >= '2026-07-28' ? deps.tasks : undefined;
  return { tasks, extensionTasks };
}

/**
 * Capabilities say what this deployment serves, nothing more (2025-11-25,
 * basic/lifecycle, "Capability Negotiation"; server-capabilities.ts has the rules).
 * `listChanged` and `subscribe` only where a stream delivers them: the GET stream of
 * a 2025-era session, `subscriptions/listen` in 2026-07-28 (events/), which a
 * buffered response cannot carry.
 */
function capabilitiesOf(
  snapshot: RegistrySnapshot,
  features: ServerFeatures,
  legacySession: boolean,
  { tasks, extensionTasks }: { tasks?: TaskService; extensionTasks?: TaskService },
): ServerCapabilities {
  return {
    ...(tasks ? { tasks: TASKS_CAPABILITY } : {}),
    ...(extensionTasks ? { extensions: { [TASKS_EXTENSION]: {} } } : {}),
    ...serverCapabilities(snapshot, {
      notifications: features.events && (legacySession || features.streaming),
      subscriptions: !legacySession || features.legacySubscriptions,
      // A streaming tool's log lines reach the client through any invoker (tools/tool-stream.ts).
      logMessages: features.events || features.toolLogs || snapshot.tools.some((t) => t.streaming === true),
    }),
  };
}

/**
 * McpServer fills in `listChanged: true` for every list declared to its constructor;
 * the lists are declared after it instead, so they claim exactly what is delivered.
 */
function newMcpServer(deps: ServerBuilderDeps, capabilities: ServerCapabilities): McpServer {
  const { config } = deps;
  const { tools: toolsCapability, resources: resourcesCapability, prompts: promptsCapability, ...otherCapabilities } = capabilities;
  const mcp = new McpServer(
    { name: config.serverName, version: config.serverVersion },
    {
      capabilities: otherCapabilities,
      ...(config.instructions ? { instructions: config.instructions } : {}),
      ...(deps.supportedProtocolVersions ? { supportedProtocolVersions: deps.supportedProtocolVersions } : {}),
      cacheHints: cacheHintsFor(config.registryCacheSeconds),
    },
  );
  mcp.server.registerCapabilities({
    ...(toolsCapability ? { tools: toolsCapability } : {}),
    ...(resourcesCapability ? { resources: resourcesCapability } : {}),
    ...(promptsCapability ? { prompts: promptsCapability } : {}),
  });
  return mcp;
}

function eventContextOf(call: CallContext, ctx: ServerContext, progressToken?: string | number): ToolEventContext {
  return {
    requestId: call.requestId,
    protocolVersion: call.protocolVersion,
    sessionId: call.sessionId ?? ctx.sessionId,
    principal: call.principal,
    progressToken,
  };
}

type Invoke = (
  kind: InvocationRecord['kind'],
  name: string,
  target: FunctionTarget,
  event: unknown,
  ctx: ServerContext,
  extra?: Pick<InvokeOptions, 'onProgress' | 'clientContext'>,
) => Promise<InvokeOutcome>;

/** How one request invokes functions, and the bound on how many it runs at once. */
function invocations(deps: ServerBuilderDeps, call: CallContext): { invoke: Invoke; takeInvocationSlot: () => void } {
  const { config } = deps;
  const now = deps.now ?? Date.now;

  // Tool log messages go out as notifications/message, filtered by the level the
  // client set (the SDK applies the session's restored logging/setLevel threshold).
  const onLogFor = (ctx: ServerContext): InvokeOptions['onLog'] => (log) => {
    void ctx.mcpReq.log(log.level, log.data, log.logger).catch(() => undefined);
  };

  /**
   * Invokes `target`'s function for this request: it ends when the client cancels the
   * request or the invocation ends (either signal), and before the invocation's deadline.
   */
  // Invocations of this request running now (MAX_CONCURRENT_INVOCATIONS_PER_REQUEST).
  let running = 0;
  const takeInvocationSlot = (): void => {
    if (running >= MAX_CONCURRENT_INVOCATIONS_PER_REQUEST) throw tooManyInvocations();
    running++;
  };
  const invoke = async (
    kind: InvocationRecord['kind'],
    name: string,
    target: FunctionTarget,
    event: unknown,
    ctx: ServerContext,
    extra: Pick<InvokeOptions, 'onProgress' | 'clientContext'> = {},
  ): Promise<InvokeOutcome> => {
    takeInvocationSlot();
    try {
      return await invokeInSlot(kind, name, target, event, ctx, extra);
    } finally {
      running--;
    }
  };
  const invokeInSlot = async (
    kind: InvocationRecord['kind'],
    name: string,
    target: FunctionTarget,
    event: unknown,
    ctx: ServerContext,
    extra: Pick<InvokeOptions, 'onProgress' | 'clientContext'>,
  ): Promise<InvokeOutcome> => {
    const limits = [(target.timeoutSeconds ?? config.toolTimeoutSeconds) * 1000];
    if (call.deadline !== undefined) limits.push(call.deadline - now() - DEADLINE_MARGIN_MS);
    const watched = call.watchCancellation?.(ctx.mcpReq.id);
    const linked = linkSignals([ctx.mcpReq.signal, call.signal, watched?.signal]);
    const options: InvokeOptions = {
      signal: linked.signal,
      timeoutMs: Math.max(0, Math.min(...limits)),
      onLog: onLogFor(ctx),
      ...(extra.onProgress ? { onProgress: extra.onProgress } : {}),
      ...(extra.clientContext !== undefined ? { clientContext: extra.clientContext } : {}),
    };
    const startedAt = now();
    try {
      const outcome = await deps.invoker.invoke(target, event, options);
      deps.onInvocation?.({ requestId: call.requestId, kind, name, outcome: outcome.ok ? 'ok' : outcome.kind, latencyMs: now() - startedAt });
      return outcome;
    } finally {
      linked.dispose();
      watched?.dispose();
    }
  };
  return { invoke, takeInvocationSlot };
}

/** tools/list and tools/call; the HTTP entry's view of the tools' input schemas. */
function installTools(scope: RequestScope): void {
  const { snapshot, index, deps, config, call, mcp, server, validators, pageSize, caller, tasks, extensionTasks } = scope;
  const { contextFor, invoke, takeInvocationSlot } = scope;
  const { toolsByName } = index;

  // The HTTP entry reads a tool's input schema through this to check SEP-2243
  // `Mcp-Param-*` headers before dispatch; McpServer answers only for tools
  // registered through registerTool, so answer for the registry's.
  mcp.toolInputSchemaJson = (name: string) => toolsByName.get(name)?.inputSchema;

  server.setRequestHandler('tools/list', (request) => {
    const page = pageAfter(snapshot.tools, 'tools/list', request.params?.cursor, pageSize);
    const listed = page.items.map((t) => (tasks ? withTaskSupport(toolDefinition(t), t) : toolDefinition(t)));
    return { tools: listed, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  });

  // A function written for Amazon Bedrock AgentCore Gateway's Lambda target gets the
  // arguments as its event and the tool name in the client context, as the Gateway
  // would call it (tools/agentcore-gateway-contract.ts); its result is mapped back.
  const invokeAgentCoreTool = async (tool: ToolItem, args: Record<string, unknown>, ctx: ServerContext, onProgress: InvokeOptions['onProgress']): Promise<InvokeOutcome> => {
    let gateway: ReturnType<typeof agentCoreGatewayInvocation>;
    try {
      gateway = agentCoreGatewayInvocation({ toolName: tool.name, arguments: args, requestId: call.requestId, mcpMessageId: ctx.mcpReq.id });
    } catch (error) {
      return { ok: false, kind: 'invoke_failed', message: (error as Error).message };
    }
    const outcome = await invoke('tool', tool.name, tool, gateway.payload, ctx, { onProgress, clientContext: gateway.clientContext });
    return outcome.ok ? { ok: true, payload: agentCoreGatewayResult(outcome.payload) } : outcome;
  };

  server.setRequestHandler('tools/call', async (request, ctx) => {
    const { name } = request.params;
    const tool = toolsByName.get(name);
    // An unknown tool is a protocol error (2025-11-25, server/tools, "Error Handling").
    if (!tool) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    // Input validation errors are tool execution errors, reported in the result
    // with isError so the model can correct itself (same section), and checked
    // before anything is invoked.
    await validators.prepare(tool.inputSchema, tool.outputSchema);
    const check = validators.validate(tool.inputSchema, args, 'arguments');
    if (!check.ok) {
      return toolErrorResult(`invalid arguments for tool '${name}': ${check.errors.join('; ')}`);
    }
    const progressToken = ctx.mcpReq._meta?.progressToken ?? request.params._meta?.progressToken;
    const onProgress: InvokeOptions['onProgress'] | undefined =
      progressToken === undefined
        ? undefined
        : (p) => {
          void ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, ...p } }).catch(() => undefined);
        };
    // 2025-11-25 tasks: the call returns a CreateTaskResult at once; the tool runs in
    // an invocation of its own (tasks/). Without the capability, `task` is ignored.
    const taskRequest = (): TaskRequest => ({
      method: 'tools/call',
      tool: name,
      arguments: args,
      protocolVersion: call.protocolVersion,
      requestId: call.requestId,
      ...(call.sessionId !== undefined ? { sessionId: call.sessionId } : {}),
      ...(call.principal !== undefined ? { principal: call.principal } : {}),
      ...(progressToken !== undefined ? { progressToken } : {}),
    });
    if (extensionTasks && runsAsExtensionTask(tool, ctx)) {
      const runLimitMs = (tool.timeoutSeconds ?? config.toolTimeoutSeconds) * 1000;
      if (tool.inputBeforeTask) {
        // The tasks extension, "Task Creation": input gathered with multi round-trip
        // requests before the task exists SHOULD be resolved synchronously, before the
        // CreateTaskResult. The function runs synchronously (`task.admission`) until it
        // asks for the task; each round's input_required goes back to the client as
        // for any tool, and the task's first run gets the last round's answers.
        const binding = { tool: name, caller };
        const retry = await incomingRound(ctx, deps.inputSeal, binding);
        const admission = { ...withInputResponses(toolEvent(name, args, contextFor(ctx, progressToken)), retry), task: ADMISSION_TASK_FIELD };
        const outcome = await invoke('tool', name, tool, admission, ctx, { onProgress });
        if (outcome.ok) {
          const asked = await outgoingRound(name, outcome.payload, deps.inputSeal, binding);
          if (asked) return asked;
          if (asksForTask(outcome.payload)) {
            takeInvocationSlot();
            return extensionCreateTaskResult(await extensionTasks.createRecord({
              owner: caller, request: { ...taskRequest(), ...retry }, runLimitMs,
            }));
          }
          const asError = parseProtocolError(outcome.payload);
          if (asError !== undefined && !('problem' in asError)) throw new ProtocolError(asError.code, asError.message, asError.data);
        }
        // The function answered at once: that is the call's result, and no task is made
        // (the extension leaves the server free to answer any request synchronously).
        return server.projectCallToolResult(toCallToolResult(name, outcome, { outputSchema: tool.outputSchema, validators }), tool.outputSchema);
      }
      takeInvocationSlot();
      return extensionCreateTaskResult(await extensionTasks.createRecord({ owner: caller, request: taskRequest(), runLimitMs }));
    }
    const taskParams = (request.params as { task?: unknown }).task;
    if (tasks && runsAsTask(tool, taskParams)) {
      takeInvocationSlot();
      return createTaskResult(await tasks.create({
        owner: caller,
        request: taskRequest(),
        requestedTtlMs: requestedTtl(taskParams),
        runLimitMs: (tool.timeoutSeconds ?? config.toolTimeoutSeconds) * 1000,
      }));
    }
    if (tool.contract === AGENTCORE_GATEWAY_CONTRACT) {
      const outcome = await invokeAgentCoreTool(tool, args, ctx, onProgress);
      return server.projectCallToolResult(toCallToolResult(name, outcome, { outputSchema: tool.outputSchema, validators }), tool.outputSchema);
    }
    // A tool may ask for input and be invoked again with the answers (s2c/).
    const binding = { tool: name, caller };
    const retry = await incomingRound(ctx, deps.inputSeal, binding);
    // Only tools get the session's state (docs/tools.md, "Session state for tools").
    const toolContext = { ...contextFor(ctx, progressToken), ...(call.sessionState ? { sessionState: call.sessionState } : {}) };
    const event = withInputResponses(toolEvent(name, args, toolContext), retry);
    const outcome = await invoke('tool', name, tool, event, ctx, { onProgress });
    if (outcome.ok) {
      const asked = await outgoingRound(name, outcome.payload, deps.inputSeal, binding);
      if (asked) return asked;
      // A function may answer with a JSON-RPC error ("Server errors", server/tools "Error Handling").
      const asError = parseProtocolError(outcome.payload);
      if (asError !== undefined && !('problem' in asError)) throw new ProtocolError(asError.code, asError.message, asError.data);
    }
    // `_sessionState` operations are kept before the client sees the result, so its
    // next request, on any environment, reads the new state (tools/tool-session-state.ts).
    const taken = takeSessionStateChanges(outcome);
    let result: CallToolResult = toCallToolResult(name, taken.outcome, { outputSchema: tool.outputSchema, validators });
    if (taken.changes !== undefined) {
      const kept = await keepSessionState(
        { toolName: name, sessionId: call.sessionId, seen: call.sessionState, store: deps.sessionState }, taken.changes,
      );
      if (!kept.kept && !kept.ignored) result = withSessionStateError(result, kept.error);
    }
    // The era's wire projection (SEP-2106 text fallback; the 2025 `{result}` wrap).
    return server.projectCallToolResult(result, tool.outputSchema);
  });
}

/** resources/list, resources/templates/list and resources/read. */
function installResources(scope: RequestScope): void {
  const { snapshot, index, deps, server, pageSize, caller, contextFor, invoke } = scope;
  const { resourcesByUri } = index;
  server.setRequestHandler('resources/list', (request) => {
    const page = pageAfter(snapshot.resources, 'resources/list', request.params?.cursor, pageSize);
    return { resources: page.items.map(resourceDefinition), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  });
  server.setRequestHandler('resources/templates/list', (request) => {
    const page = pageAfter(snapshot.resourceTemplates, 'resources/templates/list', request.params?.cursor, pageSize);
    return { resourceTemplates: page.items.map(templateDefinition), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  });
  server.setRequestHandler('resources/read', async (request, ctx) => {
    const { uri } = request.params;
    const resource = resourcesByUri.get(uri);
    if (resource) {
      if (!resource.lambdaArn && !resource.handler) return staticContents(resource);
      return readFromFunction(resource, { uri, context: eventContext(contextFor(ctx)) }, uri, resource.mimeType, ctx);
    }
    for (const template of snapshot.resourceTemplates) {
      const variables = templateOf(template.uriTemplate)?.match(uri);
      const control = variables ? controlCharacterIn(variables) : undefined;
      if (control) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Invalid params: the resource URI gives template variable '${control.name}' a control character (${control.codePoint}); control characters are refused`,
        );
      }
      if (variables && !climbsOutOfTemplate(variables)) {
        return readFromFunction(template, { uri, variables, context: eventContext(contextFor(ctx)) }, uri, template.mimeType, ctx);
      }
    }
    // The SDK answers a miss with the code each protocol era expects (see report).
    throw new ResourceNotFoundError(uri);
  });
  const readFromFunction = async (
    item: ResourceItem | ResourceTemplateItem,
    event: object,
    uri: string,
    mimeType: string | undefined,
    ctx: ServerContext,
  ) => {
    // A resource function may ask for input like a tool; its state is bound to the URI.
    const binding = { tool: `resource:${uri}`, caller };
    const retry = await incomingRound(ctx, deps.inputSeal, binding);
    const outcome = await invoke('resource', uri, item, withInputResponses(event, retry), ctx);
    if (!outcome.ok) throw new ProtocolError(ProtocolErrorCode.InternalError, describeFailure(`resource '${uri}'`, outcome.kind, outcome.message));
    const asked = await itemOutgoingRound(`the function behind resource '${uri}'`, outcome.payload, deps.inputSeal, binding);
    if (asked) return asked;
    const contents = functionContents(outcome.payload, uri, mimeType);
    if (typeof contents === 'string') throw new ProtocolError(ProtocolErrorCode.InternalError, `the function behind resource '${uri}' returned an invalid result: ${contents}`);
    return contents;
  };
}

// 2025-era resources/subscribe and resources/unsubscribe (2025-11-25 server/resources,
// "Subscriptions"): kept with the session, so the GET stream on any environment
// delivers `notifications/resources/updated` for the URI. 2026-07-28 has no such
// methods: its clients name URIs in `subscriptions/listen`.
function installResourceSubscriptions(scope: RequestScope, subscriptions: NonNullable<EventCapabilityDeps['subscriptions']>): void {
  const { call, server } = scope;
  const sessionId = call.sessionId!;
  const checkUri = (uri: string) => {
    if (Buffer.byteLength(uri, 'utf8') > MAX_SUBSCRIPTION_URI_BYTES) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid params: the resource URI is over ${MAX_SUBSCRIPTION_URI_BYTES} bytes`);
    }
  };
  server.setRequestHandler('resources/subscribe', async (request) => {
    const { uri } = request.params;
    checkUri(uri);
    try {
      if (!(await subscriptions.add(sessionId, uri))) throw new ProtocolError(ProtocolErrorCode.InvalidRequest, 'Session not found: it expired or was deleted');
    } catch (error) {
      if (error instanceof SubscriptionLimitError) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid params: ${error.message}`);
      throw error;
    }
    return {};
  });
  server.setRequestHandler('resources/unsubscribe', async (request) => {
    const { uri } = request.params;
    checkUri(uri);
    if (!(await subscriptions.remove(sessionId, uri))) throw new ProtocolError(ProtocolErrorCode.InvalidRequest, 'Session not found: it expired or was deleted');
    return {};
  });
}

/** prompts/list and prompts/get. */
function installPrompts(scope: RequestScope): void {
  const { snapshot, index, deps, server, pageSize, caller, contextFor, invoke } = scope;
  const { promptsByName } = index;
  server.setRequestHandler('prompts/list', (request) => {
    const page = pageAfter(snapshot.prompts, 'prompts/list', request.params?.cursor, pageSize);
    return { prompts: page.items.map(promptDefinition), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  });
  server.setRequestHandler('prompts/get', async (request, ctx) => {
    const { name } = request.params;
    const prompt = promptsByName.get(name);
    // An unknown prompt is -32602 (2025-11-25, server/prompts, "Error Handling").
    if (!prompt) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name}`);
    const args = checkPromptArguments(prompt, request.params.arguments);
    if (!prompt.lambdaArn && !prompt.handler) return renderStaticPrompt(prompt, args);
    // A prompt function may ask for input like a tool (s2c/input-required-contract.ts).
    // Its sealed state is bound to the prompt, so a tool's state cannot be replayed here.
    const binding = { tool: `prompt:${name}`, caller };
    const retry = await incomingRound(ctx, deps.inputSeal, binding);
    const event = withInputResponses({ prompt: name, arguments: args, context: eventContext(contextFor(ctx)) }, retry);
    const outcome = await invoke('prompt', name, prompt, event, ctx);
    if (!outcome.ok) throw new ProtocolError(ProtocolErrorCode.InternalError, describeFailure(`prompt '${name}'`, outcome.kind, outcome.message));
    const asked = await itemOutgoingRound(`prompt '${name}'`, outcome.payload, deps.inputSeal, binding);
    if (asked) return asked;
    const result = promptFunctionResult(outcome.payload);
    if (typeof result === 'string') throw new ProtocolError(ProtocolErrorCode.InternalError, `prompt '${name}' returned an invalid result: ${result}`);
    return result;
  });
}

/** completion/complete over the registered prompt arguments and template variables. */
function installCompletions(scope: RequestScope): void {
  const { snapshot, index, server } = scope;
  const { promptsByName, resourcesByUri } = index;
  server.setRequestHandler('completion/complete', (request) => {
    const { ref, argument } = request.params;
    let values: readonly string[] | undefined;
    if (ref.type === 'ref/prompt') {
      const prompt = promptsByName.get(ref.name);
      if (!prompt) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
      values = prompt.arguments?.find((a) => a.name === argument.name)?.completions;
    } else if (ref.type === 'ref/resource') {
      const template = snapshot.resourceTemplates.find((t) => t.uriTemplate === ref.uri);
      if (!template && !resourcesByUri.has(ref.uri)) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown resource template: ${ref.uri}`);
      }
      values = template?.completions?.[argument.name];
    } else {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown completion reference type: ${(ref as { type?: unknown }).type}`);
    }
    return completionOf(values ?? [], argument.value);
  });
}

function toolDefinition(tool: ToolItem) {
  return pick(tool, ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations', 'icons', '_meta']) as {
    name: string;
    inputSchema: { type: 'object'; [key: string]: unknown };
  };
}

function resourceDefinition(resource: ResourceItem) {
  const listed = pick(resource, ['uri', 'name', 'title', 'description', 'mimeType', 'annotations', 'icons']) as { uri: string; name: string };
  // The size of static content is known; clients may use it (Resource.size).
  if (resource.text !== undefined) return { ...listed, size: Buffer.byteLength(resource.text) };
  if (resource.blob !== undefined) return { ...listed, size: Buffer.from(resource.blob, 'base64').byteLength };
  return listed;
}

function templateDefinition(template: ResourceTemplateItem) {
  return pick(template, ['uriTemplate', 'name', 'title', 'description', 'mimeType', 'annotations', 'icons']) as { uriTemplate: string; name: string };
}

function promptDefinition(prompt: PromptItem) {
  const listed = pick(prompt, ['name', 'title', 'description', 'icons']) as { name: string };
  if (!prompt.arguments) return listed;
  return { ...listed, arguments: prompt.arguments.map((a) => pick(a, ['name', 'description', 'required']) as { name: string }) };
}

function completionOf(values: readonly string[], prefix: string): CompleteResult {
  const lower = prefix.toLowerCase();
  const matching = values.filter((v) => v.toLowerCase().startsWith(lower));
  return { completion: { values: matching.slice(0, MAX_COMPLETIONS), total: matching.length, hasMore: matching.length > MAX_COMPLETIONS } };
}

/** The listed fields that are present, in a fixed order, without internal ones (order, version, lambdaArn). */
function pick<T extends object>(item: T, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (item as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

const parsedTemplates = new Map<string, UriTemplate | null>();

/** The parsed template, once per environment; null when it does not parse (then nothing matches it). */
function templateOf(uriTemplate: string): UriTemplate | null {
  let parsed = parsedTemplates.get(uriTemplate);
  if (parsed === undefined) {
    try {
      parsed = new UriTemplate(uriTemplate);
    } catch {
      parsed = null;
    }
    if (parsedTemplates.size > 1000) parsedTemplates.clear();
    parsedTemplates.set(uriTemplate, parsed);
  }
  return parsed;
}
