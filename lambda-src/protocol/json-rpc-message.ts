/**
 * Shape checks of posted JSON-RPC messages, before any SDK instance is built, so that
 * a malformed message gets a message saying exactly what is wrong (JSON-RPC 2.0
 * section 5.1: -32600 "Invalid Request"). MCP Basic, "Requests" (2025-11-25): a
 * request id MUST be a string or integer and MUST NOT be null.
 */
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
} from '@modelcontextprotocol/server';

export type MessageCheck = { readonly ok: true; readonly message: JSONRPCMessage } | { readonly ok: false; readonly problem: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isValidId(id: unknown): boolean {
  return typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id));
}

/** Checks one element of a posted body and says what is wrong with it. */
export function checkMessage(value: unknown): MessageCheck {
  if (!isObject(value)) {
    return { ok: false, problem: `a JSON-RPC message must be an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}` };
  }
  if (value.jsonrpc !== '2.0') return { ok: false, problem: 'the "jsonrpc" member must be exactly "2.0"' };
  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method.length === 0) {
      return { ok: false, problem: 'the "method" member must be a non-empty string' };
    }
    if ('id' in value && !isValidId(value.id)) {
      return { ok: false, problem: `the request id must be a string or an integer, got ${JSON.stringify(value.id)}` };
    }
    if ('params' in value && value.params !== undefined && !isObject(value.params)) {
      return { ok: false, problem: 'the "params" member must be an object' };
    }
  } else if (!('result' in value) && !('error' in value)) {
    return { ok: false, problem: 'a JSON-RPC message needs a "method" (request or notification) or a "result"/"error" (response)' };
  } else if (!isValidId(value.id)) {
    return { ok: false, problem: `the response id must be a string or an integer, got ${JSON.stringify(value.id)}` };
  }
  if (isJSONRPCRequest(value) || isJSONRPCNotification(value) || isJSONRPCResultResponse(value) || isJSONRPCErrorResponse(value)) {
    return { ok: true, message: value };
  }
  return { ok: false, problem: 'the message is not a valid JSON-RPC request, notification or response' };
}

/**
 * Most messages in one 2025-03-26 batch. Every element may cost a store write (an
 * answer, a `logging/setLevel`, a subscription) or an invocation: a bound on the batch
 * bounds what one POST can make the server do, and it is refused whole (400, -32600)
 * before any element runs. Real clients batch a handful.
 */
export const MAX_BATCH_MESSAGES = 100;

export type BodyCheck =
  | { readonly ok: true; readonly messages: JSONRPCMessage[]; readonly isBatch: boolean }
  | { readonly ok: false; readonly problem: string; readonly id: string | number | null };

/**
 * Checks a parsed POST body: one message, or an array of them (a batch, which only
 * 2025-03-26 allows; the era decides later). Says what is wrong with the first bad one.
 */
export function checkBody(body: unknown): BodyCheck {
  const isBatch = Array.isArray(body);
  const elements: unknown[] = isBatch ? body : [body];
  if (elements.length === 0) return { ok: false, problem: 'the JSON-RPC batch is empty', id: null };
  if (elements.length > MAX_BATCH_MESSAGES) {
    return { ok: false, problem: `the JSON-RPC batch has ${elements.length} messages; at most ${MAX_BATCH_MESSAGES} are served in one POST, so split it`, id: null };
  }
  const messages: JSONRPCMessage[] = [];
  const requestIds = new Set<unknown>();
  for (const [index, element] of elements.entries()) {
    const check = checkMessage(element);
    const where = isBatch ? `batch element ${index}: ` : '';
    if (!check.ok) {
      const id = !isBatch && isObject(element) && isValidId(element.id) ? (element.id as string | number) : null;
      return { ok: false, problem: `${where}${check.problem}`, id };
    }
    if (isJSONRPCRequest(check.message)) {
      if (requestIds.has(check.message.id)) {
        return { ok: false, problem: `${where}the request id ${JSON.stringify(check.message.id)} is used twice in the batch`, id: null };
      }
      requestIds.add(check.message.id);
    }
    messages.push(check.message);
  }
  return { ok: true, messages, isBatch };
}
