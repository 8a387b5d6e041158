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

/** Stores every relayed answer among `messages`; returns how many reached a waiting request. */
export async function storeClientAnswers(store: PendingRequestStore, sessionId: string, messages: readonly JSONRPCMessage[]): Promise<number> {
  const writes: Array<Promise<boolean>> = [];
  for (const message of messages) {
    const id = (message as { id?: unknown }).id;
    if (typeof id !== 'string' || !id.startsWith(RELAYED_ID_PREFIX)) continue;
    let answer: ClientAnswer | undefined;
    if (isJSONRPCResultResponse(message)) answer = { result: message.result as Record<string, unknown> };
    else if (isJSONRPCErrorResponse(message)) answer = { error: message.error };
    if (answer) writes.push(store.answer(sessionId, id, answer));
  }
  return (await Promise.all(writes)).filter(Boolean).length;
}

/** Whether a message is a response to a relayed request (for routing a POST). */
export function isRelayedAnswer(message: JSONRPCMessage): boolean {
  const id = (message as { id?: unknown }).id;
  return typeof id === 'string' && id.startsWith(RELAYED_ID_PREFIX) && (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message));
}
