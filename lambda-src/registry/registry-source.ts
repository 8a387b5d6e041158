/**
 * A per-environment cache of the registry with bounded staleness: a snapshot served
 * is at most `ttlMs` old (MCP_REGISTRY_CACHE_SECONDS, 30 s by default), except while
 * the store cannot be read (below). A registration therefore reaches clients of
 * every execution environment within the TTL, with no cross-instance invalidation.
 *
 * The same bound tells a stream when a change may be announced (`settled()`): once
 * this environment read a state at least `ttlMs` (and a margin) ago, every other
 * environment has read the store since, so a client that lists again on any of them
 * sees that state or a newer one.
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
  /**
   * How long after it returned a read counts as settled (`settled()`): the longest
   * any environment serves a cached snapshot, plus a second because the clocks of two
   * environments may differ a little and an eventually consistent read may lag a
   * write. 0 where this cache is the only one (the local server). @default ttlMs + 1000
   */
  readonly settleAfterMs?: number;
}

interface PastRead {
  readonly snapshot: RegistrySnapshot;
  /** Epoch ms when the read returned: every change it shows was written by then. */
  readonly readAt: number;
}

export class RegistrySource {
  private readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly now: () => number;
  private readonly settleAfterMs: number;
  private current?: RegistrySnapshot;
  /** Successful reads, oldest first: the newest one that is settled, and every newer one. */
  private readonly reads: PastRead[] = [];
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
    this.settleAfterMs = options.settleAfterMs ?? this.ttlMs + 1000;
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

  /**
   * The newest snapshot this environment read from the store that returned at least
   * `settleAfterMs` (the cache period and a second) ago; undefined until there is one. Every change it shows
   * was written before then, and every environment's cache was read after then (a
   * cache is served for at most `ttlMs`), so from now on a list served anywhere shows
   * at least this state. A stream that announces `list_changed` only for the settled
   * state never sends a client to re-list where the change is not visible yet. Not
   * while the store fails: an environment then serves a snapshot up to `maxStaleMs`
   * old. Reads nothing; `snapshot()` is what keeps reads coming.
   */
  settled(): RegistrySnapshot | undefined {
    const cutoff = this.now() - this.settleAfterMs;
    let newest = -1;
    while (newest + 1 < this.reads.length && this.reads[newest + 1].readAt <= cutoff) newest++;
    if (newest < 0) return undefined;
    this.reads.splice(0, newest);
    return this.reads[0].snapshot;
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
    // A read overtaken by invalidate() is not served, but it is still a true record
    // of what the store held when it returned.
    this.reads.push({ snapshot, readAt: this.now() });
    this.settled(); // drops the reads it supersedes
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
