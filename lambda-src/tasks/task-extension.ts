/**
 * The 2026-07-28 Tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663; spec:
 * modelcontextprotocol/experimental-ext-tasks, docs/specification/draft/tasks.mdx),
 * over the same task store, runner and executor as 2025-11-25 tasks:
 *
 * - the server advertises the extension in `server/discover` capabilities;
 * - task creation is server-directed: a `tools/call` of a tool with `taskSupport`
 *   `optional` or `required`, from a client that declares the extension in THIS
 *   request's capabilities, returns a `CreateTaskResult` (`resultType: "task"`, the
 *   task's fields flat, `ttlMs`, `pollIntervalMs`); a `required` tool called without
 *   the extension gets -32021 naming it (MissingRequiredClientCapability);
 * - `tasks/get` returns the detailed task: `result` once completed (tool results
 *   with `isError` included: this extension's `failed` is for JSON-RPC errors only),
 *   `error` once failed;
 * - a tool that asks for input (s2c/input-required-contract.ts) puts its task in
 *   `input_required`; `tasks/get` shows the outstanding `inputRequests` (round-prefixed
 *   keys, unique over the task's life), and `tasks/update` acknowledges, keeps the
 *   answers and resumes the task once all are in (task-service.ts `provideInput`);
 * - `tasks/cancel` acknowledges and cancels a running task (cooperative).
 *
 * SDK 2.4 has no runtime for the extension: its 2026-07-28 codec knows no `tasks/*`
 * methods, so the handlers are registered with explicit schemas (the SDK admits
 * `tasks/get` and `tasks/cancel` for the extension that way, and `tasks/update` as a
 * custom method), and the `CreateTaskResult` rides the `tools/call` result path,
 * whose `resultType` the SDK passes through.
 */
import { ProtocolError, type CallToolResult, type McpServer, type ServerContext } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';
import type { TaskService } from './task-service';
import type { ToolItem } from '../model/registry-item';
import { isTerminal, type TaskRecord } from '../model/task-record';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/**
 * `MissingRequiredClientCapability`: 2026-07-28 basic/index, "Error Codes", defines it as
 * -32021 in the sub-range the specification reserves (-32020 to -32099) and asks new
 * implementations not to use the legacy -32000 to -32019 codes; the extension's draft
 * text still shows -32003 from before that allocation, and the conformance suite's
 * `tasks-required-task-error` expects -32021.
 */
export const MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities';

/** Whether this request's own capabilities declare the extension (never a previous request's). */
export function declaresTasksExtension(ctx: ServerContext): boolean {
  // The envelope holds the reserved `_meta` keys as the request carried them.
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] as { extensions?: Record<string, unknown> } | undefined;
  return capabilities?.extensions?.[TASKS_EXTENSION] !== undefined;
}

/**
 * Whether a 2026-07-28 `tools/call` becomes a task: tools with `taskSupport`
 * `optional` or `required` do when the client declares the extension; a `required`
 * one without it is refused with -32021.
 */
export function runsAsExtensionTask(tool: ToolItem, ctx: ServerContext): boolean {
  const support = tool.taskSupport ?? 'forbidden';
  if (support === 'forbidden') return false;
  if (declaresTasksExtension(ctx)) return true;
  if (support === 'required') {
    throw new ProtocolError(MISSING_REQUIRED_CLIENT_CAPABILITY, `Missing required client capability: tool '${tool.name}' runs only as a task; declare the ${TASKS_EXTENSION} extension`, {
      requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
    });
  }
  return false;
}

/** The tool event's `task` field in the synchronous rounds of a tool with `inputBeforeTask`, before the task exists. */
export const ADMISSION_TASK_FIELD = { admission: true } as const;

/** Whether a function's payload asks for the task (`{ "resultType": "task" }`) after its synchronous rounds. */
export function asksForTask(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) && (payload as { resultType?: unknown }).resultType === 'task';
}

