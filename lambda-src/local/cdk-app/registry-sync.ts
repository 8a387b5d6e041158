/**
 * Makes a server's registry table hold exactly the items its `Custom::McpRegistry`
 * declares, in declaration order, as the deploy-time registration does: items the app
 * no longer declares are removed, changed ones replaced, new ones added. Run at start
 * and at every reload.
 */
import { registryKey, type RegistryItem } from '../../model/registry-item';
import type { RegistryStore } from '../../store/registry-store';

export interface RegistrySyncResult {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
}

export async function syncRegistry(store: RegistryStore, items: readonly RegistryItem[]): Promise<RegistrySyncResult> {
  const stored = await store.list();
  const before = new Map(stored.map((s) => {
    const { order: _o, version: _v, ...item } = s;
    return [registryKey(s), stableJson(item)] as const;
  }));
  const keys = items.map((i) => registryKey(i));
  const wanted = new Set(keys);
  const removed = stored.filter((s) => !wanted.has(registryKey(s)));
  for (const item of removed) await store.delete(item.type, idOf(item));
  const added: string[] = [];
  const changed: string[] = [];
  for (const item of items) {
    const key = registryKey(item);
    const old = before.get(key);
    const json = stableJson(item);
    if (old === undefined) added.push(key);
    else if (old !== json) changed.push(key);
    if (old !== json) await store.put(item);
  }
  // A replace keeps an item's order: if the app reordered its items, write them afresh.
  const listed = (await store.list()).map((s) => registryKey(s));
  if (listed.join('\n') !== keys.join('\n')) {
    for (const item of items) await store.delete(item.type, idOf(item));
    for (const item of items) await store.put(item);
  }
  return { added, changed, removed: removed.map((s) => registryKey(s)) };
}

function idOf(item: Pick<RegistryItem, 'type'> & { uri?: string; name?: string }): string {
  return (item.type === 'resource' ? item.uri : item.name) ?? '';
}

/** JSON with object keys sorted, so that a stored item and a declared one compare by content. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
    : v));
}
