/**
 * Cursor pagination for tools/list, resources/list, resources/templates/list and
 * prompts/list (MCP 2025-11-25, server/utilities/pagination).
 *
 * The cursor is opaque to clients: base64url of `{ l: list, a: order }`, where
 * `order` is the registration order of the last item served. The next page starts
 * after it. Keyed on `order` rather than an offset, a cursor stays meaningful across
 * execution environments holding snapshots of different ages and across
 * registrations between pages: new items appear on a later page, deleted ones drop
 * out, and nothing is served twice.
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';

export const DEFAULT_PAGE_SIZE = 100;

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

/** One page of `items` (already in registration order) after `cursor`. */
export function pageAfter<T extends { readonly order: number }>(
  items: readonly T[],
  list: string,
  cursor: string | undefined,
  pageSize: number = DEFAULT_PAGE_SIZE,
): Page<T> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor, list);
  const start = after === undefined ? 0 : firstAfter(items, after);
  const slice = items.slice(start, start + pageSize);
  const more = start + pageSize < items.length;
  return more ? { items: slice, nextCursor: encodeCursor(list, slice[slice.length - 1].order) } : { items: slice };
}

export function encodeCursor(list: string, order: number): string {
  return Buffer.from(JSON.stringify({ l: list, a: order })).toString('base64url');
}

function decodeCursor(cursor: string, list: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  if (!record || typeof record.a !== 'number' || !Number.isFinite(record.a)) {
    // Invalid cursors are -32602 (2025-11-25, pagination, "Error Handling").
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `invalid cursor for ${list}: pass the nextCursor of a previous ${list} result, unchanged`);
  }
  if (record.l !== list) {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `invalid cursor for ${list}: it was issued by ${String(record.l)}`);
  }
  return record.a;
}

function firstAfter<T extends { readonly order: number }>(items: readonly T[], order: number): number {
  // Items are sorted by order; a binary search keeps a page O(log n) for large lists.
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (items[mid].order <= order) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
