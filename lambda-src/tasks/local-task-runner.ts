/**
 * The dev server's TaskRunner: runs the task in this process, after the creating
 * request has been answered, on an async context of its own (the runner's, not the
 * request's), so nothing scoped to the creating request (its abort signal, its
 * deadline) reaches the task. Locally the process does not freeze, so this is sound
 * there and only there.
 */
import { AsyncResource } from 'node:async_hooks';
import type { TaskEvent } from './task-event';
import type { TaskRunner } from './task-runner';

export interface LocalTaskRunnerOptions {
  /** Runs one task (task-executor.ts bound to the dev server's parts). */
  readonly execute: (event: TaskEvent) => Promise<void>;
  /** A run that threw. @default console.error */
  readonly onError?: (error: unknown) => void;
}

export class LocalTaskRunner implements TaskRunner {
  private readonly context = new AsyncResource('mcp-lambda-server.task');
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: LocalTaskRunnerOptions) {}

  async start(event: TaskEvent): Promise<void> {
    this.context.runInAsyncScope(() => {
      setImmediate(() => {
        const run = this.options.execute(event)
          .catch((error) => (this.options.onError ?? console.error)(error))
          .finally(() => this.running.delete(run));
        this.running.add(run);
      });
    });
  }

  /** Resolves when every task started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
