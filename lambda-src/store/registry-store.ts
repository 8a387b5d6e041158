import type { RegistryItem, RegistryItemType, StoredRegistryItem } from '../model/registry-item';

export class RegistryConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryConflictError';
  }
}

/** The tools, resources, resource templates and prompts of one deployment. */
export interface RegistryStore {
  /** Every item, in registration order (`order`). */
  list(): Promise<StoredRegistryItem[]>;
  get(type: RegistryItemType, id: string): Promise<StoredRegistryItem | undefined>;
  /**
   * Creates or replaces an item. With `expectedVersion` the write succeeds only if
   * the stored item is at that version (0: must not exist); otherwise
   * RegistryConflictError. A replace keeps the item's `order`.
   */
  put(item: RegistryItem, expectedVersion?: number): Promise<StoredRegistryItem>;
  /** Deletes an item; with `expectedVersion`, only at that version. Returns whether it existed. */
  delete(type: RegistryItemType, id: string, expectedVersion?: number): Promise<boolean>;
}
