/**
 * A short, stable, non-reversible tag of a secret-ish value (a session id) for logs.
 * Session ids are bearer-like: whoever holds one may use the session, so logs carry
 * only this tag, which still lets an operator follow one session across lines.
 */
import { createHash } from 'node:crypto';

/** `sha256(value)`, first 12 hex digits. */
export function logTag(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}
