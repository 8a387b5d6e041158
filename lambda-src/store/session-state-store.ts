/**
 * Where a 2025-era session's tool state is kept (docs/tools.md, "Session state for tools").
 *
 * The state lives in the session's own item (`SESSION#<id>` / `META`), in the map
 * attribute `sessionState`, rather than in the reserved `STATE` row: the one
 * strongly consistent read every session request already makes returns it (no second
 * read on the hot path), and it expires and is deleted with the session, with nothing
 * to clean up. Its bound (MAX_SESSION_STATE_BYTES, 64 KiB) keeps the item far below
 * DynamoDB's 400 KB.
 *
 * Each top-level key is one map entry, so an UpdateExpression can set, remove or add
 * to it alone (session-state-attribute.ts has the stored form).
 */
import type { SessionStateChanges } from '../model/session-state-changes';

/** The session attribute holding the state map. */
export const SESSION_STATE_ATTRIBUTE = 'sessionState';

export type SessionStateWrite =
  | { readonly ok: true }
  /** The session is unknown, expired or deleted. */
  | { readonly ok: false; readonly reason: 'gone'; readonly message: string }
  /** An increment met a value that is not an integer (or would leave the safe range). */
  | { readonly ok: false; readonly reason: 'not_integer'; readonly message: string }
  /** The session item would exceed DynamoDB's item size. */
  | { readonly ok: false; readonly reason: 'too_large'; readonly message: string };

export interface SessionStateStore {
  /**
   * Applies the operations to the session's state atomically (one conditional write):
   * concurrent calls on any execution environment never lose each other's changes.
   * Never re-runs anything; store failures other than the outcomes above throw.
   */
  applySessionState(id: string, changes: SessionStateChanges): Promise<SessionStateWrite>;
}
