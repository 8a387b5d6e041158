/**
 * Tasks (MCP 2025-11-25 basic/utilities/tasks) in the session table. One item per
 * task under its owner's partition (`pk = TASKS#<owner>`, `sk = TASK#<taskId>`): a
 * lookup always names the owner, so another principal's task is simply absent, and
 * `tasks/list` is one Query in creation order (task ids are time-ordered).
 */
import type { TaskInputRound, TaskOutcome, TaskRecord, TaskStatus } from '../model/task-record';

export class InvalidTaskCursorError extends Error {
  constructor() {
    super('the cursor is not one this server issued for tasks/list');
    this.name = 'InvalidTaskCursorError';
  }
}

export interface TaskPatch {
  readonly status: TaskStatus;
  readonly statusMessage?: string;
  readonly outcome?: TaskOutcome;
  /** The input round to keep; null removes it. */
  readonly input?: TaskInputRound | null;
  /** A new run deadline (a task resumed after waiting for input gets a fresh run limit). */
  readonly runDeadline?: number;
}

/** A further condition on an update. */
export interface TaskUpdateCondition {
  /**
   * The input round the writer read: the write holds only if the stored round is still
   * exactly that one (a compare-and-set), so two writers that each add answers to what
   * they read cannot overwrite each other's; the loser reads again and retries.
   */
  readonly input?: TaskInputRound;
}

export interface TaskPage {
  readonly tasks: TaskRecord[];
  readonly nextCursor?: string;
}

export type ClaimOutcome = 'claimed' | 'already-claimed' | 'gone';

export interface TaskStore {
  create(record: TaskRecord): Promise<void>;
  /** The live task, or undefined when unknown, expired or another owner's. */
  get(owner: string, taskId: string): Promise<TaskRecord | undefined>;
  /**
   * Moves the task to `patch.status` if it is live and its status is one of `from`
   * (a conditional write: two environments racing, say a cancel and a completion,
   * cannot both win), and `condition` holds. Returns the new record, or undefined when
   * a condition failed.
   */
  update(
    owner: string, taskId: string, patch: TaskPatch, from: readonly TaskStatus[], condition?: TaskUpdateCondition,
  ): Promise<TaskRecord | undefined>;
  /**
   * Marks the task as taken by the invocation that runs it, once. Lambda retries an
   * asynchronous invocation that failed; the retry must not run a tool a second time
   * (tools need not be idempotent), so it sees `already-claimed`.
   */
  claim(owner: string, taskId: string): Promise<ClaimOutcome>;
  /** The same, for the invocation that resumes the task after input round `round`. */
  claimRound(owner: string, taskId: string, round: number): Promise<ClaimOutcome>;
  /** The owner's live tasks, oldest first, `limit` at a time. Throws InvalidTaskCursorError. */
  list(owner: string, cursor: string | undefined, limit: number): Promise<TaskPage>;
}

export function taskPartitionKey(owner: string): string {
  return `TASKS#${owner}`;
}

export function taskSortKey(taskId: string): string {
  return `TASK#${taskId}`;
}
