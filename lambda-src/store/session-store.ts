/**
 * Sessions of 2025-era clients (DESIGN.md, "Protocol eras"). A session outlives any
 * one Lambda execution environment: everything a later request needs is here, never
 * in process memory.
 */

/** Who made a request, as the http layer established it. Tokens never appear here. */
export interface Principal {
  /** `iam`, `oauth`, `bearer`, `none` or `local`. */
  readonly kind: string;
  /** A stable identifier: an IAM ARN, a JWT `sub`, ... */
  readonly id: string;
  /** Extra non-secret claims a tool may use (e.g. scopes, account). */
  readonly claims?: Record<string, unknown>;
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
}
