/**
 * Wires 2025-11-25 tasks into the SDK server built for one request: the `tasks`
 * capability, `execution.taskSupport` on listed tools, the task methods, and the rules
 * for task-augmented `tools/call` (basic/utilities/tasks, "Capabilities" and
 * "Tool-Level Negotiation").
 *
 * Tasks are served to 2025-11-25 sessions only: the revision that defines them. The
 * SDK v2 has no runtime for them ("Task methods are 2025-11-25 wire vocabulary with no
 * SDK runtime"), but its 2025 codec still validates their requests, so the handlers
 * are installed by method name.
 */
import { ProtocolError, ProtocolErrorCode, type CallToolResult, type McpServer } from '@modelcontextprotocol/server';
import type { TaskService } from './task-service';
import type { ToolItem } from '../model/registry-item';
import type { WireTask } from '../model/task-record';

/** The revision that introduced tasks. */
export const TASKS_PROTOCOL_VERSION = '2025-11-25';

/** "Server Capabilities": list, cancel and task-augmented tools/call. */
export const TASKS_CAPABILITY = { list: {}, cancel: {}, requests: { tools: { call: {} } } } as const;

/** Whether a request in this session gets tasks (a 2025-11-25 session, with a task service). */
export function servesTasks(tasks: TaskService | undefined, protocolVersion: string, sessionId: string | undefined): tasks is TaskService {
  return tasks !== undefined && sessionId !== undefined && protocolVersion === TASKS_PROTOCOL_VERSION;
}

/** The tool's listing with `execution.taskSupport`, when it declares one. */
export function withTaskSupport<T extends object>(listed: T, tool: ToolItem): T {
  return tool.taskSupport === undefined ? listed : { ...listed, execution: { taskSupport: tool.taskSupport } };
}

/**
 * "Tool-Level Negotiation": a task-augmented call of a tool that does not support
 * tasks, and a plain call of one that requires them, get -32601. Returns whether the
 * call runs as a task.
 */
export function runsAsTask(tool: ToolItem, taskParams: unknown): boolean {
  const support = tool.taskSupport ?? 'forbidden';
  if (taskParams !== undefined) {
    if (support === 'forbidden') {
      throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `Tool '${tool.name}' does not support task-augmented calls (execution.taskSupport is 'forbidden'); call it without 'task'`);
    }
    return true;
  }
  if (support === 'required') {
    throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `Tool '${tool.name}' must be called as a task (execution.taskSupport is 'required'); add 'task': {} to the call`);
  }
  return false;
}

/**
 * The CreateTaskResult as the `tools/call` handler returns it. The SDK validates every
 * `tools/call` result as a CallToolResult and refuses one that carries `task` without
 * `content` ("another result family cannot default into an empty tools/call
 * success"), so an empty `content` rides along: Result objects admit extra members,
 * and clients read the `task`.
 */
export function createTaskResult(created: { task: WireTask }): CallToolResult {
  return { task: created.task, content: [] } as unknown as CallToolResult;
}

/** The requested `ttl` of `params.task`, when it is a positive number. */
export function requestedTtl(taskParams: unknown): number | undefined {
  const ttl = (taskParams as { ttl?: unknown } | null | undefined)?.ttl;
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? ttl : undefined;
}

export interface TaskMethodContext {
  readonly owner: string;
  /** Epoch ms after which the invocation serving the request dies (tasks/result blocks until shortly before it). */
  readonly deadline?: number;
  readonly signal?: AbortSignal;
}

type Handler = (request: { params?: Record<string, unknown> }) => Promise<Record<string, unknown>>;

/** Installs `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` on the server. */
export function installTaskMethods(mcp: McpServer, tasks: TaskService, call: TaskMethodContext): void {
  // The typed surface leaves task methods out; the 2025 codec validates them at run time.
  const set = mcp.server.setRequestHandler.bind(mcp.server) as unknown as (method: string, handler: Handler) => void;
  set('tasks/get', async (request) => ({ ...(await tasks.get(call.owner, request.params?.taskId)) }));
  set('tasks/result', (request) => tasks.result(call.owner, request.params?.taskId, {
    deadline: call.deadline ?? Date.now() + 60_000,
    signal: call.signal,
  }));
  set('tasks/list', async (request) => ({ ...(await tasks.list(call.owner, request.params?.cursor)) }));
  set('tasks/cancel', async (request) => ({ ...(await tasks.cancel(call.owner, request.params?.taskId)) }));
}
