/**
 * The event of the asynchronous self-invocation that runs a task (ARCHITECTURE.md, "The runtime's
 * layers", entry: the entry classifies it). It names the task only: the request lives
 * in the store, so the event stays far below the 256 KB limit of an asynchronous
 * invocation and carries no caller data through Lambda's event queue.
 */
export const TASK_EVENT_KEY = 'mcpLambdaServerTask';

export interface TaskEvent {
  readonly [TASK_EVENT_KEY]: {
    readonly version: 1;
    readonly owner: string;
    readonly taskId: string;
    /** Present when the invocation resumes the task after this input round. */
    readonly round?: number;
  };
}

export function taskEvent(owner: string, taskId: string, round?: number): TaskEvent {
  return { [TASK_EVENT_KEY]: { version: 1, owner, taskId, ...(round !== undefined ? { round } : {}) } };
}

export function isTaskEvent(event: unknown): event is TaskEvent {
  if (typeof event !== 'object' || event === null) return false;
  const body = (event as Record<string, unknown>)[TASK_EVENT_KEY] as Record<string, unknown> | undefined;
  return typeof body === 'object' && body !== null && body.version === 1 && typeof body.owner === 'string' && typeof body.taskId === 'string'
    && (body.round === undefined || (Number.isInteger(body.round) && (body.round as number) > 0));
}
