/**
 * Client-chosen strings in log lines and trace annotations are cut to a bound: a
 * resource URI, a path, a header value can be as long as the request body (a 900 KB
 * URI became one 900,288-character log line, and the X-Ray subsegment's name). What is
 * kept identifies the value; the note says how long it was.
 *
 * Control characters need no treatment here: every line is JSON, which escapes them.
 */

/** Most characters of a client-chosen string kept in a log field or annotation. */
export const MAX_LOGGED_TEXT = 256;
/** Most characters of an error's stack (our frames, but its message may quote a client). */
export const MAX_LOGGED_STACK = 4096;

/** `value`, or its first `max` characters and how long it was. */
export function clipText(value: string, max: number = MAX_LOGGED_TEXT): string {
  return value.length > max ? `${value.slice(0, max)}…(${value.length} chars)` : value;
}

/** `value` clipped when it is a string; anything else unchanged. */
export function clipField<T>(value: T, max: number = MAX_LOGGED_TEXT): T {
  return (typeof value === 'string' ? clipText(value, max) : value) as T;
}

/** A log entry with each string field clipped (`stack` to MAX_LOGGED_STACK). */
export function clipEntry<T extends object>(entry: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) out[key] = clipField(value, key === 'stack' ? MAX_LOGGED_STACK : MAX_LOGGED_TEXT);
  return out as T;
}
