/**
 * The task methods of MCP 2025-11-25 (basic/utilities/tasks): creating a task for a
 * task-augmented `tools/call`, and `tasks/get`, `tasks/result`, `tasks/list`,
 * `tasks/cancel`. Every method names the caller's owner key (task-owner.ts), so a task
 * of another principal is "not found", never "forbidden". Errors are the spec's
 * ("Error Handling", "Protocol Errors"): -32602 for an unknown or expired task, a bad
 * cursor, or cancelling a terminal task.
 *
 * Any environment serves any of these: the state is in the store; the work runs in
 * the invocation the TaskRunner started.
 */
import { randomBytes } from 'node:crypto';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { isTaskEvent, taskEvent } from './task-event';
import type { TaskRunner } from './task-runner';
import { abortableSleep as sleep } from '../model/abortable-sleep';
import {
  isTerminal, RELATED_TASK_META_KEY, sourcesOf, type TaskRecord, type TaskRequest, toWireTask, type WireTask,
} from '../model/task-record';
import { InvalidTaskCursorError, type TaskStore } from '../store/task-store';

export interface TaskServiceOptions {
  readonly store: TaskStore;
  readonly runner: TaskRunner;
  /** Lifetime of a task when the client asks for none, in ms. @default 1 hour */
  readonly defaultTtlMs?: number;
  /** Longest lifetime granted ("Receivers MAY override the requested ttl"), in ms. @default 24 hours */
  readonly maxTtlMs?: number;
  /** The `pollInterval` suggested to clients, in ms. @default 2000 */
  readonly pollIntervalMs?: number;
  /** How often a blocked `tasks/result` reads the task, in ms. @default 1000 */
  readonly resultPollMs?: number;
  /** Tasks per `tasks/list` page. @default 50 */
  readonly pageSize?: number;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
}

export interface CreateTaskInput {
  readonly owner: string;
  readonly request: TaskRequest;
  /** The client's `params.task.ttl`, when it gave one. */
  readonly requestedTtlMs?: number;
  /** How long the run may take at most (the tool's timeout); past it plus a margin the task is stuck. */
  readonly runLimitMs: number;
}

/** What became of one input request relayed to a 2025-era client. */
export type RelayedAnswer =
  | { readonly answer: Record<string, unknown> }
  /** The client answered with a JSON-RPC error, or cannot be asked at all: the task cannot go on. */
  | { readonly refused: string }
  /** No answer reached this request (it ended, or gave up waiting); a later tasks/result asks again. */
  | undefined;

/** Sends one of the task's input requests to the requestor and waits for its answer. */
export type InputAsker = (
  request: { readonly method: string; readonly params?: Record<string, unknown> }, signal: AbortSignal,
) => Promise<RelayedAnswer>;

export interface ResultWait {
  readonly signal?: AbortSignal;
  /**
   * How this request relays a task's input requests to its client (2025-11-25 "Input
   * Required Status": the requestor calls tasks/result, and the receiver sends its
   * requests with the related-task metadata). Absent: the task's input is not relayed here.
   */
  readonly ask?: InputAsker;
  /** Epoch ms after which the invocation serving tasks/result dies. */
  readonly deadline: number;
  /** tasks/result answers this many ms before `deadline` if the task is still running. @default 3000 */
  readonly endMarginMs?: number;
}

/** Time a task may take to start (asynchronous invocation queueing, a cold start) on top of its run limit. */
const START_MARGIN_MS = 60_000;
/** One Lambda invocation runs at most 15 minutes, so no task runs longer. */
const MAX_RUN_MS = 15 * 60_000;
/** Compare-and-set retries of one `tasks/update`: more than the input requests a round may hold (s2c MAX_INPUT_REQUESTS). */
const MAX_UPDATE_ATTEMPTS = 32;

/** Compare-and-set attempts of a refusal against answers landing at the same moment. */
const MAX_REFUSAL_ATTEMPTS = 8;

export class TaskService {
  private readonly defaultTtlMs: number;
  private readonly maxTtlMs: number;
  private readonly pollIntervalMs: number;
  private readonly resultPollMs: number;
  private readonly pageSize: number;
  private readonly now: () => number;

  constructor(private readonly options: TaskServiceOptions) {
    this.defaultTtlMs = options.defaultTtlMs ?? 3_600_000;
    this.maxTtlMs = options.maxTtlMs ?? 86_400_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 2_000;
    this.resultPollMs = options.resultPollMs ?? 1_000;
    this.pageSize = options.pageSize ?? 50;
    this.now = options.now ?? Date.now;
  }

