/**
 * The answering side of a relayed server-to-client request: a POST of a 2025-era
 * session that carries JSON-RPC responses (2025-11-25 basic/transports, "Sending
 * Messages to the Server", rule 4: answered with 202 Accepted) has them written to the
 * store, where the invocation that asked is polling (s2c/server-request-relay.ts).
 * Responses to ids this server never relayed, to requests already answered, or to
 * expired ones are ignored: nobody waits for them.
 */
import { isJSONRPCErrorResponse, isJSONRPCResultResponse, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { RELAYED_ID_PREFIX } from './server-request-relay';
import type { ClientAnswer, PendingRequestStore } from '../store/pending-request-store';

/**
 * How many answers are written at once. Each is one conditional write, and a batch may
 * carry up to a hundred answers to requests that were never sent: all at once they
 * would take every connection of the handler's DynamoDB pool from the requests that
 * share it. A handful at a time costs a real client nothing (it answers one or two).
 */
export const MAX_CONCURRENT_ANSWER_WRITES = 4;

/** Stores every relayed answer among `messages`; returns how many reached a waiting request. */
export async function storeClientAnswers(store: PendingRequestStore, sessionId: string, messages: readonly JSONRPCMessage[]): Promise<number> {
  // One answer per id: a repeated id could only be refused by the store (already answered).
  const answers = new Map<string, ClientAnswer>();
  for (const message of messages) {
    const id = (message as { id?: unknown }).id;
    if (typeof id !== 'string' || !id.startsWith(RELAYED_ID_PREFIX) || answers.has(id)) continue;
    if (isJSONRPCResultResponse(message)) answers.set(id, { result: message.result as Record<string, unknown> });
    else if (isJSONRPCErrorResponse(message)) answers.set(id, { error: message.error });
  }
  const queue = [...answers];
  let delivered = 0;
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (await store.answer(sessionId, next[0], next[1])) delivered++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_CONCURRENT_ANSWER_WRITES, queue.length) }, worker));
  return delivered;
}

/** Whether a message is a response to a relayed request (for routing a POST). */
export function isRelayedAnswer(message: JSONRPCMessage): boolean {
  const id = (message as { id?: unknown }).id;
  return typeof id === 'string' && id.startsWith(RELAYED_ID_PREFIX) && (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message));
}
