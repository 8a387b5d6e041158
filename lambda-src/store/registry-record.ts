/**
 * How a registry item is stored: `pk = REGISTRY`, `sk = <type>#<id>` (registryKey),
 * with `type`, `order` and `version` as top-level attributes and the item itself as a
 * JSON string `body`. A JSON string rather than a map because JSON Schemas
 * (`inputSchema`, `outputSchema`) are the bulk of an item and are returned as they
 * were registered: a string round-trips them exactly, while a map would be refused
 * for nesting deeper than 32 levels or numbers outside DynamoDB's range, and would
 * turn integers and floats into one number type. We never query inside an item.
 */
import { assertItemFits } from './item-size';
import { MAX_SORT_KEY_BYTES, registryItemKey } from './table-schema';
import { isRegistryItemType, REGISTRY_ITEM_TYPES, registryKey, type RegistryItem, type RegistryItemType, type StoredRegistryItem } from '../model/registry-item';

export type RegistryRecordItem = {
  readonly pk: string;
  readonly sk: string;
  readonly type: string;
  readonly order: number;
  readonly version: number;
  readonly body: string;
};

/** The sort key of an item of `type` whose identity (name, or uri for a resource) is `id`. */
export function registrySortKey(type: RegistryItemType, id: string): string {
  return registryKey({ type, name: id, uri: id });
}

/** Whether a sort key could have been stored (so a get of an impossible key is simply absent). */
export function isStorableSortKey(sk: string): boolean {
  return Buffer.byteLength(sk, 'utf8') <= MAX_SORT_KEY_BYTES;
}

/** The sort key of `item`, refusing an item without its identity or with one too long to store. */
export function sortKeyOf(item: RegistryItem): string {
  if (!isRegistryItemType(item.type)) {
    throw new Error(`registry item type '${String(item.type)}' is not one of ${REGISTRY_ITEM_TYPES.join(', ')}`);
  }
  const field = item.type === 'resource' ? 'uri' : 'name';
  const id = (item as unknown as Record<string, unknown>)[field];
  if (typeof id !== 'string' || id === '') {
    throw new Error(`registry item of type ${item.type} needs a non-empty string '${field}'`);
  }
  const sk = registryKey(item);
  if (!isStorableSortKey(sk)) {
    throw new Error(`registry item ${item.type} '${field}' is too long: its key must fit in ${MAX_SORT_KEY_BYTES} bytes`);
  }
  return sk;
}

/** The item's JSON as stored: without the store's own `order` and `version`. */
export function bodyOf(item: RegistryItem): string {
  const { order: _order, version: _version, ...rest } = item as RegistryItem & { order?: number; version?: number };
  return JSON.stringify(rest);
}

export function toRegistryRecord(sk: string, body: string, order: number, version: number): RegistryRecordItem {
  const record = { ...registryItemKey(sk), type: sk.slice(0, sk.indexOf('#')), order, version, body };
  assertItemFits(`registry item ${sk}`, record);
  return record;
}

export function fromRegistryRecord(record: Record<string, unknown>): StoredRegistryItem {
  return {
    ...(JSON.parse(record.body as string) as RegistryItem),
    order: record.order as number,
    version: record.version as number,
  };
}

/** Sorts by registration order (ties, which the counter never makes, by key). */
export function byOrder(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return (a.order as number) - (b.order as number) || String(a.sk).localeCompare(String(b.sk));
}
