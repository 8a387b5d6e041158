/**
 * DynamoDB's 400 KB item limit, checked before a write so that an oversize session or
 * registry item is refused with a message naming it, rather than DynamoDB's generic
 * ValidationException, and so that the in-memory stores refuse exactly what DynamoDB
 * would.
 */

/** DynamoDB's maximum item size: 400 KB, attribute names and values included. */
export const MAX_ITEM_BYTES = 400 * 1024;

export class ItemTooLargeError extends Error {
  constructor(
    /** What was being written, e.g. `registry item tool#echo`. */
    readonly what: string,
    readonly bytes: number,
    readonly limit: number = MAX_ITEM_BYTES,
  ) {
    super(`${what} is ${bytes} bytes stored, over the ${limit}-byte DynamoDB item limit; make it smaller`);
    this.name = 'ItemTooLargeError';
  }
}

/**
 * The stored size of an item of plain values (strings, numbers, booleans, null, maps
 * and lists of them), by DynamoDB's rules
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * names and strings in UTF-8 bytes, numbers at most 21 bytes (counted as 21: an upper
 * bound), booleans and null 1 byte, maps and lists 3 bytes plus 1 per element.
 */
export function itemSize(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    bytes += Buffer.byteLength(name, 'utf8') + valueSize(value);
  }
  return bytes;
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return 21;
  if (typeof value === 'boolean' || value === null) return 1;
  // A string set (session subscriptions): its elements, like a list.
  if (value instanceof Set) return [...value].reduce<number>((sum, v) => sum + 1 + valueSize(v), 3);
  if (Array.isArray(value)) {
    return value.reduce<number>((sum, v) => sum + 1 + valueSize(v), 3);
  }
  if (typeof value === 'object') {
    let bytes = 3;
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      bytes += 1 + Buffer.byteLength(name, 'utf8') + valueSize(v);
    }
    return bytes;
  }
  return 0;
}

/** Throws ItemTooLargeError when `item` would not fit in one DynamoDB item. */
export function assertItemFits(what: string, item: Record<string, unknown>): void {
  const bytes = itemSize(item);
  if (bytes > MAX_ITEM_BYTES) throw new ItemTooLargeError(what, bytes);
}
