/**
 * CONTRACT (owned by the registry layer). A per-environment cache of the registry
 * with bounded staleness: a snapshot is at most `ttlMs` old.
 */
import type { PromptItem, ResourceItem, ResourceTemplateItem, StoredRegistryItem, ToolItem } from './registry-item';
import type { RegistryStore } from '../store/registry-store';

export interface RegistrySnapshot {
  /** Items in registration order. */
  readonly tools: ReadonlyArray<ToolItem & StoredRegistryItem>;
  readonly resources: ReadonlyArray<ResourceItem & StoredRegistryItem>;
  readonly resourceTemplates: ReadonlyArray<ResourceTemplateItem & StoredRegistryItem>;
  readonly prompts: ReadonlyArray<PromptItem & StoredRegistryItem>;
  /** Epoch ms when it was read. */
  readonly loadedAt: number;
}

export declare class RegistrySource {
  constructor(store: RegistryStore, options?: { ttlMs?: number; now?: () => number });
  snapshot(): Promise<RegistrySnapshot>;
  /** Drop the cache (after a local registry write). */
  invalidate(): void;
}
