/**
 * Short fingerprints of what each list of a registry snapshot shows, so that an open
 * stream can tell that tools, prompts or resources changed and send the matching
 * `notifications/*\/list_changed`. The admin API writes only the registry table; every
 * environment that holds a stream re-reads the registry at most every
 * `registryCacheSeconds` (RegistrySource) and compares fingerprints: no cross-function
 * writes, and a change reaches a stream within that cache period plus one poll.
 */
import { createHash } from 'node:crypto';
import type { RegistrySnapshot } from '../registry/registry-source';

export interface RegistryFingerprint {
  readonly tools: string;
  readonly prompts: string;
  /** Resources and resource templates: both are announced by resources/list_changed. */
  readonly resources: string;
}

export type ListKind = keyof RegistryFingerprint;

export const LIST_CHANGED_METHOD: Record<ListKind, string> = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resources: 'notifications/resources/list_changed',
};

const cache = new WeakMap<RegistrySnapshot, RegistryFingerprint>();

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 8);
}

/** The fingerprint of a snapshot; computed once per snapshot object. */
export function fingerprintOf(snapshot: RegistrySnapshot): RegistryFingerprint {
  let fp = cache.get(snapshot);
  if (!fp) {
    fp = { tools: hashOf(snapshot.tools), prompts: hashOf(snapshot.prompts), resources: hashOf([snapshot.resources, snapshot.resourceTemplates]) };
    cache.set(snapshot, fp);
  }
  return fp;
}

/** The lists whose fingerprint differs. */
export function changedLists(before: RegistryFingerprint, after: RegistryFingerprint): ListKind[] {
  return (['tools', 'prompts', 'resources'] as const).filter((k) => before[k] !== after[k]);
}
