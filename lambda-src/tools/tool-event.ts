/**
 * The JSON event a tool function receives (ARCHITECTURE.md, "The contracts", Tool
 * function). It is the whole contract between this server and a tool author in any
 * language, so it holds only plain JSON and never a credential: the caller's token
 * stays in the http layer; the `principal` is what that layer established from it.
 */
import type { SessionState } from '../model/session-state-changes';
import { principalKey, type Principal } from '../store/session-store';

export interface ToolEventContext {
  /** The Lambda request id of the MCP request (a random id locally). */
  readonly requestId: string;
  /** The protocol version the client speaks, e.g. `2025-11-25` or `2026-07-28`. */
  readonly protocolVersion: string;
  /** The `Mcp-Session-Id` of a 2025-era session; absent for stateless requests. */
  readonly sessionId?: string;
  /**
   * The session's tool state (docs/tools.md, "Session state for tools"): a JSON object, `{}` until
   * a tool changes it, given to tools in a 2025-era session only (2026-07-28 has no
   * sessions). A tool changes it by returning `_sessionState` operations; this copy is
   * what the state was when the call began.
   */
  readonly sessionState?: SessionState;
  /** Who called: kind, id and non-secret claims. */
  readonly principal?: Principal;
  /** The client's `_meta.progressToken`, when it asked for progress. */
  readonly progressToken?: string | number;
}

export interface ToolEvent {
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  readonly context: ToolEventContext;
}

/** Builds the event, leaving out absent optional fields so the JSON stays minimal. */
export function toolEvent(tool: string, args: Record<string, unknown>, context: ToolEventContext): ToolEvent {
  return { tool, arguments: args, context: eventContext(context) };
}

/** The `context` object shared by the tool, resource and prompt events. */
export function eventContext(context: ToolEventContext): ToolEventContext {
  const out: { -readonly [K in keyof ToolEventContext]: ToolEventContext[K] } = {
    requestId: context.requestId,
    protocolVersion: context.protocolVersion,
  };
  if (context.sessionId !== undefined) out.sessionId = context.sessionId;
  if (context.sessionState !== undefined) out.sessionState = context.sessionState;
  if (context.principal !== undefined) {
    // Copy field by field: a Principal object from the http layer must not carry
    // anything else (such as a raw token) into a function's event by accident.
    // `key` is the namespaced identity (kind, sub or client, issuer) a function should
    // bind data to: `id` alone is not unique across kinds (a client_id may spell a sub).
    const { kind, id, claims } = context.principal;
    const key = principalKey(context.principal);
    out.principal = claims === undefined ? { kind, id, key } : { kind, id, claims, key };
  }
  if (context.progressToken !== undefined) out.progressToken = context.progressToken;
  return out;
}
