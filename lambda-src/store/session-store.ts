/**
 * Sessions of 2025-era clients (docs/endpoint.md, "The MCP endpoint"). A session outlives any
 * one Lambda execution environment: everything a later request needs is here, never
 * in process memory.
 */

import type { SessionStateWrite } from './session-state-store';
import type { Principal } from '../model/principal';
import type { SessionState, SessionStateChanges } from '../model/session-state-changes';

export { namespacedPrincipalKey, principalKey, samePrincipal, type Principal } from '../model/principal';

export interface SessionRecord {
  /** The `Mcp-Session-Id`: cryptographically random, visible ASCII only. */
  readonly id: string;
  /** The negotiated protocol version, e.g. `2025-11-25`. */
  readonly protocolVersion: string;
  readonly clientCapabilities: Record<string, unknown>;
  readonly clientInfo: Record<string, unknown>;
  /** Minimum level for `notifications/message` set by `logging/setLevel`. */
  readonly logLevel?: string;
  /** The principal that created the session; only it may use it. */
  readonly principal?: Principal;
  /** Whether `notifications/initialized` has been received. */
  readonly initialized?: boolean;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch seconds; the table's TTL attribute. Reads treat expired sessions as absent. */
  readonly expiresAt: number;
  /** Incremented on every write (optimistic concurrency). */
  readonly version: number;
  /**
   * Resource URIs the client subscribed to with `resources/subscribe` (2025-era
   * server/resources, "Subscriptions"), sorted; absent when none.
   */
  readonly subscriptions?: readonly string[];
  /**
   * The tools' session state (docs/tools.md, "Session state for tools"), read with the session so
   * that a tool call costs no second read; absent until a tool changes it. Written only
   * by `applySessionState`.
   */
  readonly sessionState?: SessionState;
  /**
   * The id of the session's standalone GET stream that is open now (a live stream
   * writes it when it opens): an older stream that reads another id ends, so a session
   * has one standalone stream at a time (2025-11-25 basic/transports, "Multiple
   * Connections": a server MUST NOT broadcast a message on several streams).
   */
  readonly streamId?: string;
  /**
   * Where the session's next polled GET resumes when the client sends no
   * `Last-Event-ID` (poll mode for 2025-06-18 / 2025-03-26 clients, docs/streams.md):
   * the signed event id of the cursor the last polled GET ended at. Absent until one
   * such GET moved it.
   */
  readonly streamResumeId?: string;
}

/** What `moveStreamResume` did. */
export type StreamResumeMove = 'moved' | 'raced' | 'gone';

/** Fields a request may change on a live session. */
export interface SessionPatch {
  readonly logLevel?: string;
  readonly initialized?: boolean;
  readonly expiresAt?: number;
  readonly streamId?: string;
}

export class SessionConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionConflictError';
  }
}

export interface SessionStore {
  /** Creates a session; fails with SessionConflictError if the id exists. */
  create(record: SessionRecord): Promise<void>;
  /** The live session, or undefined when unknown, deleted or expired (TTL deletes late). */
  get(id: string): Promise<SessionRecord | undefined>;
  /**
   * Applies a patch if the session is live (and, when given, still at `expectedVersion`).
   * Returns the new record, or undefined when the session is gone.
   * Throws SessionConflictError when `expectedVersion` is stale.
   */
  update(id: string, patch: SessionPatch, expectedVersion?: number): Promise<SessionRecord | undefined>;
  /** Deletes a session; returns whether a live one existed. */
  delete(id: string): Promise<boolean>;
  /**
   * Adds a resource URI to the session's subscriptions, atomically (no read-modify-
   * write: two concurrent subscribes both stay). Returns false when the session is
   * gone. Throws SubscriptionLimitError when it already holds MAX_SUBSCRIPTIONS others.
   * Optional so that stores without resource subscriptions still satisfy the contract; the
   * DynamoDB and memory stores implement it, and without it `resources/subscribe` is
   * not offered.
   */
  addSubscription?(id: string, uri: string): Promise<boolean>;
  /** Removes a URI from the session's subscriptions (absent: no change). False when the session is gone. */
  removeSubscription?(id: string, uri: string): Promise<boolean>;
  /**
   * Applies a tool's `_sessionState` operations to the session's state atomically (one
   * conditional write, no read first: concurrent calls on any environment never lose
   * each other's changes; store/session-state-store.ts). Optional like the
   * subscriptions; without it tools' state changes are refused.
   */
  applySessionState?(id: string, changes: SessionStateChanges): Promise<SessionStateWrite>;
  /**
   * Sets `streamResumeId` to `to` only if it is still `from` (absent: never set), in one
   * conditional write that also sets `expiresAt` when given. `raced`: another GET of
   * the session moved it meanwhile (nothing written); `gone`: the session is not live.
   * `to` must be unique to the caller (a retried write recognises itself by it).
   * The compare-and-set makes the GET that moved the cursor the only one that delivers
   * the events it covers, on whichever environment. Optional like the subscriptions;
   * without it older clients get live streams in poll mode.
   */
  moveStreamResume?(id: string, from: string | undefined, to: string, expiresAt?: number): Promise<StreamResumeMove>;
}

/** Most resource subscriptions one session may hold: bounds the session item's size. */
export const MAX_SUBSCRIPTIONS = 100;
/** Longest resource URI a session may subscribe to, in UTF-8 bytes. */
export const MAX_SUBSCRIPTION_URI_BYTES = 2048;

export class SubscriptionLimitError extends Error {
  constructor(readonly limit: number) {
    super(`the session already holds ${limit} resource subscriptions, the most allowed; unsubscribe from one first`);
    this.name = 'SubscriptionLimitError';
  }
}
