/**
 * How a tool function in ANY language asks the client for input: it RETURNS a request
 * for input instead of a result, and is invoked again with the answers. One contract
 * for both protocol eras (docs/tools.md, "Tools that ask for input, and tasks"):
 *
 * The function returns the 2026-07-28 multi round-trip shape (basic/patterns/mrtr):
 *
 * ```json
 * { "resultType": "input_required",
 *   "inputRequests": { "confirm": { "method": "elicitation/create",
 *                                   "params": { "message": "Deploy?", "requestedSchema": { ... } } } },
 *   "requestState": "anything the function wants back" }
 * ```
 *
 * and is invoked again with the tool event plus `"inputResponses": { "confirm": { "action": "accept",
 * "content": { ... } } }` and its own `"requestState"`.
 *
 * - 2026-07-28 clients get the `input_required` result and retry `tools/call` with
 *   `inputResponses` and `requestState`.
 * - 2025-era clients get each input request as a server-to-client request on the POST
 *   stream (the SDK's legacy shim); their answers come back through the store
 *   (server-request-relay.ts), and the function is invoked again in the same request.
 *
 * The function never needs to know the era. Its `requestState` travels through the
 * client, so the server seals it (request-state-seal.ts): the function gets back only
 * what it wrote itself, for the same tool and caller.
 */

/** The embedded request kinds a tool may ask for (2026-07-28 `InputRequest`). */
export const INPUT_REQUEST_METHODS = ['elicitation/create', 'sampling/createMessage', 'roots/list'] as const;
export type InputRequestMethod = (typeof INPUT_REQUEST_METHODS)[number];

export interface ToolInputRequest {
  readonly method: InputRequestMethod;
  readonly params?: Record<string, unknown>;
}

export interface ToolInputRequired {
  readonly inputRequests?: Record<string, ToolInputRequest>;
  /** The function's own state, as it returned it (not yet sealed). */
  readonly requestState?: string;
}

/** Most input requests in one round: each is a prompt a person may have to answer. */
export const MAX_INPUT_REQUESTS = 8;
/** Longest `requestState` a function may return, in UTF-8 bytes (it travels through the client twice). */
export const MAX_REQUEST_STATE_BYTES = 16 * 1024;
const KEY_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Reads a tool function's payload: undefined when it is not a request for input (an
 * ordinary result), the request when it is a valid one, or a sentence saying what is
 * wrong with it, for an `isError` result the tool author can act on.
 */
export function parseInputRequired(payload: unknown): ToolInputRequired | { readonly problem: string } | undefined {
  if (!isRecord(payload) || payload.resultType !== 'input_required') return undefined;
  const { inputRequests, requestState } = payload;
  if (requestState !== undefined) {
    if (typeof requestState !== 'string') return { problem: "'requestState' must be a string" };
    const bytes = Buffer.byteLength(requestState, 'utf8');
    if (bytes > MAX_REQUEST_STATE_BYTES) return { problem: `'requestState' is ${bytes} bytes, over the ${MAX_REQUEST_STATE_BYTES}-byte limit` };
  }
  if (inputRequests !== undefined && !isRecord(inputRequests)) return { problem: "'inputRequests' must be an object mapping keys to requests" };
  const entries = Object.entries(inputRequests ?? {});
  if (entries.length === 0 && requestState === undefined) {
    return { problem: "an input_required result needs 'inputRequests' or 'requestState' (basic/patterns/mrtr)" };
  }
  if (entries.length > MAX_INPUT_REQUESTS) return { problem: `it asks for ${entries.length} inputs at once; at most ${MAX_INPUT_REQUESTS} are allowed` };
  const requests: Record<string, ToolInputRequest> = {};
  for (const [key, request] of entries) {
    if (!KEY_PATTERN.test(key)) return { problem: `input request key ${JSON.stringify(key)} must be 1 to 64 of A-Z a-z 0-9 _ . -` };
    if (!isRecord(request) || typeof request.method !== 'string') {
      return { problem: `inputRequests.${key} must be an object with a 'method'` };
    }
    if (!(INPUT_REQUEST_METHODS as readonly string[]).includes(request.method)) {
      return { problem: `inputRequests.${key}.method ${JSON.stringify(request.method)} is not one of ${INPUT_REQUEST_METHODS.join(', ')}` };
    }
    if (request.params !== undefined && !isRecord(request.params)) return { problem: `inputRequests.${key}.params must be an object` };
    if (request.method !== 'roots/list' && request.params === undefined) return { problem: `inputRequests.${key} (${request.method}) needs 'params'` };
    requests[key] = { method: request.method as InputRequestMethod, ...(request.params ? { params: request.params } : {}) };
  }
  return { ...(entries.length > 0 ? { inputRequests: requests } : {}), ...(requestState !== undefined ? { requestState } : {}) };
}

export function isInputProblem(value: ToolInputRequired | { readonly problem: string }): value is { readonly problem: string } {
  return 'problem' in value;
}

/** The fields a retried invocation's event carries besides the tool event's own. */
export interface InputRetryFields {
  readonly inputResponses?: Record<string, unknown>;
  readonly requestState?: string;
}

/** The event of a retried invocation: the tool event plus the answers and the function's state. */
export function withInputResponses<E extends object>(event: E, retry: InputRetryFields): E & InputRetryFields {
  return {
    ...event,
    ...(retry.inputResponses !== undefined ? { inputResponses: retry.inputResponses } : {}),
    ...(retry.requestState !== undefined ? { requestState: retry.requestState } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
