/**
 * Session state for tools (docs/tools.md, "Session state for tools"): a JSON object kept with a 2025-era session, read
 * by tools in their event's `context.sessionState` and changed by the operations a
 * tool returns under the reserved result key `_sessionState`:
 *
 * ```json
 * { "content": [...], "_sessionState": { "set": { "cart": ["sku-1"] }, "increment": { "counter": 1 }, "remove": ["draft"] } }
 * ```
 *
 * Why operations per top-level key, and not a whole new state or a version check: two
 * calls of one session may run at once on two execution environments. A full
 * replacement would let the later write erase the earlier one; an optimistic version
 * check would make one of them fail, and re-running a tool to retry is not safe in
 * general (it may have side effects). Operations on disjoint keys commute, and the
 * store applies them in one conditional UpdateItem, so no update is lost; `increment`
 * is atomic on the same key (`session['counter'] += 1` from N concurrent calls ends at
 * exactly N). Two `set`s of one key at once: the last write wins, as for any register.
 *
 * This file is pure: parsing, validation, the size bound, and applying operations to a
 * plain object (for the size check and the in-memory store).
 */

/**
 * A session's state: a JSON object. Held without a prototype (emptySessionState), so
 * that every key, `constructor` and `toString` too, is an own property and nothing is
 * read through a prototype chain.
 */
export type SessionState = Record<string, unknown>;

/** A state object without a prototype: keys are only ever own data properties. */
export function emptySessionState(): SessionState {
  return Object.create(null) as SessionState;
}

/**
 * `__proto__` is refused as a key a tool sets or increments: on an ordinary JavaScript
 * object (a tool's own code, a client's) assigning it replaces the prototype instead of
 * storing a value, so it cannot mean the same thing to every reader. It may still be
 * removed (a state stored before the refusal).
 */
const RESERVED_KEY = '__proto__';

/** The reserved key of a tool's result that carries state operations. */
export const SESSION_STATE_RESULT_KEY = '_sessionState';

/** Largest state kept with one session: its JSON serialization, in UTF-8 bytes. */
export const MAX_SESSION_STATE_BYTES = 64 * 1024;
/** Longest top-level key, in UTF-8 bytes. */
export const MAX_SESSION_STATE_KEY_BYTES = 256;

export interface SessionStateChanges {
  /** Replaces each named key's whole value (any JSON value except null). */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Adds an integer to each named key (absent counts as 0); the key must hold an integer. */
  readonly increment?: Readonly<Record<string, number>>;
  /** Deletes each named key (absent: nothing happens). */
  readonly remove?: readonly string[];
}

export type ParsedChanges =
  | { readonly ok: true; readonly changes: SessionStateChanges }
  | { readonly ok: false; readonly problem: string };

const OPERATIONS = ['set', 'increment', 'remove'] as const;

/** Checks the `_sessionState` a tool returned, naming what is wrong in a sentence the tool's author can act on. */
export function parseSessionStateChanges(value: unknown): ParsedChanges {
  if (!isRecord(value)) return fail(`it must be an object with 'set', 'increment' and/or 'remove', got ${describe(value)}`);
  const unknown = Object.keys(value).filter((k) => !(OPERATIONS as readonly string[]).includes(k));
  if (unknown.length > 0) return fail(`unknown operation '${unknown[0]}'; the operations are 'set', 'increment' and 'remove'`);
  const seen = new Set<string>();
  const claim = (key: string, op: string): string | undefined => {
    if (key.length === 0) return `${op} names an empty key`;
    if (key === RESERVED_KEY && op !== '\'remove\'') return `${op} names the key '${RESERVED_KEY}', which is reserved (JavaScript objects give it a special meaning); choose another name`;
    if (Buffer.byteLength(key, 'utf8') > MAX_SESSION_STATE_KEY_BYTES) return `${op} names a key over ${MAX_SESSION_STATE_KEY_BYTES} bytes`;
    if (seen.has(key)) return `key '${key}' appears in more than one operation`;
    seen.add(key);
    return undefined;
  };

  const changes: { set?: Record<string, unknown>; increment?: Record<string, number>; remove?: string[] } = {};
  if (value.set !== undefined) {
    if (!isRecord(value.set)) return fail(`'set' must be an object of keys to values, got ${describe(value.set)}`);
    for (const [key, v] of Object.entries(value.set)) {
      const problem = claim(key, '\'set\'');
      if (problem) return fail(problem);
      if (v === null || v === undefined) return fail(`'set' gives key '${key}' no value; use 'remove' to delete a key`);
    }
    changes.set = value.set;
  }
  if (value.increment !== undefined) {
    if (!isRecord(value.increment)) return fail(`'increment' must be an object of keys to integers, got ${describe(value.increment)}`);
    for (const [key, by] of Object.entries(value.increment)) {
      const problem = claim(key, '\'increment\'');
      if (problem) return fail(problem);
      if (typeof by !== 'number' || !Number.isSafeInteger(by)) return fail(`'increment' of key '${key}' must be a safe integer, got ${describe(by)}`);
    }
    changes.increment = value.increment as Record<string, number>;
  }
  if (value.remove !== undefined) {
    if (!Array.isArray(value.remove) || value.remove.some((k) => typeof k !== 'string')) {
      return fail(`'remove' must be an array of key names, got ${describe(value.remove)}`);
    }
    for (const key of value.remove as string[]) {
      const problem = claim(key, '\'remove\'');
      if (problem) return fail(problem);
    }
    changes.remove = value.remove as string[];
  }
  return { ok: true, changes };
}

/** Whether the operations change nothing (then nothing is written). */
export function isEmptyChanges(changes: SessionStateChanges): boolean {
  return Object.keys(changes.set ?? {}).length === 0
    && Object.keys(changes.increment ?? {}).length === 0
    && (changes.remove ?? []).length === 0;
}

export type AppliedChanges =
  | { readonly ok: true; readonly state: SessionState }
  | { readonly ok: false; readonly key: string; readonly problem: string };

/** The state after the operations; an increment of a key that does not hold an integer is refused. */
export function applySessionStateChanges(state: SessionState, changes: SessionStateChanges): AppliedChanges {
  // Own properties only, on an object without a prototype: `constructor` is an ordinary
  // key (absent unless set), and every key counts in the size bound.
  const next = emptySessionState();
  for (const [key, value] of Object.entries(state)) next[key] = value;
  for (const [key, value] of Object.entries(changes.set ?? {})) next[key] = value;
  for (const [key, by] of Object.entries(changes.increment ?? {})) {
    const current = Object.hasOwn(next, key) ? next[key] : 0;
    if (typeof current !== 'number' || !Number.isSafeInteger(current)) {
      return { ok: false, key, problem: `session state key '${key}' holds ${describe(current)}, not an integer, so it cannot be incremented` };
    }
    if (!Number.isSafeInteger(current + by)) {
      return { ok: false, key, problem: `incrementing session state key '${key}' by ${by} would leave the safe integer range` };
    }
    next[key] = current + by;
  }
  for (const key of changes.remove ?? []) delete next[key];
  return { ok: true, state: next };
}

/** The bound's measure: the state's JSON, in UTF-8 bytes. */
export function sessionStateBytes(state: SessionState): number {
  return Buffer.byteLength(JSON.stringify(state), 'utf8');
}

function fail(problem: string): ParsedChanges {
  return { ok: false, problem };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
