/**
 * Runs one task in the invocation the TaskRunner started (the entry classifies the
 * task event and calls `executeTask`). Steps:
 *
 * 1. claim the task, once: Lambda retries a failed asynchronous invocation, and a
 *    retry must not run the tool twice (tools need not be idempotent), so a task
 *    already claimed is marked failed instead;
 * 2. invoke the tool function as a synchronous `tools/call` would, while polling the
 *    store for cancellation: a `tasks/cancel` served by any environment aborts the
 *    tool invocation here (the function's own invocation, if a Lambda, runs on to its
 *    end; only our wait stops, as with any cancelled call);
 * 3. store the result, conditionally: a task cancelled meanwhile stays cancelled
 *    ("Task Cancellation", rule 3). A `CallToolResult` with `isError` makes the task
 *    `failed` ("Task Status": for tool calls, failed includes isError results), and
 *    `tasks/result` returns the result either way;
 *    Meanwhile the progress and log messages the tool reports (a streaming Lambda tool's
 *    lines, a local module's `sendProgress`/`sendLog`) go to the 2025-11-25 session that
 *    created the task, through its partition of the event log (task-notification-relay.ts);
 *    the relay is drained before the outcome is stored, so progress stops before the
 *    task is terminal;
 * 4. tell a 2025-era session that created the task: `notifications/tasks/status` with
 *    the task's state ("Task Status Notification": receivers MAY send it when the status
 *    changes, and SHOULD NOT add related-task metadata), appended to the session's
 *    partition of the event log, so its GET stream on whichever environment holds it
 *    delivers it. Only a convenience: requestors MUST NOT rely on it, so a failed append
 *    is logged and the task's outcome stands.
 */
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { TaskEvent } from './task-event';
import { TASK_EVENT_KEY } from './task-event';
import { TaskNotificationRelay } from './task-notification-relay';
import type { HandlerConfig } from '../model/config';
import { isTerminal, sourcesOf, toWireTask, type TaskInputRound, type TaskOutcome, type TaskRecord, type TaskStatus } from '../model/task-record';
import type { RegistrySource } from '../registry/registry-source';
import { isInputProblem, parseInputRequired } from '../s2c/input-required-contract';
import type { EventLog } from '../store/event-log';
import { ItemTooLargeError } from '../store/item-size';
import type { SessionStore } from '../store/session-store';
import type { TaskStore } from '../store/task-store';
import { sharedValidators } from '../tools/json-schema-validators';
import { toolEvent } from '../tools/tool-event';
import type { ToolInvoker } from '../tools/tool-invoker';
import { parseProtocolError, toCallToolResult, toolErrorResult } from '../tools/tool-result';

export interface TaskExecutorDeps {
  readonly config: HandlerConfig;
  readonly store: TaskStore;
  readonly registry: RegistrySource;
  readonly invoker: ToolInvoker;
  /** How often the running task reads the store for a cancellation, in ms. @default 1000 */
  readonly cancelPollMs?: number;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  readonly log?: (entry: Record<string, unknown>) => void;
  /** The event log open streams read; absent (events off): no status notifications, no relayed progress or logs. */
  readonly events?: EventLog;
  /** Where the creating session's log level is read when a run starts; absent: every level is relayed. */
  readonly sessions?: Pick<SessionStore, 'get'>;
  /** At most one progress append per this many ms (how often the client's GET stream reads the log). @default 1000 */
  readonly progressIntervalMs?: number;
  /** Progress and log messages relayed per run, at most. @default MAX_TASK_NOTIFICATIONS */
  readonly maxNotifications?: number;
}

export interface TaskInvocation {
  /** The Lambda request id of the invocation running the task. */
  readonly requestId: string;
  /** Epoch ms after which this invocation dies. */
  readonly deadline: number;
}

/** Kept back from the invocation's deadline to still store the outcome. */
const STORE_MARGIN_MS = 2_000;
/** The longest a run waits, after its tool invocation, for its progress and log messages to be appended. */
const RELAY_DRAIN_MS = 10_000;

/** What became of the task; `skipped` when it was gone or already terminal. */
export type TaskRunOutcome = TaskStatus | 'skipped';