  /** "Creating Tasks": stores the task, starts its invocation, and returns the CreateTaskResult at once. */
  async create(input: CreateTaskInput): Promise<{ task: WireTask }> {
    return { task: toWireTask(await this.createRecord(input)) };
  }

  /** Stores the task and starts its invocation; the task as stored (failed when it could not start). */
  async createRecord(input: CreateTaskInput): Promise<TaskRecord> {
    const createdAt = this.now();
    const requested = input.requestedTtlMs;
    const ttlMs = Math.min(this.maxTtlMs, typeof requested === 'number' && Number.isFinite(requested) && requested > 0 ? Math.floor(requested) : this.defaultTtlMs);
    const record: TaskRecord = {
      taskId: newTaskId(createdAt),
      owner: input.owner,
      status: 'working',
      statusMessage: 'The task is queued to run.',
      createdAt,
      lastUpdatedAt: createdAt,
      ttlMs,
      pollIntervalMs: this.pollIntervalMs,
      runDeadline: createdAt + Math.min(MAX_RUN_MS, input.runLimitMs) + START_MARGIN_MS,
      expiresAt: Math.ceil((createdAt + ttlMs) / 1000),
      request: input.request,
    };
    await this.options.store.create(record);
    try {
      const event = taskEvent(record.owner, record.taskId);
      if (!isTaskEvent(event)) throw new Error('malformed task event');
      await this.options.runner.start(event);
    } catch (error) {
      const failed = await this.options.store.update(record.owner, record.taskId, {
        status: 'failed',
        statusMessage: `The task could not be started: ${error instanceof Error ? error.message : String(error)}`,
        outcome: { error: { code: ProtocolErrorCode.InternalError, message: 'the task could not be started' } },
      }, sourcesOf('failed'));
      return failed ?? record;
    }
    return record;
  }

  /** `tasks/get`. */
  async get(owner: string, taskId: unknown): Promise<WireTask> {
    return toWireTask(await this.current(owner, taskId));
  }

  /** The task as stored (stuck ones failed first); -32602 when it is not the caller's or not there. */
  async record(owner: string, taskId: unknown): Promise<TaskRecord> {
    return this.current(owner, taskId);
  }

  /**
   * A cancellation that is only a request (the 2026-07-28 tasks extension: an
   * acknowledgement, "cooperative"): a running task is cancelled, a finished one is
   * left as it is. -32602 only for a task that is not the caller's or not there.
   */
  async requestCancel(owner: string, taskId: unknown): Promise<void> {
    const task = await this.current(owner, taskId);
    if (isTerminal(task.status)) return;
    await this.options.store.update(owner, task.taskId, { status: 'cancelled', statusMessage: 'The task was cancelled by request.' }, sourcesOf('cancelled'));
  }

  /**
   * `tasks/update` of the 2026-07-28 tasks extension ("Task Update Requests"): keeps the
   * answers to the task's outstanding input requests and, once every one is answered,
   * moves the task back to `working` and starts the invocation that resumes the tool
   * with them. Answers to keys that are not outstanding (never issued, already
   * answered, another round's) are ignored, as the extension lets a server do; a partial
   * set keeps the task in `input_required`.
   *
   * Partial answers may arrive concurrently on different environments, so each write is
   * a compare-and-set on the round as it was read (and on the status, so a cancel in
   * between wins): a writer that lost re-reads the round, adds its answers to the ones
   * now stored, and tries again. Exactly one writer completes the round and starts the
   * resuming invocation.
   */
  async provideInput(owner: string, taskId: unknown, responses: Record<string, unknown> | undefined): Promise<void> {
    let task = await this.current(owner, taskId);
    if (!responses) return;
    for (let attempt = 0; ; attempt++) {
      const input = task.input;
      if (task.status !== 'input_required' || !input) return;
      const answers = { ...input.answers };
      let added = 0;
      for (const [key, answer] of Object.entries(responses)) {
        if (Object.prototype.hasOwnProperty.call(input.pending, key) && !Object.prototype.hasOwnProperty.call(answers, key)) {
          answers[key] = answer;
          added++;
        }
      }
      if (added === 0) return;
      const complete = Object.keys(input.pending).every((key) => Object.prototype.hasOwnProperty.call(answers, key));
      const patch = complete
        ? { status: 'working' as const, statusMessage: 'The tool resumes with the answers.', input: { ...input, answers }, runDeadline: this.now() + MAX_RUN_MS + START_MARGIN_MS }
        : { status: 'input_required' as const, input: { ...input, answers } };
      const written = await this.options.store.update(owner, task.taskId, patch, ['input_required'], { input });
      if (written) {
        if (complete) await this.resume(owner, task.taskId, input.round);
        return;
      }
      // Another writer changed the task first. Each retry follows a write that
      // succeeded elsewhere, so the loop ends; the bound only guards against a store
      // that refuses every write.
      if (attempt >= MAX_UPDATE_ATTEMPTS) {
        throw new ProtocolError(ProtocolErrorCode.InternalError, `the answers to task ${task.taskId} could not be stored: too many concurrent updates; send them again`);
      }
      const again = await this.options.store.get(owner, task.taskId);
      if (!again) return;
      task = again;
    }
  }

