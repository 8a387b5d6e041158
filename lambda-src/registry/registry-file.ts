/**
 * A local registry file (ARCHITECTURE.md, "The contracts"): a JSON array of registry
 * items in which a `handler` (`./tools/echo.js#handler`, relative to the file) may
 * stand in for `lambdaArn`. The dev server loads it into its store at start (and may
 * load it again when the file changes).
 *
 * The file is the registry: after a load the store holds exactly the file's items,
 * in the file's order, so nothing removed from the file lingers (`exclusive`, the
 * default). With `exclusive: false` only the items the file declared at its previous
 * load (`previousKeys`) are removed, leaving items registered by other means.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { validateRegistryItems } from './registry-item-validation';
import { registryKey, type RegistryItem } from '../model/registry-item';
import type { RegistryStore } from '../store/registry-store';

export interface RegistryFileLoadOptions {
  /** Remove every stored item the file does not declare. @default true */
  readonly exclusive?: boolean;
  /** Keys the file declared at its previous load (the `keys` of that load's result); used when not exclusive. */
  readonly previousKeys?: readonly string[];
}

export interface RegistryFileLoadResult {
  /** The items as written, `handler`s resolved against the file's folder. */
  readonly items: RegistryItem[];
  /** Their keys (registryKey), for the next load's `previousKeys`. */
  readonly keys: string[];
  /** How many stored items were removed because the file no longer declares them. */
  readonly removed: number;
}

export class RegistryFileError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}\n- ${problems.join('\n- ')}` : message);
    this.name = 'RegistryFileError';
  }
}

/** Reads and checks a registry file; throws RegistryFileError listing every problem. */
export async function readRegistryFile(file: string): Promise<RegistryItem[]> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RegistryFileError(`cannot read registry file ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new RegistryFileError(`registry file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const problems = validateRegistryItems(parsed, { allowHandler: true, source: path });
  if (problems.length > 0) throw new RegistryFileError(`registry file ${path} has ${problems.length} problem${problems.length > 1 ? 's' : ''}:`, problems);
  const folder = dirname(path);
  return (parsed as RegistryItem[]).map((item) => {
    if (item.handler === undefined) return item;
    // `handler` paths are relative to the file, wherever the server was started.
    const baseDir = item.baseDir === undefined ? folder : isAbsolute(item.baseDir) ? item.baseDir : resolve(folder, item.baseDir);
    return { ...item, baseDir };
  });
}

/** Reads a registry file and makes the store hold its items, in its order. */
export async function loadRegistryFile(file: string, store: RegistryStore, options: RegistryFileLoadOptions = {}): Promise<RegistryFileLoadResult> {
  const items = await readRegistryFile(file);
  const keys = items.map((item) => registryKey(item));
  const wanted = new Set(keys);

  const stored = await store.list();
  const ownedBefore = new Set(options.previousKeys ?? []);
  const stale = stored.filter((s) => !wanted.has(registryKey(s)) && (options.exclusive !== false || ownedBefore.has(registryKey(s))));
  for (const item of stale) await store.delete(item.type, idOf(item));

  for (const item of items) await store.put(item);

  // A replace keeps an item's registration order, so an edit that reorders the file
  // is applied by writing the reordered items afresh.
  const listed = (await store.list()).map((s) => registryKey(s)).filter((k) => wanted.has(k));
  if (listed.join('\n') !== keys.join('\n')) {
    for (const item of items) await store.delete(item.type, idOf(item));
    for (const item of items) await store.put(item);
  }
  return { items, keys, removed: stale.length };
}

function idOf(item: RegistryItem): string {
  return item.type === 'resource' ? item.uri : item.name;
}
