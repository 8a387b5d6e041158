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
import {
  ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode, type CallToolResult, type McpServer, type ServerContext,
} from '@modelcontextprotocol/server';
import type { InputAsker, TaskService } from './task-service';
import type { ToolItem } from '../model/registry-item';
import { RELATED_TASK_META_KEY, type WireTask } from '../model/task-record';

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

type Handler = (request: { params?: Record<string, unknown> }, ctx: ServerContext) => Promise<Record<string, unknown>>;

/** The client capability each kind of input request needs (2025-11-25 client/elicitation, client/sampling, client/roots). */
const CAPABILITY_OF: Record<string, 'elicitation' | 'sampling' | 'roots'> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

/** The SDK's (and the relay's) RequestTimeout: no answer came in time, which is not a refusal. */
const REQUEST_TIMEOUT = -32001;

/**
 * Relays a task's input request to a 2025-11-25 client on the `tasks/result` stream
 * ("Input Required Status": the receiver sends its requests while the requestor waits
 * on tasks/result, and "Associating Task-Related Messages": each carries the
 * related-task metadata). The answer comes back through the store from whichever
 * environment the client's answering POST reaches (s2c/server-request-relay.ts).
 */
function inputAsker(mcp: McpServer, ctx: ServerContext, taskId: string, deadline: number): InputAsker {
  return async (request, signal) => {
    const capability = CAPABILITY_OF[request.method];
    if (capability === undefined) return { refused: `${request.method} is not a request a task may send` };
    if (!mcp.server.getClientCapabilities()?.[capability]) {
      return { refused: `the client did not declare the ${capability} capability` };
    }
    const params = request.params ?? {};
    const meta = (params._meta ?? {}) as Record<string, unknown>;
    try {
      const answer = await ctx.mcpReq.send(
        { method: request.method as 'elicitation/create', params: { ...params, _meta: { ...meta, [RELATED_TASK_META_KEY]: { taskId } } } },
        { signal, timeout: Math.max(1_000, deadline - Date.now()) },
      );
      return { answer: { ...answer } };
    } catch (error) {
      if (signal.aborted || (error instanceof ProtocolError && error.code === REQUEST_TIMEOUT)) return undefined;
      if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) return undefined;
      return { refused: error instanceof Error ? error.message : String(error) };
    }
  };
}

/** Installs `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` on the server. */
export function installTaskMethods(mcp: McpServer, tasks: TaskService, call: TaskMethodContext): void {
  // The typed surface leaves task methods out; the 2025 codec validates them at run time.
  const set = mcp.server.setRequestHandler.bind(mcp.server) as unknown as (method: string, handler: Handler) => void;
  set('tasks/get', async (request) => ({ ...(await tasks.get(call.owner, request.params?.taskId)) }));
  set('tasks/result', (request, ctx) => {
    const deadline = call.deadline ?? Date.now() + 60_000;
    const taskId = request.params?.taskId;
    return tasks.result(call.owner, taskId, {
      deadline,
      signal: call.signal,
      ...(typeof taskId === 'string' ? { ask: inputAsker(mcp, ctx, taskId, deadline) } : {}),
    });
  });
  set('tasks/list', async (request) => ({ ...(await tasks.list(call.owner, request.params?.cursor)) }));
  set('tasks/cancel', async (request) => ({ ...(await tasks.cancel(call.owner, request.params?.taskId)) }));
}
