/**
 * A failed DynamoDB condition. With `ReturnValuesOnConditionCheckFailure: ALL_OLD` the
 * exception carries the item as it was (in DynamoDB's wire form, not unmarshalled by
 * the document client), which tells a missing item from a stale version without a
 * second read.
 */

export function isConditionalCheckFailed(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** A number attribute of the item returned with a failed condition, if any. */
export function oldNumber(err: unknown, attribute: string): number | undefined {
  const item = (err as { Item?: Record<string, { N?: string }> }).Item;
  const raw = item?.[attribute]?.N;
  return raw === undefined ? undefined : Number(raw);
}

/** A string attribute of the item returned with a failed condition, if any. */
export function oldString(err: unknown, attribute: string): string | undefined {
  const item = (err as { Item?: Record<string, { S?: string }> }).Item;
  return item?.[attribute]?.S;
}

/**
 * Whether the item returned with a failed condition holds exactly the scalar
 * attributes (strings, numbers, booleans) of `item`: how a write recognises itself
 * when the SDK retried it after DynamoDB applied it but its answer was lost.
 */
export function isSameItem(err: unknown, item: Record<string, unknown>): boolean {
  const old = (err as { Item?: Record<string, { S?: string; N?: string; BOOL?: boolean }> }).Item;
  if (!old) return false;
  for (const [name, value] of Object.entries(item)) {
    const wire = old[name];
    if (typeof value === 'string' && wire?.S !== value) return false;
    if (typeof value === 'number' && (wire?.N === undefined || Number(wire.N) !== value)) return false;
    if (typeof value === 'boolean' && wire?.BOOL !== value) return false;
  }
  return true;
}