/** The extension's `Task` fields (ttlMs, pollIntervalMs), with `result` or `error` once terminal. */
export function detailedTask(record: TaskRecord): Record<string, unknown> {
  const outcome = record.outcome;
  // A tool's isError result completes the task here; only a JSON-RPC error fails it.
  const status = record.status === 'failed' && outcome && 'result' in outcome ? 'completed' : record.status;
  return {
    taskId: record.taskId,
    status,
    ...(record.statusMessage !== undefined ? { statusMessage: record.statusMessage } : {}),
    createdAt: new Date(record.createdAt).toISOString(),
    lastUpdatedAt: new Date(record.lastUpdatedAt).toISOString(),
    ttlMs: record.ttlMs,
    ...(isTerminal(record.status) ? {} : { pollIntervalMs: record.pollIntervalMs }),
    ...(record.status === 'input_required' && record.input ? { inputRequests: outstanding(record) } : {}),
    ...(status === 'completed' && outcome && 'result' in outcome ? { result: outcome.result } : {}),
    ...(status === 'failed' ? { error: outcome && 'error' in outcome ? outcome.error : { code: -32603, message: record.statusMessage ?? 'the task failed' } } : {}),
  };
}

/** The input requests not answered yet ("tasks/get after a partial update surfaces only the still-pending keys"). */
function outstanding(record: TaskRecord): Record<string, unknown> {
  const input = record.input!;
  return Object.fromEntries(Object.entries(input.pending).filter(([key]) => !Object.prototype.hasOwnProperty.call(input.answers, key)));
}

/**
 * The `CreateTaskResult` as the `tools/call` handler returns it: `resultType: "task"`
 * and the seed task. The SDK validates every `tools/call` result as a CallToolResult
 * (content defaults to empty), so `content: []` rides along; Result objects admit
 * extra members.
 */
export function extensionCreateTaskResult(record: TaskRecord): CallToolResult {
  const { result: _result, error: _error, ...task } = detailedTask(record);
  return { resultType: 'task', ...task, content: [] } as unknown as CallToolResult;
}

const TaskIdParams = z.looseObject({ taskId: z.string().min(1).max(200) });
const AnyResult = z.looseObject({});

/**
 * The extension's methods are the extension's: a request that does not declare it in its
 * own capabilities is refused with -32021 (2026-07-28 basic/index "Error Codes"; capability
 * negotiation is per request, so a declaration on an earlier request does not count).
 */
function requireExtension(ctx: ServerContext, method: string): void {
  if (declaresTasksExtension(ctx)) return;
  throw new ProtocolError(MISSING_REQUIRED_CLIENT_CAPABILITY, `Missing required client capability: ${method} belongs to the ${TASKS_EXTENSION} extension; declare it in this request's capabilities`, {
    requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });
}

/** Installs `tasks/get`, `tasks/update` and `tasks/cancel` for the extension. */
export function installTaskExtensionMethods(mcp: McpServer, tasks: TaskService, owner: string): void {
  const server = mcp.server;
  server.setRequestHandler('tasks/get', { params: TaskIdParams, result: AnyResult }, async (params, ctx) => {
    requireExtension(ctx, 'tasks/get');
    return detailedTask(await tasks.record(owner, params.taskId));
  });
  // The SDK lifts `inputResponses` off the params (ctx.mcpReq.inputResponses), as for
  // any multi round-trip retry.
  server.setRequestHandler('tasks/update', { params: TaskIdParams, result: AnyResult }, async (params, ctx) => {
    requireExtension(ctx, 'tasks/update');
    // Known task or -32602; answers to outstanding requests are kept, the rest ignored.
    const responses = ctx.mcpReq.inputResponses ?? (params as { inputResponses?: unknown }).inputResponses;
    await tasks.provideInput(owner, params.taskId, typeof responses === 'object' && responses !== null ? responses as Record<string, unknown> : undefined);
    return {};
  });
  server.setRequestHandler('tasks/cancel', { params: TaskIdParams, result: AnyResult }, async (params, ctx) => {
    requireExtension(ctx, 'tasks/cancel');
    await tasks.requestCancel(owner, params.taskId);
    return {};
  });
}
