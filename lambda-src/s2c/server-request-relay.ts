/**
 * Carries a server-to-client request (sampling/createMessage, elicitation/create,
 * roots/list) of a 2025-era session across execution environments.
 *
 * The SDK server sends the request through our per-exchange transport and waits for
 * the response to come back through that transport's `onmessage`. But the client
 * answers with a NEW POST (2025-11-25 basic/transports, "Sending Messages to the
 * Server": a JSON-RPC response is POSTed like any message) that may land on another
 * environment. So the relay
 *
 * 1. gives the request a wire id unique in the session (the SDK numbers requests per
 *    server instance, from 0, and we build one instance per HTTP request, so its ids
 *    repeat across concurrent calls of one session);
 * 2. records it as pending in the store BEFORE it is written to the client, so the
 *    answer can never arrive before its record (store/pending-request-store.ts);
 * 3. polls the store with a bounded interval until the answering POST has written the
 *    answer (s2c/client-answers.ts), and hands the SDK a response carrying the SDK's
 *    own id, as if the client had answered on this connection.
 *
 * The wait ends without an answer when the exchange ends (client gone: nothing is
 * delivered, the SDK's request is aborted with the connection) or shortly before the
 * invocation's deadline: then the SDK gets a timeout error while there is still time
 * to write the tool's result (Lambda freezes the environment after the response;
 * ARCHITECTURE.md, "The platform facts that shaped the design").
 */
import { randomBytes } from 'node:crypto';
import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/server';
import { abortableSleep as sleep } from '../model/abortable-sleep';
import type { ClientAnswer, PendingRequestStore } from '../store/pending-request-store';

/** Wire ids of relayed requests start with this, so an answering POST knows which responses to store. */
export const RELAYED_ID_PREFIX = 's2c-';

/** JSON-RPC error code of a request that got no answer in time (the SDK's RequestTimeout). */
export const RELAY_TIMEOUT_CODE = -32001;

export interface ServerRequestRelayOptions {
  readonly store: PendingRequestStore;
  readonly sessionId: string;
  /** Epoch ms after which the invocation dies. */
  readonly deadline: number;
  /** The wait gives up this many ms before `deadline`, leaving time to answer the client. @default 3000 */
  readonly endMarginMs?: number;
  /** Aborted when the exchange ends (client gone); the wait stops and delivers nothing. */
  readonly signal?: AbortSignal;
  /** First poll after this many ms; each next one waits twice as long, up to `maxPollIntervalMs`. @default 50 */
  readonly firstPollMs?: number;
  /** @default 1000 */
  readonly maxPollIntervalMs?: number;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Told about store reads that failed (retried next interval). */
  readonly onError?: (error: unknown) => void;
}

export interface RelayedRequest {
  /** The request as the client must see it: the relay's wire id in place of the SDK's. */
  readonly wire: JSONRPCRequest;
  /** The client's response with the SDK's id, or undefined when the exchange ended first. */
  readonly response: Promise<JSONRPCMessage | undefined>;
}

export class ServerRequestRelay {
  private readonly endMarginMs: number;
  private readonly firstPollMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ServerRequestRelayOptions) {
    this.endMarginMs = options.endMarginMs ?? 3_000;
    this.firstPollMs = options.firstPollMs ?? 50;
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  /** Records the request as pending and starts waiting for its answer. */
  async dispatch(request: JSONRPCRequest): Promise<RelayedRequest> {
    const wireId = `${RELAYED_ID_PREFIX}${randomBytes(16).toString('base64url')}`;
    // Kept a minute past the deadline: a late answer still finds its record (and is ignored).
    const expiresAt = Math.ceil(this.options.deadline / 1000) + 60;
    await this.options.store.open(this.options.sessionId, wireId, expiresAt);
    return { wire: { ...request, id: wireId }, response: this.await(wireId, request.id) };
  }

  private async await(wireId: string, sdkId: JSONRPCRequest['id']): Promise<JSONRPCMessage | undefined> {
    const { store, sessionId, signal } = this.options;
    const giveUpAt = this.options.deadline - this.endMarginMs;
    let interval = this.firstPollMs;
    try {
      while (!signal?.aborted) {
        const left = giveUpAt - this.now();
        if (left <= 0) {
          return errorResponse(sdkId, { code: RELAY_TIMEOUT_CODE, message: 'the client did not answer before this invocation had to end; no answer can reach it any more' });
        }
        await sleep(Math.min(interval, left), signal);
        interval = Math.min(interval * 2, this.maxPollIntervalMs);
        if (signal?.aborted) break;
        let read;
        try {
          read = await store.read(sessionId, wireId);
        } catch (error) {
          this.options.onError?.(error);
          continue;
        }
        if (read.state === 'answered') return responseOf(sdkId, read.answer);
        if (read.state === 'gone') {
          return errorResponse(sdkId, { code: RELAY_TIMEOUT_CODE, message: 'the pending request expired before the client answered' });
        }
      }
      return undefined;
    } finally {
      // Best effort: TTL removes it anyway.
      store.close(sessionId, wireId).catch((error) => this.options.onError?.(error));
    }
  }
}

function responseOf(id: JSONRPCRequest['id'], answer: ClientAnswer): JSONRPCMessage {
  return 'error' in answer ? errorResponse(id, answer.error) : ({ jsonrpc: '2.0', id, result: answer.result } as JSONRPCMessage);
}

function errorResponse(id: JSONRPCRequest['id'], error: { code: number; message: string; data?: unknown }): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error } as JSONRPCMessage;
}

