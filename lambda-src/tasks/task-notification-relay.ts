/**
 * Relays the progress and log messages of a tool that runs as a 2025-11-25 task to the
 * session that created it. The task runs in an invocation of its own, with no request
 * stream to write to, so each message is appended to the session's partition of the
 * event log (the path `notifications/tasks/status` takes), and the session's GET
 * stream, on whichever environment holds it, delivers it.
 *
 * What the specification asks (2025-11-25):
 * - basic/utilities/tasks, "Task Progress Notifications", and basic/utilities/progress,
 *   "Behavior Requirements" rule 3: the `progressToken` of the task-augmented request
 *   stays valid for the task's lifetime, progress uses it, and progress stops once the
 *   task is terminal (the executor drains this relay before it stores the outcome);
 * - basic/utilities/tasks, "Associating Task-Related Messages" and "Related Task
 *   Metadata": every notification related to a task carries
 *   `_meta["io.modelcontextprotocol/related-task"]`;
 * - basic/utilities/tasks, "Input Required Status" (note): clients SHOULD expect
 *   messages on any SSE stream, including the HTTP GET stream.
 *
 * Each append is a DynamoDB transaction (1 RRU and 4 WRU), so the relay bounds what a
 * run writes: progress is coalesced to at most one append per `progressIntervalMs` (how
 * often the client's GET stream reads the log: faster appends would reach the client in
 * the same read anyway; the latest value wins, which MCP allows, progress rule 2 "at
 * whatever frequency they deem appropriate"), at most `maxNotifications` messages are appended
 * per run, and at most MAX_QUEUED (and MAX_QUEUED_BYTES) wait for their append (a flood
 * of log lines beyond that is dropped, not buffered). A message over the event log's item
 * limit is dropped at once (a log line may be up to 6 MB; an event item holds 400 KB).
 * Messages keep their order: a progress held back is appended before any log line that
 * came after it.
 */
import { abortableSleep } from '../model/abortable-sleep';
import { atOrAbove } from '../model/log-levels';
import { RELATED_TASK_META_KEY } from '../model/task-record';
import type { EventLog } from '../store/event-log';
import { ItemTooLargeError, MAX_ITEM_BYTES } from '../store/item-size';
import type { ToolLog, ToolProgress } from '../tools/tool-invoker';

/** Progress and log messages appended per task run, at most (docs/writing-tools.md states the cost). */
export const MAX_TASK_NOTIFICATIONS = 1_000;
/** Messages waiting for their append, at most. */
export const MAX_QUEUED = 100;
/** Bytes of messages waiting for their append, at most: what the queue may hold in memory. */
export const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export interface TaskNotificationRelayOptions {
  readonly events: EventLog;
  readonly sessionId: string;
  readonly taskId: string;
  /** The task-augmented request's token; absent: progress is not relayed (progress rule 1). */
  readonly progressToken?: string | number;
  /** The session's `logging/setLevel` threshold when the run started; absent: every level. */
  readonly logLevel?: string;
  /** @default 1000 */
  readonly progressIntervalMs?: number;
  /** @default MAX_TASK_NOTIFICATIONS */
  readonly maxNotifications?: number;
  /** @default Date.now */
  readonly now?: () => number;
  readonly log?: (entry: Record<string, unknown>) => void;
}

interface Pending {
  readonly kind: 'progress' | 'log';
  readonly method: string;
  readonly params: Record<string, unknown>;
  /** The params' JSON size: the event item stores them as a JSON string. */
  readonly bytes: number;
}

function pending(kind: Pending['kind'], method: string, params: Record<string, unknown>): Pending {
  return { kind, method, params, bytes: Buffer.byteLength(JSON.stringify(params), 'utf8') };
}

export class TaskNotificationRelay {
  private readonly queue: Pending[] = [];
  private queuedBytes = 0;
  /** A progress held back until `progressIntervalMs` after the last one. */
  private held?: Pending;
  private heldTimer?: ReturnType<typeof setTimeout>;
  private lastProgressAt = -Infinity;
  private accepted = 0;
  private dropped = 0;
  private appended = 0;
  private stopped = false;
  private running?: Promise<void>;

  constructor(private readonly options: TaskNotificationRelayOptions) {}

  /** The sinks to hand the tool invoker. */
  get sinks(): { onProgress?: (progress: ToolProgress) => void; onLog: (log: ToolLog) => void } {
    return {
      ...(this.options.progressToken !== undefined ? { onProgress: (p: ToolProgress) => this.progress(p) } : {}),
      onLog: (l: ToolLog) => this.log(l),
    };
  }