  /** Starts the invocation that resumes the task after input round `round`; the task fails when it cannot start. */
  private async resume(owner: string, taskId: string, round: number): Promise<void> {
    try {
      await this.options.runner.start(taskEvent(owner, taskId, round));
    } catch (error) {
      await this.options.store.update(owner, taskId, {
        status: 'failed',
        statusMessage: `The task could not be resumed: ${error instanceof Error ? error.message : String(error)}`,
        outcome: { error: { code: ProtocolErrorCode.InternalError, message: 'the task could not be resumed' } },
        input: null,
      }, sourcesOf('failed'));
    }
  }

  /**
   * `tasks/result` ("Result Retrieval"): the underlying request's result (with the
   * related-task `_meta`) or its JSON-RPC error once the task is terminal; until then
   * it blocks, reading the store, for as long as this invocation can. A task still
   * running when the invocation must end gets an error that says to ask again.
   */
  async result(owner: string, taskId: unknown, wait: ResultWait): Promise<Record<string, unknown>> {
    const giveUpAt = wait.deadline - (wait.endMarginMs ?? 3_000);
    let task = await this.current(owner, taskId);
    // Input requests relayed by this request, by key: each is asked once per tasks/result.
    const relayed = new Map<string, Promise<void>>();
    const stopRelays = new AbortController();
    const onAbort = () => stopRelays.abort();
    wait.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      while (!isTerminal(task.status)) {
        if (wait.signal?.aborted) throw new ProtocolError(ProtocolErrorCode.InternalError, 'the request was cancelled while waiting for the task');
        if (wait.ask && task.status === 'input_required' && task.input) this.relayInput(task, wait.ask, relayed, stopRelays.signal);
        const left = giveUpAt - this.now();
        if (left <= 0) {
          throw new ProtocolError(ProtocolErrorCode.InternalError, `task ${task.taskId} is still ${task.status}; this request could wait no longer: call tasks/result again, or poll tasks/get`);
        }
        await sleep(Math.min(this.resultPollMs, left), wait.signal);
        task = await this.current(owner, task.taskId);
      }
    } finally {
      // Requests still unanswered are given up: the task no longer needs them, or a later tasks/result asks again.
      wait.signal?.removeEventListener('abort', onAbort);
      stopRelays.abort();
      await Promise.all(relayed.values());
    }
    const related = { [RELATED_TASK_META_KEY]: { taskId: task.taskId } };
    const outcome = task.outcome;
    if (outcome && 'result' in outcome) {
      const meta = (outcome.result._meta ?? {}) as Record<string, unknown>;
      return { ...outcome.result, _meta: { ...meta, ...related } };
    }
    // The function's own error data, when it set some; otherwise the related-task tie.
    if (outcome && 'error' in outcome) throw new ProtocolError(outcome.error.code, outcome.error.message, outcome.error.data ?? related);
    throw new ProtocolError(ProtocolErrorCode.InternalError, `task ${task.taskId} was ${task.status} before it produced a result`, related);
  }

  /**
   * Sends each outstanding input request of the task, not yet sent by this request, to
   * the requestor; an answer is kept as `tasks/update` keeps one (provideInput: the
   * compare-and-set on the round), and the last one resumes the task. A refusal fails
   * the task with an `isError` result saying which request could not be answered and
   * why, as a synchronous call of the tool would have ended.
   */
  private relayInput(task: TaskRecord, ask: InputAsker, relayed: Map<string, Promise<void>>, signal: AbortSignal): void {
    const input = task.input!;
    for (const [key, request] of Object.entries(input.pending)) {
      if (relayed.has(key) || Object.prototype.hasOwnProperty.call(input.answers, key)) continue;
      const relay = ask(request, signal).then(async (outcome) => {
        if (outcome === undefined) return;
        // An answer that arrived is kept even if this request is ending: the client gave it.
        if ('answer' in outcome) {
          await this.provideInput(task.owner, task.taskId, { [key]: outcome.answer });
          return;
        }
        if (signal.aborted) return;
        await this.failForRefusal(task.owner, task.taskId, input.round, key, request.method, outcome.refused);
      }).catch(() => undefined); // a failed store write: the next poll reads the task again
      relayed.set(key, relay);
    }
  }

  /**
   * Fails the task for a refused input request, but only while that request of that
   * round is still unanswered: another `tasks/result` may have had it answered (and the
   * task moved on to a later round) meanwhile. The write is a compare-and-set on the
   * round as read, retried when answers to other requests land in between.
   */
  private async failForRefusal(owner: string, taskId: string, round: number, key: string, method: string, refused: string): Promise<void> {
    const text = `the tool's request for input (${method}) could not be answered: ${refused}`;
    for (let attempt = 0; attempt < MAX_REFUSAL_ATTEMPTS; attempt++) {
      const current = await this.options.store.get(owner, taskId);
      const input = current?.status === 'input_required' ? current.input : undefined;
      if (!input || input.round !== round || !Object.prototype.hasOwnProperty.call(input.pending, key)
        || Object.prototype.hasOwnProperty.call(input.answers, key)) return;
      const failed = await this.options.store.update(owner, taskId, {
        status: 'failed',
        statusMessage: `The client could not answer the tool's request for input: ${refused}`,
        outcome: { result: { content: [{ type: 'text', text }], isError: true } },
        input: null,
      }, ['input_required'], { input });
      if (failed) return;
    }
  }

  /** `tasks/list` ("Task Listing"): the caller's tasks, oldest first, with a cursor. */
  async list(owner: string, cursor: unknown): Promise<{ tasks: WireTask[]; nextCursor?: string }> {
    if (cursor !== undefined && typeof cursor !== 'string') throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid params: the cursor must be a string');
    try {
      const page = await this.options.store.list(owner, cursor, this.pageSize);
      const tasks = await Promise.all(page.tasks.map((t) => this.failIfStuck(t)));
      return { tasks: tasks.map(toWireTask), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    } catch (error) {
      if (error instanceof InvalidTaskCursorError) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid params: ${error.message}`);
      throw error;
    }
  }

  /**
   * `tasks/cancel` ("Task Cancellation"): a terminal task is refused with -32602;
   * otherwise the task is `cancelled` before the response, and the invocation running
   * it sees that at its next poll and aborts the tool invocation.
   */
  async cancel(owner: string, taskId: unknown): Promise<WireTask> {
    const task = await this.current(owner, taskId);
    if (isTerminal(task.status)) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid params: task ${task.taskId} is already ${task.status} and cannot be cancelled`);
    }
    const cancelled = await this.options.store.update(owner, task.taskId, {
      status: 'cancelled',
      statusMessage: 'The task was cancelled by request.',
    }, sourcesOf('cancelled'));
    if (cancelled) return toWireTask(cancelled);
    // It became terminal between the read and the write.
    const now = await this.current(owner, task.taskId);
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid params: task ${now.taskId} is already ${now.status} and cannot be cancelled`);
  }

  private async current(owner: string, taskId: unknown): Promise<TaskRecord> {
    if (typeof taskId !== 'string' || taskId.length === 0 || taskId.length > 200) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid params: taskId must be a non-empty string');
    }
    const task = await this.options.store.get(owner, taskId);
    if (!task) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Failed to retrieve task: Task not found (unknown, expired, or not yours)');
    return this.failIfStuck(task);
  }

  /** A task not terminal past its run deadline lost its invocation (a crash, a timeout): it is failed, once, for everyone. */
  private async failIfStuck(task: TaskRecord): Promise<TaskRecord> {
    if (isTerminal(task.status) || this.now() <= task.runDeadline) return task;
    const failed = await this.options.store.update(task.owner, task.taskId, {
      status: 'failed',
      statusMessage: 'The task did not finish within its time limit; the invocation running it ended without a result.',
      outcome: { error: { code: ProtocolErrorCode.InternalError, message: 'the task did not finish within its time limit' } },
    }, sourcesOf('failed'));
    return failed ?? (await this.options.store.get(task.owner, task.taskId)) ?? task;
  }
}

/** Time-ordered (listing is creation order) and unguessable. */
function newTaskId(nowMs: number): string {
  return `${nowMs.toString(36).padStart(9, '0')}-${randomBytes(12).toString('base64url')}`;
}

