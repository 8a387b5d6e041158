/**
 * Optimistic concurrency of registry items, shared by both RegistryStore
 * implementations so that they accept, refuse and explain alike.
 */

/** How often a create-or-replace goes round when concurrent writers keep changing the item. */
export const UPSERT_ATTEMPTS = 5;

/** An expected version is a whole number, 0 meaning "must not exist". */
export function assertExpectedVersion(expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 0)) {
    throw new Error(`expected version must be a whole number >= 0 (0: must not exist), got ${expectedVersion}`);
  }
}

/** The message of a RegistryConflictError: what was expected and what is stored. */
export function describeVersionConflict(sk: string, actual: number | undefined, expected: number): string {
  if (actual === undefined) return `registry item ${sk} does not exist (expected version ${expected})`;
  if (expected === 0) return `registry item ${sk} already exists at version ${actual} (expected it not to)`;
  return `registry item ${sk} is at version ${actual}, not ${expected}: it changed meanwhile`;
}
