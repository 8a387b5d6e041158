/**
 * Sessions of 2025-era clients (DESIGN.md, "Protocol eras"). A session outlives any
 * one Lambda execution environment: everything a later request needs is here, never
 * in process memory.
 */

import type { SessionStateWrite } from './session-state-store';
import type { SessionState, SessionStateChanges } from '../session-state/session-state-changes';

/** Who made a request, as the http layer established it. Tokens never appear here. */
export interface Principal {
  /** `iam`, `oauth`, `bearer`, `none` or `local`. */
  readonly kind: string;
  /** A stable identifier: an IAM ARN, a JWT `sub`, ... */
  readonly id: string;
  /** Extra non-secret claims a tool may use (e.g. scopes, account). */
  readonly claims?: Record<string, unknown>;
  /**
   * The identity sessions, tasks and sealed request state bind to: namespaced by kind,
   * by what the id is (an OAuth `sub` or a `client_id`) and by issuer, so that no two
   * principals of different kinds or issuers ever compare equal (an `id` alone does not:
   * a client-credentials token's `client_id` may equal a user's `sub`). Read it through
   * principalKey(), which derives one for records written before it existed.
   */
  readonly key?: string;
}

/** Escapes a part of a principal key so that it cannot hold the separator. */
function keyPart(value: string): string {
  return value.replace(/%/g, '%25').replace(/:/g, '%3A');
}

/**
 * A principal key from its namespace: the kind, what the id is, the issuer, ... then
 * the id. Every part but the last is escaped, so the parts always split back the same
 * way; the id stays as it is (an ARN reads as an ARN).
 */
export function namespacedPrincipalKey(kind: string, ...parts: string[]): string {
  const all = [kind, ...parts];
  return [...all.slice(0, -1).map(keyPart), all[all.length - 1]].join(':');
}

/**
 * The key a principal binds to: the one its authenticator set, or `<kind>:<id>` for the
 * fixed principals (`iam`, `bearer`, `none`, `local`: one id namespace each). An OAuth
 * record stored before keys existed gets `oauth:unkeyed:<id>`, which no token maps to
 * (theirs always name `sub` or `client` and the issuer), so such a session is no longer
 * usable by anyone, rather than by a principal that spells the same id in another claim.
 */
export function principalKey(principal: Principal): string {
  if (principal.key !== undefined) return principal.key;
  return principal.kind === 'oauth'
    ? namespacedPrincipalKey('oauth', 'unkeyed', principal.id)
    : namespacedPrincipalKey(principal.kind, principal.id);
}

/** Whether two principals are the same (both absent counts as the same). */
export function samePrincipal(a: Principal | undefined, b: Principal | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return principalKey(a) === principalKey(b);
}

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
   * The tools' session state (README, "Session state for tools"), read with the session so
   * that a tool call costs no second read; absent until a tool changes it. Written only
   * by `applySessionState`.
   */
  readonly sessionState?: SessionState;
}

/** Fields a request may change on a live session. */
export interface SessionPatch {
  readonly logLevel?: string;
  readonly initialized?: boolean;
  readonly expiresAt?: number;
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
   * Optional so that stores written before issue 5 still satisfy the contract; the
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
