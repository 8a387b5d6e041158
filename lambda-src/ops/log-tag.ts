/**
 * A short, stable, non-reversible tag of a secret-ish value (a session id) for logs.
 * Session ids are bearer-like: whoever holds one may use the session, so logs carry
 * only this tag, which still lets an operator follow one session across lines.
 */
import { createHash } from 'node:crypto';

/**
 * Tags of the values seen lately: a request in a session writes the tag on its request
 * line and on each function invocation line, and a session's requests keep coming to
 * the same warm environment. Bounded: past the limit it starts again.
 */
const recent = new Map<string, string>();
const MAX_RECENT = 256;

/** `sha256(value)`, first 12 hex digits. */
export function logTag(value: string): string {
  let tag = recent.get(value);
  if (tag === undefined) {
    tag = createHash('sha256').update(value).digest('hex').slice(0, 12);
    if (recent.size >= MAX_RECENT) recent.clear();
    recent.set(value, tag);
  }
  return tag;
}
