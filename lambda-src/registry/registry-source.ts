/**
 * A per-environment cache of the registry with bounded staleness: a snapshot served
 * is at most `ttlMs` old (MCP_REGISTRY_CACHE_SECONDS, 30 s by default), except while
 * the store cannot be read (below). A registration therefore reaches clients of
 * every execution environment within the TTL, with no cross-instance invalidation.
 */
import type { PromptItem, ResourceItem, ResourceTemplateItem, StoredRegistryItem, ToolItem } from '../model/registry-item';
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

export interface RegistrySourceOptions {
  /** How long a snapshot is served before the store is read again. @default 30000 */
  readonly ttlMs?: number;
  /**
   * How old a snapshot may grow while reads of the store fail: an outage of the
   * registry table then degrades to a stale list instead of failing every request.
   * @default 10 * ttlMs
   */
  readonly maxStaleMs?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
  /** Told when a read fails and a stale snapshot is served instead. */
  readonly onStaleServe?: (error: unknown, snapshot: RegistrySnapshot) => void;
}

export class RegistrySource {
  private readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly now: () => number;
  private current?: RegistrySnapshot;
  private inFlight?: Promise<RegistrySnapshot>;
  /** Bumped by invalidate(), so a read begun before it cannot install its older result. */
  private generation = 0;

  constructor(
    private readonly store: RegistryStore,
    private readonly options: RegistrySourceOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.maxStaleMs = options.maxStaleMs ?? 10 * this.ttlMs;
    this.now = options.now ?? Date.now;
  }

  /** The registry, read from the store at most once per `ttlMs`; concurrent callers share one read. */
  snapshot(): Promise<RegistrySnapshot> {
    const current = this.current;
    if (current && this.now() - current.loadedAt < this.ttlMs) return Promise.resolve(current);
    if (!this.inFlight) {
      const generation = this.generation;
      const read = this.read(generation).finally(() => {
        if (this.inFlight === read) this.inFlight = undefined;
      });
      this.inFlight = read;
    }
    return this.inFlight;
  }

  /** Drop the cache (after a local registry write). */
  invalidate(): void {
    this.generation++;
    this.current = undefined;
    this.inFlight = undefined;
  }

  private async read(generation: number): Promise<RegistrySnapshot> {
    const startedAt = this.now();
    let items: StoredRegistryItem[];
    try {
      items = await this.store.list();
    } catch (err) {
      // A failed read keeps serving the previous snapshot while it is younger than
      // maxStaleMs (10x the TTL by default); older than that, the failure surfaces,
      // because listing long-deleted tools is worse than an error.
      const previous = this.current;
      if (previous && this.now() - previous.loadedAt < this.maxStaleMs) {
        this.options.onStaleServe?.(err, previous);
        return previous;
      }
      throw err;
    }
    const snapshot = splitByType(items, startedAt);
    if (generation === this.generation) this.current = snapshot;
    return snapshot;
  }
}

/** Splits a store listing by type, in registration order (the store's `order`). */
export function splitByType(items: readonly StoredRegistryItem[], loadedAt: number): RegistrySnapshot {
  const ordered = [...items].sort((a, b) => a.order - b.order);
  const tools: Array<ToolItem & StoredRegistryItem> = [];
  const resources: Array<ResourceItem & StoredRegistryItem> = [];
  const resourceTemplates: Array<ResourceTemplateItem & StoredRegistryItem> = [];
  const prompts: Array<PromptItem & StoredRegistryItem> = [];
  for (const item of ordered) {
    switch (item.type) {
      case 'tool':
        tools.push(item);
        break;
      case 'resource':
        resources.push(item);
        break;
      case 'resourceTemplate':
        resourceTemplates.push(item);
        break;
      case 'prompt':
        prompts.push(item);
        break;
    }
  }
  return { tools, resources, resourceTemplates, prompts, loadedAt };
}
