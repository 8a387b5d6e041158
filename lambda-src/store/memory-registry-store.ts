/**
 * RegistryStore in process memory, for unit tests, the in-memory benchmark and the dev
 * server's embedded store (local/local-stores.ts).
 * Same semantics as DynamoDbRegistryStore, down to the stored form
 * (registry-record.ts), the size and key limits, the order counter and the conflict
 * messages; the shared behavioural suite in test/store/ runs against both.
 */
import {
  bodyOf, byOrder, fromRegistryRecord, registrySortKey, sortKeyOf, toRegistryRecord, type RegistryRecordItem,
} from './registry-record';
import { RegistryConflictError, type RegistryStore } from './registry-store';
import { assertExpectedVersion, describeVersionConflict } from './registry-versioning';
import type { RegistryItem, RegistryItemType, StoredRegistryItem } from '../model/registry-item';

export class MemoryRegistryStore implements RegistryStore {
  private readonly records = new Map<string, RegistryRecordItem>();
  private lastOrder = 0;

  async list(): Promise<StoredRegistryItem[]> {
    return [...this.records.values()].sort(byOrder).map(fromRegistryRecord);
  }

  async get(type: RegistryItemType, id: string): Promise<StoredRegistryItem | undefined> {
    const record = this.records.get(registrySortKey(type, id));
    return record ? fromRegistryRecord(record) : undefined;
  }

  async put(item: RegistryItem, expectedVersion?: number): Promise<StoredRegistryItem> {
    assertExpectedVersion(expectedVersion);
    const sk = sortKeyOf(item);
    const body = bodyOf(item);
    toRegistryRecord(sk, body, 0, 0); // refuses an oversize item before any write
    const old = this.records.get(sk);
    if (expectedVersion !== undefined && (old?.version ?? 0) !== expectedVersion) {
      throw new RegistryConflictError(describeVersionConflict(sk, old?.version, expectedVersion));
    }
    const record = old
      ? toRegistryRecord(sk, body, old.order, old.version + 1)
      : toRegistryRecord(sk, body, ++this.lastOrder, 1);
    this.records.set(sk, record);
    return fromRegistryRecord(record);
  }

  async delete(type: RegistryItemType, id: string, expectedVersion?: number): Promise<boolean> {
    assertExpectedVersion(expectedVersion);
    const sk = registrySortKey(type, id);
    const old = this.records.get(sk);
    if (old && expectedVersion !== undefined && old.version !== expectedVersion) {
      throw new RegistryConflictError(describeVersionConflict(sk, old.version, expectedVersion));
    }
    return this.records.delete(sk);
  }
}
