/**
 * How a TaskRecord is stored. The request and the outcome, which hold what a client
 * and a tool function sent, are JSON strings: they round-trip exactly, and nothing in
 * them (deep nesting, numbers out of DynamoDB's range, empty keys) can fail the write.
 */
import { assertItemFits } from './item-size';
import { taskPartitionKey, taskSortKey } from './task-store';
import type { TaskRecord } from '../model/task-record';

export function toTaskItem(record: TaskRecord): Record<string, unknown> {
  const item: Record<string, unknown> = {
    pk: taskPartitionKey(record.owner),
    sk: taskSortKey(record.taskId),
    taskId: record.taskId,
    owner: record.owner,
    status: record.status,
    statusMessage: record.statusMessage,
    createdAt: record.createdAt,
    lastUpdatedAt: record.lastUpdatedAt,
    ttlMs: record.ttlMs,
    pollIntervalMs: record.pollIntervalMs,
    runDeadline: record.runDeadline,
    expiresAt: record.expiresAt,
    startedAt: record.startedAt,
    request: JSON.stringify(record.request),
    outcome: record.outcome === undefined ? undefined : JSON.stringify(record.outcome),
    input: record.input === undefined ? undefined : JSON.stringify(record.input),
    claimedRound: record.claimedRound,
  };
  for (const key of Object.keys(item)) if (item[key] === undefined) delete item[key];
  assertItemFits(`task ${record.taskId}`, item);
  return item;
}

export function fromTaskItem(item: Record<string, unknown>): TaskRecord {
  return {
    taskId: item.taskId as string,
    owner: item.owner as string,
    status: item.status as TaskRecord['status'],
    ...(typeof item.statusMessage === 'string' ? { statusMessage: item.statusMessage } : {}),
    createdAt: item.createdAt as number,
    lastUpdatedAt: item.lastUpdatedAt as number,
    ttlMs: item.ttlMs as number,
    pollIntervalMs: item.pollIntervalMs as number,
    runDeadline: item.runDeadline as number,
    expiresAt: item.expiresAt as number,
    ...(typeof item.startedAt === 'number' ? { startedAt: item.startedAt } : {}),
    request: JSON.parse(item.request as string),
    ...(typeof item.outcome === 'string' ? { outcome: JSON.parse(item.outcome) } : {}),
    ...(typeof item.input === 'string' ? { input: JSON.parse(item.input) } : {}),
    ...(typeof item.claimedRound === 'number' ? { claimedRound: item.claimedRound } : {}),
  };
}

/** Cursors name the last task of a page; opaque to clients ("Task Listing", rule 3). */
export function encodeTaskCursor(taskId: string): string {
  return Buffer.from(JSON.stringify({ after: taskId }), 'utf8').toString('base64url');
}

export function decodeTaskCursor(cursor: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    return typeof parsed.after === 'string' && parsed.after.length > 0 && parsed.after.length < 200 ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}
