/**
 * The `Custom::McpRegistry` resource: writes the items declared in the CDK app
 * (`addTool`, `addResource`, `addResourceTemplate`, `addPrompt`) to the registry table
 * at deploy time.
 *
 * Ownership is tracked by the resource's own properties, not by a mark on the items:
 * the items this resource owns are exactly those in its `Items`, and on Update the
 * ones in `OldResourceProperties.Items` but not in `Items` (removed or renamed in the
 * app) are deleted. Items registered at run time through the admin API are never in
 * either list, so they are never touched. (A CDK item and a run-time item with the
 * same name are the same registry entry; the app's declaration wins at each deploy.)
 *
 * Every step is idempotent, so a retried or replayed request converges: an item is
 * written only when it is absent or differs from the declaration, and deleting an
 * absent item is not an error. CloudFormation's rollback of a failed Update is an
 * Update with the old and new properties swapped, which restores the old set.
 */
import type { CloudFormationCustomResourceEvent, CloudFormationResponse } from './cfn-response';
import { validateRegistryItems } from './registration-validation';
import type { RegistryItem, RegistryItemType, StoredRegistryItem } from '../model/registry-item';
import type { RegistryStore } from '../store/registry-store';

/**
 * The PhysicalResourceId of a Create that failed: the Delete CloudFormation then sends
 * (rollback) must not remove anything, since items with these names may have existed
 * before, registered at run time.
 */
export const FAILED_CREATE_PHYSICAL_ID = 'mcp-registry:create-failed';

export interface RegistryDeploymentResult {
  readonly response: CloudFormationResponse;
  /** What changed, for the log. */
  readonly written: string[];
  readonly deleted: string[];
}

interface ItemKey {
  readonly type: RegistryItemType;
  readonly id: string;
}

/** Handles one custom resource request; never throws (a failure is a FAILED response). */
export async function handleRegistryEvent(event: CloudFormationCustomResourceEvent, store: RegistryStore): Promise<RegistryDeploymentResult> {
  const written: string[] = [];
  const deleted: string[] = [];
  const tableName = String(event.ResourceProperties.TableName ?? '');
  const physicalId = `mcp-registry:${tableName}`;
  const respond = (status: 'SUCCESS' | 'FAILED', id: string, reason?: string): RegistryDeploymentResult => ({
    response: {
      Status: status,
      ...(reason ? { Reason: reason } : {}),
      PhysicalResourceId: id,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    },
    written,
    deleted,
  });
  const failedId = event.RequestType === 'Create' ? FAILED_CREATE_PHYSICAL_ID : event.PhysicalResourceId ?? FAILED_CREATE_PHYSICAL_ID;

  try {
    if (event.RequestType === 'Delete') {
      if (event.PhysicalResourceId === FAILED_CREATE_PHYSICAL_ID) return respond('SUCCESS', FAILED_CREATE_PHYSICAL_ID);
      // Lenient: an unreadable list must not block the stack's deletion.
      const items = parseItems(event.ResourceProperties.Items);
      for (const key of Array.isArray(items) ? keysOf(items) : []) {
        if (await store.delete(key.type, key.id)) deleted.push(label(key));
      }
      return respond('SUCCESS', event.PhysicalResourceId ?? physicalId);
    }

    if (!tableName) return respond('FAILED', failedId, 'the custom resource has no TableName property');
    const items = parseItems(event.ResourceProperties.Items);
    if (items instanceof Error) return respond('FAILED', failedId, items.message);
    const problems = validateRegistryItems(items, { source: 'Items' });
    if (problems.length > 0) return respond('FAILED', failedId, `invalid registry items:\n- ${problems.join('\n- ')}`);
    const desired = items as RegistryItem[];

    // In declaration order, so that the registration order follows the app.
    for (const item of desired) {
      const key = keyOf(item);
      const current = await store.get(key.type, key.id);
      if (current && sameItem(current, item)) continue;
      await store.put(item);
      written.push(label(key));
    }

    // A changed physical id (a new table) means CloudFormation sends a Delete with the
    // old properties for the old resource: the old table's items are removed then.
    if (event.RequestType === 'Update' && event.PhysicalResourceId === physicalId) {
      const keep = new Set(keysOf(desired).map(label));
      const old = parseItems(event.OldResourceProperties?.Items);
      for (const key of Array.isArray(old) ? keysOf(old) : []) {
        if (keep.has(label(key))) continue;
        if (await store.delete(key.type, key.id)) deleted.push(label(key));
      }
    }
    return respond('SUCCESS', physicalId);
  } catch (err) {
    return respond('FAILED', failedId, `registry ${event.RequestType.toLowerCase()} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseItems(value: unknown): unknown {
  if (value === undefined) return [];
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (err) {
    return new Error(`the Items property is not JSON: ${(err as Error).message}`);
  }
}

function keyOf(item: Record<string, unknown> | RegistryItem): ItemKey {
  const record = item as Record<string, unknown>;
  return { type: record.type as RegistryItemType, id: String(record.type === 'resource' ? record.uri : record.name) };
}

function keysOf(items: unknown[]): ItemKey[] {
  return items
    .filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null && typeof (i as Record<string, unknown>).type === 'string')
    .map(keyOf);
}

function label(key: ItemKey): string {
  return `${key.type}#${key.id}`;
}

function sameItem(stored: StoredRegistryItem, item: RegistryItem): boolean {
  const { order: _order, version: _version, ...rest } = stored;
  return canonicalJson(rest) === canonicalJson(item);
}

/** JSON with object keys sorted, so that two equal items compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
  });
}
