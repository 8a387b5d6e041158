/**
 * A task (MCP 2025-11-25 basic/utilities/tasks): the durable state of a task-augmented
 * `tools/call` whose work runs in its own Lambda invocation. What is stored, the state
 * machine, and the wire `Task` a client sees.
 */
import type { Principal } from './principal';

export const TASK_STATUSES = ['working', 'input_required', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** "Task Status Lifecycle": these never change again. */
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * "Task Status Lifecycle", rule 2: from `working` to any other status; from
 * `input_required` to any other; never out of a terminal status.
 */
export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return !isTerminal(from) && from !== to;
}

/** The statuses a task may be in when it moves to `to` (for conditional writes). */
export function sourcesOf(to: TaskStatus): TaskStatus[] {
  return TASK_STATUSES.filter((from) => canTransition(from, to));
}

/** The request the task runs: everything the invocation that runs it needs. */
export interface TaskRequest {
  readonly method: 'tools/call';
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  readonly protocolVersion: string;
  /** The JSON-RPC id of the creating request, for logs. */
  readonly requestId: string;
  readonly sessionId?: string;
  readonly principal?: Principal;
  readonly progressToken?: string | number;
  /**
   * The answers and the function's own (opened) state of the synchronous rounds that
   * ran before the task was created (a tool with `inputBeforeTask`): the task's first
   * run gets them as a retried invocation would. Kept server-side only.
   */
  readonly inputResponses?: Record<string, unknown>;
  readonly requestState?: string;
}

/**
 * A round of input a running task waits for (the 2026-07-28 tasks extension: status
 * `input_required`, its `inputRequests` on `tasks/get`, the answers through
 * `tasks/update`). Keys are the function's own prefixed with the round (`2.confirm`):
 * a key names one request over the task's whole lifetime ("Task Update Requests").
 */
export interface TaskInputRound {
  readonly round: number;
  readonly pending: Record<string, { readonly method: string; readonly params?: Record<string, unknown> }>;
  /** Answers received so far, under the same keys. */
  readonly answers: Record<string, unknown>;
  /** The function's own state: kept here, server-side, so it is never sent to the client. */
  readonly requestState?: string;
}

/** What `tasks/result` returns for a terminal task: the underlying request's result or JSON-RPC error. */
export type TaskOutcome =
  | { readonly result: Record<string, unknown> }
  | { readonly error: { readonly code: number; readonly message: string; readonly data?: unknown } };

export interface TaskRecord {
  /** Unique, receiver-generated ("Task ID Requirements"); time-ordered, so listing is in creation order. */
  readonly taskId: string;
  /** Who may see it: tasks/get, tasks/result, tasks/list and tasks/cancel of anyone else find nothing. */
  readonly owner: string;
  readonly status: TaskStatus;
  readonly statusMessage?: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms. */
  readonly lastUpdatedAt: number;
  /** Lifetime from creation, in ms (the `ttl` the client sees). */
  readonly ttlMs: number;
  /** Suggested polling interval, in ms. */
  readonly pollIntervalMs: number;
  /** Epoch ms after which a task that is not terminal is stuck (its invocation died) and reads as failed. */
  readonly runDeadline: number;
  /** Epoch seconds; the table's TTL attribute: createdAt + ttl. */
  readonly expiresAt: number;
  /** Epoch ms at which an invocation took the task to run it; absent until then. */
  readonly startedAt?: number;
  readonly request: TaskRequest;
  /** Set once the task is terminal. */
  readonly outcome?: TaskOutcome;
  /** The round of input the task waits for, or resumes with. */
  readonly input?: TaskInputRound;
  /** The last input round an invocation took to resume the task (claimed once, like the first run). */
  readonly claimedRound?: number;
}

/** The wire `Task` (2025-11-25 schema): ISO 8601 times, `ttl` and `pollInterval` in ms. */
export interface WireTask {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly statusMessage?: string;
  readonly createdAt: string;
  readonly lastUpdatedAt: string;
  readonly ttl: number;
  readonly pollInterval?: number;
}

export function toWireTask(record: TaskRecord): WireTask {
  return {
    taskId: record.taskId,
    status: record.status,
    ...(record.statusMessage !== undefined ? { statusMessage: record.statusMessage } : {}),
    createdAt: new Date(record.createdAt).toISOString(),
    lastUpdatedAt: new Date(record.lastUpdatedAt).toISOString(),
    ttl: record.ttlMs,
    ...(isTerminal(record.status) ? {} : { pollInterval: record.pollIntervalMs }),
  };
}

/** The `_meta` key that ties a message to its task ("Related Task Metadata"). */
export const RELATED_TASK_META_KEY = 'io.modelcontextprotocol/related-task';
