/**
 * Short fingerprints of what each list of a registry snapshot shows, so that an open
 * stream can tell that tools, prompts or resources changed and send the matching
 * `notifications/*\/list_changed`. The admin API writes only the registry table; every
 * environment that holds a stream re-reads the registry at most every
 * `registryCacheSeconds` (RegistrySource) and compares fingerprints: no cross-function
 * writes.
 *
 * A stream announces a change only once it is settled (RegistrySource.settled()): a
 * client that lists again right after `list_changed` may be served by another
 * environment, whose cache is up to `registryCacheSeconds` old; announcing the state
 * this environment read at least that long ago means every environment serves it (or
 * newer) by then. A change therefore reaches a stream within about twice the cache
 * period (the next read here, then the hold) plus one poll.
 */
import { createHash } from 'node:crypto';
import type { RegistrySnapshot, RegistrySource } from '../registry/registry-source';

export interface RegistryFingerprint {
  readonly tools: string;
  readonly prompts: string;
  /** Resources and resource templates: both are announced by resources/list_changed. */
  readonly resources: string;
}

export type ListKind = keyof RegistryFingerprint;

export const LIST_KINDS: readonly ListKind[] = ['tools', 'prompts', 'resources'];

/**
 * What a stream knows it announced when this environment has no settled read yet (a
 * cold start): no hash is one character long, so every list counts as changed once a
 * read settles. The client may have listed a state older than this environment's
 * first read, and nothing here can tell.
 */
export const UNKNOWN_FINGERPRINT: RegistryFingerprint = { tools: '0', prompts: '0', resources: '0' };

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
  return LIST_KINDS.filter((k) => before[k] !== after[k]);
}

/** The fingerprint of the state every environment serves by now (RegistrySource.settled()); undefined until one is known. */
export function settledFingerprint(registry: Pick<RegistrySource, 'settled'>): RegistryFingerprint | undefined {
  const settled = registry.settled();
  return settled ? fingerprintOf(settled) : undefined;
}
