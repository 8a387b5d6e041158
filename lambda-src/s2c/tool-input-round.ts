/**
 * One round of a tool call that may ask for input (input-required-contract.ts), as the
 * `tools/call` handler sees it, for both protocol eras:
 *
 * - before the function runs, `incomingRound` reads the answers and the sealed state
 *   the SDK lifted off the request (`ctx.mcpReq.inputResponses` / `requestState()`:
 *   the 2026-07-28 client's retry, or the SDK's 2025-era shim re-entering after the
 *   client answered on the stream), and opens the seal;
 * - after it ran, `outgoingRound` turns a request for input into the SDK's
 *   `input_required` result with the state sealed, which the SDK sends as such to a
 *   2026-07-28 client, or fulfils through server-to-client requests for a 2025-era one.
 */
import { ProtocolError, ProtocolErrorCode, type CallToolResult, type InputRequiredResult, type ServerContext } from '@modelcontextprotocol/server';
import { type InputRetryFields, isInputProblem, parseInputRequired } from './input-required-contract';
import type { RequestStateSeal, SealBinding } from './request-state-seal';
import { toolErrorResult } from '../tools/tool-result';

/** The answers and the function's own state for the retried event; throws -32602 for a state that fails the seal. */
export async function incomingRound(ctx: ServerContext, seal: RequestStateSeal | undefined, binding: SealBinding): Promise<InputRetryFields> {
  const inputResponses = ctx.mcpReq.inputResponses;
  const sealed = ctx.mcpReq.requestState<unknown>();
  let requestState: string | undefined;
  if (typeof sealed === 'string') {
    requestState = seal ? await seal.open(sealed, binding) : undefined;
    // 2026-07-28 basic/patterns/mrtr: state that fails verification MUST be rejected.
    if (requestState === undefined) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid or expired requestState: it was not issued by this server for this tool and caller, or it is over an hour old; call the tool again without it');
    }
  }
  return {
    ...(inputResponses !== undefined ? { inputResponses } : {}),
    ...(requestState !== undefined ? { requestState } : {}),
  };
}

/**
 * Undefined when the function returned an ordinary result; otherwise its request for
 * input as the SDK's `input_required` result, or an `isError` result saying why it
 * cannot be one.
 */
export async function outgoingRound(
  toolName: string,
  payload: unknown,
  seal: RequestStateSeal | undefined,
  binding: SealBinding,
): Promise<InputRequiredResult | CallToolResult | undefined> {
  const parsed = parseInputRequired(payload);
  if (parsed === undefined) return undefined;
  if (isInputProblem(parsed)) return toolErrorResult(`tool '${toolName}' returned an invalid input_required result: ${parsed.problem}`);
  if (parsed.requestState !== undefined && !seal) {
    return toolErrorResult(`tool '${toolName}' returned a requestState, but this server has no key to seal it with`);
  }
  return {
    resultType: 'input_required',
    ...(parsed.inputRequests ? { inputRequests: parsed.inputRequests as InputRequiredResult['inputRequests'] } : {}),
    ...(parsed.requestState !== undefined ? { requestState: await seal!.seal(parsed.requestState, binding) } : {}),
  };
}

/**
 * The same round for a prompt or resource function: 2026-07-28 lets `prompts/get` and
 * `resources/read` answer `input_required` like `tools/call` (basic/patterns/mrtr; the
 * SDK carries it to 2025-era clients through its shim, as for tools). These results
 * have no `isError`, so a malformed request for input is a JSON-RPC internal error naming
 * the function's mistake. `what` names the item ("prompt 'greet'").
 */
export async function itemOutgoingRound(
  what: string,
  payload: unknown,
  seal: RequestStateSeal | undefined,
  binding: SealBinding,
): Promise<InputRequiredResult | undefined> {
  const parsed = parseInputRequired(payload);
  if (parsed === undefined) return undefined;
  if (isInputProblem(parsed)) throw new ProtocolError(ProtocolErrorCode.InternalError, `${what} returned an invalid input_required result: ${parsed.problem}`);
  if (parsed.requestState !== undefined && !seal) {
    throw new ProtocolError(ProtocolErrorCode.InternalError, `${what} returned a requestState, but this server has no key to seal it with`);
  }
  return {
    resultType: 'input_required',
    ...(parsed.inputRequests ? { inputRequests: parsed.inputRequests as InputRequiredResult['inputRequests'] } : {}),
    ...(parsed.requestState !== undefined ? { requestState: await seal!.seal(parsed.requestState, binding) } : {}),
  };
}