  progress(progress: ToolProgress): void {
    if (this.stopped || this.options.progressToken === undefined) return;
    const item = pending('progress', 'notifications/progress', { progressToken: this.options.progressToken, ...progress, _meta: this.meta() });
    // Coalesced: a newer value replaces one not yet appended (values only increase).
    if (this.held) {
      this.held = item;
      return;
    }
    const last = this.queue.at(-1);
    if (last?.kind === 'progress') {
      this.queue[this.queue.length - 1] = item;
      this.queuedBytes += item.bytes - last.bytes;
      return;
    }
    const wait = this.lastProgressAt + (this.options.progressIntervalMs ?? 1_000) - this.now();
    if (wait > 0) {
      this.held = item;
      this.heldTimer = setTimeout(() => this.releaseHeld(), wait);
      return;
    }
    this.enqueue(item);
  }

  log(log: ToolLog): void {
    if (this.stopped) return;
    // Below the session's level: never written (the GET stream filters again by the level as it is then).
    if (!atOrAbove(log.level, this.options.logLevel)) return;
    this.releaseHeld();
    this.enqueue(pending('log', 'notifications/message', { ...log, _meta: this.meta() }));
  }

  /**
   * The run's tool invocation ended: appends what is held and queued, for at most
   * `budgetMs`, then stops. Resolves once no append is in flight, so that nothing
   * of this run lands after the outcome the executor stores next, or once the budget
   * is spent (an append stalled in a DynamoDB brown-out must not hold the task
   * `working` past the invocation's own end).
   */
  async close(budgetMs: number): Promise<void> {
    const until = this.now() + Math.max(0, budgetMs);
    this.releaseHeld();
    if (this.running) await waitAtMost(this.running, budgetMs);
    await this.abandon(until - this.now());
  }

  /**
   * Stops at once (the task was cancelled): what is waiting is dropped; resolves once no
   * append is in flight, or after `waitMs` at the most.
   */
  async abandon(waitMs: number = Infinity): Promise<void> {
    this.stopped = true;
    if (this.heldTimer !== undefined) clearTimeout(this.heldTimer);
    this.dropped += this.queue.length + (this.held ? 1 : 0);
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.held = undefined;
    if (this.running) await (Number.isFinite(waitMs) ? waitAtMost(this.running, waitMs) : this.running);
    if (this.dropped > 0) {
      this.options.log?.({ level: 'info', message: 'some progress or log messages of the task were not relayed', relayed: this.appended, dropped: this.dropped });
    }
  }

  private meta(): Record<string, unknown> {
    return { [RELATED_TASK_META_KEY]: { taskId: this.options.taskId } };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private releaseHeld(): void {
    if (this.heldTimer !== undefined) clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    const held = this.held;
    this.held = undefined;
    if (held && !this.stopped) this.enqueue(held);
  }

  private enqueue(item: Pending): void {
    if (
      item.bytes > MAX_ITEM_BYTES
      || this.accepted >= (this.options.maxNotifications ?? MAX_TASK_NOTIFICATIONS)
      || this.queue.length >= MAX_QUEUED
      || this.queuedBytes + item.bytes > MAX_QUEUED_BYTES
    ) {
      this.dropped++;
      return;
    }
    this.accepted++;
    if (item.kind === 'progress') this.lastProgressAt = this.now();
    this.queue.push(item);
    this.queuedBytes += item.bytes;
    this.kick();
  }

  private kick(): void {
    this.running ??= this.work().finally(() => {
      this.running = undefined;
      // An item queued between the loop's last check and this callback.
      if (this.queue.length > 0 && !this.stopped) this.kick();
    });
  }

  /** Appends in order, one at a time: the log's `seq` order is the order the client sees. */
  private async work(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const item = this.queue.shift()!;
      this.queuedBytes -= item.bytes;
      try {
        await this.options.events.append({ sessionId: this.options.sessionId, method: item.method, params: item.params });
        this.appended++;
      } catch (error) {
        this.dropped++;
        // One message too large for an event item (a log line may be up to 6 MB): skipped, the rest go on.
        if (error instanceof ItemTooLargeError) continue;
        this.options.log?.({ level: 'warn', message: 'relaying the task\'s progress and log messages failed; the rest of this run\'s are dropped', error: String(error) });
        this.stopped = true;
      }
    }
  }
}

/** `work` or `ms`, whichever ends first; the timer goes with it. */
async function waitAtMost(work: Promise<void>, ms: number): Promise<void> {
  const done = new AbortController();
  await Promise.race([work, abortableSleep(Math.max(0, ms), done.signal)]);
  done.abort();
}
