/**
 * `Mcp-Session-Id` values. Transports, "Session Management" (2025-11-25): the id
 * SHOULD be globally unique and cryptographically secure, and MUST only contain
 * visible ASCII characters (0x21 to 0x7E).
 */
import { randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: 43 characters from [A-Za-z0-9_-], all within 0x21-0x7E. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** Longest id we look up; anything longer was not minted here (ours are 43 characters). */
const MAX_SESSION_ID_LENGTH = 256;

/** Whether a client-sent id is well-formed: non-empty, visible ASCII only, bounded. */
export function isValidSessionId(id: string): boolean {
  if (id.length === 0 || id.length > MAX_SESSION_ID_LENGTH) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}