export async function executeTask(deps: TaskExecutorDeps, event: TaskEvent, invocation: TaskInvocation): Promise<TaskRunOutcome> {
  const outcome = await runTask(deps, event, invocation);
  if (outcome !== 'skipped') await notifyStatus(deps, event, invocation);
  return outcome;
}

/** The 2025-11-25 task lifecycle is a session's; 2026-07-28 has none (its extension notifies over subscriptions/listen). */
const SESSIONLESS_PROTOCOL_VERSION = '2026-07-28';

async function notifyStatus(deps: TaskExecutorDeps, event: TaskEvent, invocation: TaskInvocation): Promise<void> {
  if (!deps.events) return;
  const { owner, taskId } = event[TASK_EVENT_KEY];
  try {
    const task = await deps.store.get(owner, taskId);
    const sessionId = task?.request.sessionId;
    if (!task || sessionId === undefined || task.request.protocolVersion === SESSIONLESS_PROTOCOL_VERSION) return;
    await deps.events.append({ sessionId, method: 'notifications/tasks/status', params: { ...toWireTask(task) } });
  } catch (error) {
    deps.log?.({ level: 'warn', message: 'notifications/tasks/status not sent', taskId, requestId: invocation.requestId, error: String(error) });
  }
}

async function runTask(deps: TaskExecutorDeps, event: TaskEvent, invocation: TaskInvocation): Promise<TaskRunOutcome> {
  const now = deps.now ?? Date.now;
  const { owner, taskId, round } = event[TASK_EVENT_KEY];
  const log = (entry: Record<string, unknown>) => deps.log?.({ taskId, requestId: invocation.requestId, ...entry });

  // The first run, or the run that resumes the task after an input round: each claimed once.
  const claim = round === undefined ? await deps.store.claim(owner, taskId) : await deps.store.claimRound(owner, taskId, round);
  if (claim === 'gone') return 'skipped';
  if (claim === 'already-claimed') {
    log({ level: 'warn', message: 'task invocation retried after its first attempt ended; not running the tool again' });
    return finish(deps.store, owner, taskId, 'failed', 'The invocation running the task ended before it finished; the tool is not run a second time.', {
      error: { code: ProtocolErrorCode.InternalError, message: 'the invocation running the task ended before it finished' },
    });
  }
  const task = await deps.store.get(owner, taskId);
  if (!task || isTerminal(task.status)) return 'skipped';
  // A resumed run needs the round it resumes, fully answered (tasks/update moved it back to working).
  const resumed = round === undefined ? undefined : task.input;
  if (round !== undefined && (task.status !== 'working' || resumed?.round !== round)) return 'skipped';

  const snapshot = await deps.registry.snapshot();
  const tool = snapshot.tools.find((t) => t.name === task.request.tool);
  if (!tool) {
    return finish(deps.store, owner, taskId, 'failed', `The tool ${task.request.tool} is no longer registered.`, {
      error: { code: ProtocolErrorCode.InvalidParams, message: `Unknown tool: ${task.request.tool}` },
    });
  }

  const cancelled = new AbortController();
  const watcher = watchForCancel(deps, task, cancelled);
  const limits = [(tool.timeoutSeconds ?? deps.config.toolTimeoutSeconds) * 1000, invocation.deadline - now() - STORE_MARGIN_MS];
  const event_ = {
    ...toolEvent(tool.name, task.request.arguments, {
      requestId: task.request.requestId,
      protocolVersion: task.request.protocolVersion,
      sessionId: task.request.sessionId,
      principal: task.request.principal,
      progressToken: task.request.progressToken,
    }),
    task: { taskId },
    ...(resumed ? resumeFields(resumed) : firstRunFields(task)),
  };
  const relay = hasReportChannel(tool) ? await notificationRelay(deps, task, log) : undefined;
  const startedAt = now();
  let outcome;
  try {
    outcome = await deps.invoker.invoke(tool, event_, { signal: cancelled.signal, timeoutMs: Math.max(0, Math.min(...limits)), ...relay?.sinks });
  } catch (error) {
    await relay?.abandon(invocation.deadline - STORE_MARGIN_MS - now());
    throw error;
  } finally {
    watcher.stop();
  }
  log({ level: 'info', message: 'task tool invocation ended', tool: tool.name, outcome: outcome.ok ? 'ok' : outcome.kind, latencyMs: now() - startedAt });
  if (cancelled.signal.aborted) {
    // Cancelled is terminal: nothing more of this run is relayed (progress, rule 3).
    await relay?.abandon(invocation.deadline - STORE_MARGIN_MS - now());
    return 'cancelled';
  }
  await relay?.close(Math.min(RELAY_DRAIN_MS, invocation.deadline - STORE_MARGIN_MS - now()));

  if (outcome.ok) {
    const input = parseInputRequired(outcome.payload);
    if (input !== undefined) return waitForInput(deps, task, tool.name, input, (resumed?.round ?? 0) + 1);
    // The function answered with a JSON-RPC error: the task fails with it (tasks extension,
    // "Task Execution Errors"; 2025-11-25 "Result Retrieval": tasks/result returns the error).
    const asError = parseProtocolError(outcome.payload);
    if (asError !== undefined && !('problem' in asError)) {
      return finish(deps.store, owner, taskId, 'failed', `The tool failed: ${asError.message}`, { error: asError }, task);
    }
  }
  await sharedValidators.prepare(tool.outputSchema);
  const result = toCallToolResult(tool.name, outcome, { outputSchema: tool.outputSchema });
  const status: TaskStatus = result.isError ? 'failed' : 'completed';
  try {
    return await finish(deps.store, owner, taskId, status, status === 'completed' ? 'The task completed.' : 'The tool reported an error.', { result: { ...result } }, task);
  } catch (error) {
    if (!(error instanceof ItemTooLargeError)) throw error;
    const tooLarge = toolErrorResult(`tool '${tool.name}' returned a result of ${error.bytes} bytes; a task keeps at most ${error.limit}`);
    return finish(deps.store, owner, taskId, 'failed', 'The result was too large to keep.', { result: { ...tooLarge } }, task);
  }
}

