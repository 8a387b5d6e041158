/**
 * Starts the invocation that runs a task. The work of a task never runs after the
 * response that created it: Lambda freezes the environment then (ARCHITECTURE.md, "The platform facts
 * that shaped the design"). Deployed, the function invokes itself asynchronously
 * (lambda-task-runner.ts); locally, the dev server runs it in process on a fresh async
 * context (local-task-runner.ts).
 */
import type { TaskEvent } from './task-event';

export interface TaskRunner {
  /** Resolves once the run is handed off (queued by Lambda, or scheduled in process); throws when it could not be. */
  start(event: TaskEvent): Promise<void>;
}
