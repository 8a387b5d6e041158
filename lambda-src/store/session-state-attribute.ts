/**
 * The stored form of a session's state: a DynamoDB map, one entry per top-level key.
 *
 * - A safe integer is stored as a DynamoDB number, so `increment` can add to it in
 *   place (`SET #s.#k = if_not_exists(#s.#k, :zero) + :by`), atomically.
 * - Every other value is stored as its JSON text (a string). DynamoDB's own types
 *   cannot hold every JSON value: numbers beyond 38 digits or outside 1e-130..1e126,
 *   nesting deeper than 32 levels, and an unsafe integer would make the document
 *   client refuse to read the whole session back (dynamodb-client.ts reads numbers
 *   unwrapped). JSON text round-trips exactly.
 */
import { emptySessionState, type SessionState } from '../model/session-state-changes';

/** A value as stored in the map. */
export function encodeStateValue(value: unknown): string | number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  return JSON.stringify(value);
}

/** The state of a stored session item's `sessionState` attribute; `{}` when absent. */
export function decodeSessionState(stored: unknown): SessionState {
  // Without a prototype: a stored key named `__proto__` (or `constructor`) is an own
  // property like any other, never the object's prototype.
  const state = emptySessionState();
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return state;
  for (const [key, value] of Object.entries(stored as Record<string, unknown>)) {
    if (typeof value === 'number') {
      state[key] = value;
    } else if (typeof value === 'string') {
      try {
        state[key] = JSON.parse(value);
      } catch {
        // Only this server writes the map; a value it cannot read is left out rather
        // than failing every later request of the session.
      }
    }
  }
  return state;
}

/** The map for a whole state (the in-memory store keeps the same stored form). */
export function encodeSessionState(state: SessionState): Record<string, string | number> {
  const out = Object.create(null) as Record<string, string | number>;
  for (const [key, value] of Object.entries(state)) out[key] = encodeStateValue(value);
  return out;
}
