/**
 * The tool contract's session state (docs/tools.md, "Session state for tools"), between
 * a tool's result and the store:
 *
 * 1. `takeSessionStateChanges` takes the reserved `_sessionState` key off what the
 *    function returned, before the result is mapped (tool-result.ts), so it never
 *    reaches the client, neither in a CallToolResult nor in `structuredContent`.
 * 2. `keepSessionState` checks the operations and the size bound, then has the store
 *    apply them in one atomic write, before the result goes to the client: the
 *    client's next request, on any execution environment, sees the new state.
 * 3. When they cannot be kept, the call's result becomes `isError: true`, with a first
 *    text block that says why followed by the tool's own content: the tool did run, and
 *    the model must know its state change was not kept (2025-11-25 server/tools,
 *    "Error Handling": tool execution errors are reported in the result).
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { InvokeOutcome } from './tool-invoker';
import {
  applySessionStateChanges, isEmptyChanges, MAX_SESSION_STATE_BYTES, parseSessionStateChanges,
  SESSION_STATE_RESULT_KEY, sessionStateBytes, type SessionState,
} from '../model/session-state-changes';
import type { SessionStateStore } from '../store/session-state-store';

export interface SessionStateCall {
  readonly toolName: string;
  /** The 2025-era session; absent under 2026-07-28, where there is no session to keep state in. */
  readonly sessionId?: string;
  /** The state the tool was given (`context.sessionState`). */
  readonly seen?: SessionState;
  /** Absent: this deployment keeps no state (then a tool's operations are refused). */
  readonly store?: SessionStateStore;
}

export type KeepOutcome =
  /** Kept, or there was nothing to keep. */
  | { readonly kept: true }
  /** No session (2026-07-28): the operations were dropped; the caller logs it. */
  | { readonly kept: false; readonly ignored: true }
  | { readonly kept: false; readonly ignored?: false; readonly error: string };

/** The outcome without the reserved key, and the key's value when the function returned one. */
export function takeSessionStateChanges(outcome: InvokeOutcome): { outcome: InvokeOutcome; changes?: unknown } {
  if (!outcome.ok) return { outcome };
  const payload = outcome.payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || !(SESSION_STATE_RESULT_KEY in payload)) {
    return { outcome };
  }
  const { [SESSION_STATE_RESULT_KEY]: changes, ...rest } = payload as Record<string, unknown>;
  return { outcome: { ok: true, payload: rest }, changes };
}

export async function keepSessionState(call: SessionStateCall, rawChanges: unknown): Promise<KeepOutcome> {
  const subject = `tool '${call.toolName}'`;
  const parsed = parseSessionStateChanges(rawChanges);
  if (!parsed.ok) return { kept: false, error: `${subject} returned an invalid ${SESSION_STATE_RESULT_KEY}: ${parsed.problem}` };
  if (isEmptyChanges(parsed.changes)) return { kept: true };
  // 2026-07-28 has no sessions (2026-07-28 basic, "Statelessness"): the tool was given
  // no `sessionState` and its operations have nowhere to go.
  if (call.sessionId === undefined) return { kept: false, ignored: true };
  if (!call.store) return { kept: false, error: `${subject} changed its session state, but this server keeps none; its change was not kept` };

  // The bound is checked on the state the tool saw with its operations applied, so a
  // tool learns of it from its own call. (A concurrent call's change to other keys is
  // not seen here; docs/tools.md, "Session state for tools" says so.)
  const projected = applySessionStateChanges(call.seen ?? {}, parsed.changes);
  if (!projected.ok) return { kept: false, error: `${subject}'s session state change was not kept: ${projected.problem}` };
  const bytes = sessionStateBytes(projected.state);
  if (bytes > MAX_SESSION_STATE_BYTES) {
    return {
      kept: false,
      error: `${subject}'s session state change was not kept: the state would be ${bytes} bytes of JSON, over the limit of ${MAX_SESSION_STATE_BYTES}; remove keys or keep large data elsewhere`,
    };
  }
  const write = await call.store.applySessionState(call.sessionId, parsed.changes);
  if (write.ok) return { kept: true };
  return { kept: false, error: `${subject}'s session state change was not kept: ${write.message}` };
}

/** The tool's result marked as an error, the reason first, its own content after. */
export function withSessionStateError(result: CallToolResult, error: string): CallToolResult {
  return { ...result, content: [{ type: 'text', text: error }, ...result.content], isError: true };
}
