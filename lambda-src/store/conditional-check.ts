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
