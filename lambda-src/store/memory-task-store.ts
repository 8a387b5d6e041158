/** TaskStore in process memory: for unit tests and the single-process dev server. */
import { assertItemFits } from './item-size';
import { nowEpochSeconds } from './table-schema';
import { decodeTaskCursor, encodeTaskCursor, toTaskItem } from './task-item';
import { type ClaimOutcome, InvalidTaskCursorError, type TaskPage, type TaskPatch, type TaskStore, type TaskUpdateCondition } from './task-store';
import type { TaskRecord, TaskStatus } from '../model/task-record';

export class MemoryTaskStore implements TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly now: () => number;

  constructor(options: { readonly now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  async create(record: TaskRecord): Promise<void> {
    toTaskItem(record); // the same size check DynamoDB would make
    this.tasks.set(key(record.owner, record.taskId), clone(record));
  }

  async get(owner: string, taskId: string): Promise<TaskRecord | undefined> {
    const record = this.live(owner, taskId);
    return record && clone(record);
  }

  async update(
    owner: string, taskId: string, patch: TaskPatch, from: readonly TaskStatus[], condition: TaskUpdateCondition = {},
  ): Promise<TaskRecord | undefined> {
    const record = this.live(owner, taskId);
    if (!record || !from.includes(record.status)) return undefined;
    if (condition.input !== undefined && JSON.stringify(record.input) !== JSON.stringify(condition.input)) return undefined;
    const next: TaskRecord = {
      ...record,
      status: patch.status,
      lastUpdatedAt: this.now(),
      ...(patch.statusMessage !== undefined ? { statusMessage: patch.statusMessage } : {}),
      ...(patch.outcome !== undefined ? { outcome: patch.outcome } : {}),
      ...(patch.input ? { input: patch.input } : {}),
      ...(patch.runDeadline !== undefined ? { runDeadline: patch.runDeadline } : {}),
    };
    if (patch.input === null) delete (next as { input?: unknown }).input;
    assertItemFits(`task ${taskId}`, toTaskItem(next));
    this.tasks.set(key(owner, taskId), clone(next));
    return clone(next);
  }

  async claim(owner: string, taskId: string): Promise<ClaimOutcome> {
    const record = this.live(owner, taskId);
    if (!record) return 'gone';
    if (record.startedAt !== undefined) return 'already-claimed';
    this.tasks.set(key(owner, taskId), { ...record, startedAt: this.now() });
    return 'claimed';
  }

  async claimRound(owner: string, taskId: string, round: number): Promise<ClaimOutcome> {
    const record = this.live(owner, taskId);
    if (!record) return 'gone';
    if ((record.claimedRound ?? 0) >= round) return 'already-claimed';
    this.tasks.set(key(owner, taskId), { ...record, claimedRound: round });
    return 'claimed';
  }

  async list(owner: string, cursor: string | undefined, limit: number): Promise<TaskPage> {
    const after = cursor === undefined ? undefined : decodeTaskCursor(cursor);
    if (cursor !== undefined && after === undefined) throw new InvalidTaskCursorError();
    const mine = [...this.tasks.values()]
      .filter((t) => t.owner === owner && t.expiresAt > nowEpochSeconds(this.now()))
      .sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0))
      .filter((t) => after === undefined || t.taskId > after);
    const page = mine.slice(0, limit).map(clone);
    return { tasks: page, ...(mine.length > limit ? { nextCursor: encodeTaskCursor(page[page.length - 1].taskId) } : {}) };
  }

  private live(owner: string, taskId: string): TaskRecord | undefined {
    const record = this.tasks.get(key(owner, taskId));
    if (!record || record.expiresAt <= nowEpochSeconds(this.now())) return undefined;
    return record;
  }
}

function key(owner: string, taskId: string): string {
  return `${owner}\u0000${taskId}`;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
