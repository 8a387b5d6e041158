/**
 * `--registry` mode's reload: when the registry file or a handler module it names
 * changes, the store is made to hold the file's items again and the handlers are
 * loaded afresh. The store itself is kept, so sessions survive and clients carry on.
 *
 * Only the items whose content changed are written (cdk-app/registry-sync.ts), so an
 * open stream, which compares the registry's lists before and after
 * (events/registry-fingerprint.ts), announces only the lists that changed: editing a
 * tool sends `notifications/tools/list_changed` and nothing else.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { type RegistrySyncResult, syncRegistry } from './cdk-app/registry-sync';
import { handlerFile } from './registry-handler-invoker';
import type { RegistryItem } from '../model/registry-item';
import { readRegistryFile } from '../registry/registry-file';
import type { RegistryStore } from '../store/registry-store';

export interface RegistryReloadResult {
  readonly ok: boolean;
  /** Why the file could not be applied (the previous items keep serving). */
  readonly error?: string;
  readonly changes?: RegistrySyncResult;
  readonly items: readonly RegistryItem[];
}

export interface RegistryLoaderOptions {
  readonly file: string;
  readonly store: RegistryStore;
  /** Items registered after the file's (DevServerOptions.items). */
  readonly extraItems?: readonly RegistryItem[];
  /** Drops loaded handler modules. */
  readonly reloadHandlers: () => void;
}

/** Loads the file into the store, at start and on every change. */
export class RegistryLoader {
  private current: readonly RegistryItem[] = [];
  private running?: Promise<RegistryReloadResult>;
  private again = false;

  constructor(private readonly options: RegistryLoaderOptions) {}

  get items(): readonly RegistryItem[] {
    return this.current;
  }

  /** The module files the items name (to watch them). */
  get handlerFiles(): string[] {
    return [...new Set(this.current.map((i) => ('handler' in i && i.handler ? handlerFile(i) : undefined)).filter((f): f is string => f !== undefined))];
  }

  /** Applies the file (one load at a time; a change during a load loads again after it). */
  load(): Promise<RegistryReloadResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loadOnce().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.load();
      }
    });
    return this.running;
  }

  private async loadOnce(): Promise<RegistryReloadResult> {
    let items: RegistryItem[];
    try {
      items = [...await readRegistryFile(this.options.file), ...(this.options.extraItems ?? [])];
    } catch (err) {
      return { ok: false, error: (err as Error).message, items: this.current };
    }
    const changes = await syncRegistry(this.options.store, items);
    this.options.reloadHandlers();
    this.current = items;
    return { ok: true, changes, items };
  }
}

/**
 * Polls the registry file and the handler modules it names (fs.watchFile: an editor
 * that saves by replacing the file would leave an fs.watch handle on the old one).
 * Returns the function that stops watching.
 */
export function watchRegistry(loader: RegistryLoader, file: string, onReload: (result: RegistryReloadResult) => void, intervalMs = 300): () => void {
  const watched = new Set<string>();
  const changed = () => {
    void loader.load().then((result) => {
      sync();
      onReload(result);
    });
  };
  const sync = () => {
    const wanted = new Set([file, ...loader.handlerFiles]);
    for (const f of watched) {
      if (!wanted.has(f)) {
        unwatchFile(f);
        watched.delete(f);
      }
    }
    for (const f of wanted) {
      if (watched.has(f)) continue;
      watchFile(f, { interval: intervalMs }, (now, before) => {
        if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) changed();
      });
      watched.add(f);
    }
  };
  sync();
  return () => {
    for (const f of watched) unwatchFile(f);
    watched.clear();
  };
}

export function describeRegistryChanges(result: RegistryReloadResult): string {
  if (!result.ok) return `registry reload failed, still serving the previous items: ${result.error}`;
  const c = result.changes!;
  const list = [...c.added.map((k) => `+${k}`), ...c.changed.map((k) => `~${k}`), ...c.removed.map((k) => `-${k}`)];
  return `registry reloaded: ${list.length ? list.join(' ') : 'no item changed'}; handler modules will load afresh`;
}