/**
 * Whether the function can report while it runs: a Lambda tool registered `streaming`
 * (its response stream's lines), or a local `handler` module (its context); a plain
 * Invoke has no channel back, so its runs read no session.
 */
function hasReportChannel(tool: { streaming?: boolean; lambdaArn?: string; handler?: string }): boolean {
  return tool.streaming === true || (tool.lambdaArn === undefined && tool.handler !== undefined);
}

/**
 * The relay of this run's progress and log messages, for a task a 2025-11-25 session
 * created: 2025-11-25 basic/utilities/tasks, "Task Progress Notifications", keeps the
 * request's progressToken valid for the task's lifetime. None for a 2026-07-28 task: the
 * tasks extension defines no progress or log messages for a task (only its
 * `statusMessage` and `notifications/tasks` status over subscriptions/listen), and there
 * is no session to deliver them to. None either when the session is gone: no stream can
 * read its partition.
 */
async function notificationRelay(
  deps: TaskExecutorDeps, task: TaskRecord, log: (entry: Record<string, unknown>) => void,
): Promise<TaskNotificationRelay | undefined> {
  const { sessionId, protocolVersion, progressToken } = task.request;
  if (!deps.events || sessionId === undefined || protocolVersion === SESSIONLESS_PROTOCOL_VERSION) return undefined;
  let logLevel: string | undefined;
  if (deps.sessions) {
    try {
      const session = await deps.sessions.get(sessionId);
      if (!session) return undefined;
      logLevel = session.logLevel;
    } catch (error) {
      // The GET stream applies the level again on delivery: relaying every level is safe.
      log({ level: 'warn', message: 'reading the session\'s log level failed; relaying every level', error: String(error) });
    }
  }
  return new TaskNotificationRelay({
    events: deps.events,
    sessionId,
    taskId: task.taskId,
    ...(progressToken !== undefined ? { progressToken } : {}),
    ...(logLevel !== undefined ? { logLevel } : {}),
    ...(deps.progressIntervalMs !== undefined ? { progressIntervalMs: deps.progressIntervalMs } : {}),
    ...(deps.maxNotifications !== undefined ? { maxNotifications: deps.maxNotifications } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    log,
  });
}

/** The first run's input: what the synchronous rounds before the task gathered (a tool with `inputBeforeTask`). */
function firstRunFields(task: TaskRecord): { inputResponses?: Record<string, unknown>; requestState?: string } {
  const { inputResponses, requestState } = task.request;
  return { ...(inputResponses !== undefined ? { inputResponses } : {}), ...(requestState !== undefined ? { requestState } : {}) };
}

/** The retried tool event's fields: the answers under the function's own keys, and its own state. */
function resumeFields(input: TaskInputRound): { inputResponses: Record<string, unknown>; requestState?: string } {
  const prefix = `${input.round}.`;
  const inputResponses: Record<string, unknown> = {};
  for (const [key, answer] of Object.entries(input.answers)) if (key.startsWith(prefix)) inputResponses[key.slice(prefix.length)] = answer;
  return { inputResponses, ...(input.requestState !== undefined ? { requestState: input.requestState } : {}) };
}

/**
 * The tool asked for input. The task waits in `input_required` with the requests under
 * round-prefixed keys (a key names one request over the task's whole life) until every
 * one is answered: through `tasks/update` under the 2026-07-28 tasks extension, or, for
 * a 2025-11-25 task, through the requests `tasks/result` relays to the client ("Input
 * Required Status"); task-service.ts `provideInput` keeps the answers and resumes the
 * task in a new invocation. Its deadline becomes the task's lifetime, as waiting for a
 * person is not running.
 */
async function waitForInput(
  deps: TaskExecutorDeps, task: TaskRecord, toolName: string, input: Exclude<ReturnType<typeof parseInputRequired>, undefined>, round: number,
): Promise<TaskRunOutcome> {
  const { owner, taskId } = task;
  if (isInputProblem(input) || !input.inputRequests) {
    const problem = isInputProblem(input) ? input.problem : 'a task waits only for inputRequests (a requestState alone leaves nothing to answer)';
    const result = toolErrorResult(`tool '${toolName}' returned an invalid input_required result: ${problem}`);
    return finish(deps.store, owner, taskId, 'failed', 'The tool asked for input in a form the server cannot relay.', { result: { ...result } }, task);
  }
  const pending: TaskInputRound['pending'] = {};
  for (const [key, request] of Object.entries(input.inputRequests)) pending[`${round}.${key}`] = request;
  const updated = await deps.store.update(owner, taskId, {
    status: 'input_required',
    statusMessage: 'The tool is waiting for input.',
    input: { round, pending, answers: {}, ...(input.requestState !== undefined ? { requestState: input.requestState } : {}) },
    runDeadline: task.expiresAt * 1000,
  }, ['working']);
  return updated?.status ?? (await deps.store.get(owner, taskId))?.status ?? 'skipped';
}

async function finish(
  store: TaskStore, owner: string, taskId: string, status: TaskStatus, statusMessage: string, outcome: TaskOutcome, task?: TaskRecord,
): Promise<TaskRunOutcome> {
  const updated = await store.update(owner, taskId, { status, statusMessage, outcome, ...(task?.input ? { input: null } : {}) }, sourcesOf(status));
  if (updated) return updated.status;
  // Cancelled (or failed as stuck) meanwhile: that status stands.
  return (await store.get(owner, taskId))?.status ?? 'skipped';
}

/** Polls the task; aborts `controller` once it reads as cancelled (or gone). */
function watchForCancel(deps: TaskExecutorDeps, task: TaskRecord, controller: AbortController): { stop(): void } {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      const current = await deps.store.get(task.owner, task.taskId);
      if (!current || current.status === 'cancelled') {
        controller.abort(new Error('the task was cancelled'));
        return;
      }
    } catch (error) {
      deps.log?.({ level: 'warn', message: 'reading the task for cancellation failed; retrying', taskId: task.taskId, error: String(error) });
    }
    if (!stopped) timer = setTimeout(() => void tick(), deps.cancelPollMs ?? 1_000);
  };
  timer = setTimeout(() => void tick(), deps.cancelPollMs ?? 1_000);
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
