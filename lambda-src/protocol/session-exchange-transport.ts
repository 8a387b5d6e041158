/**
 * A `Transport` whose whole lifetime is one HTTP exchange of a 2025-era session.
 *
 * Why not the SDK's `WebStandardStreamableHTTPServerTransport`: its sessionful mode keeps
 * the session in private memory (a fresh instance handed a stored id answers 400 "Server
 * not initialized", ARCHITECTURE.md, "The platform facts that shaped the design"), and its stateless mode always
 * streams, accepts batches under every revision and offers no seam to restore session
 * state before the request. This transport only frames messages; JSON-RPC dispatch,
 * validation and handlers stay in the SDK's `Protocol`.
 *
 * Response shape (Transports 2025-11-25, "Sending Messages to the Server", rule 5): a
 * single JSON body when the results come without anything before them, an SSE stream
 * (`text/event-stream`) as soon as the server sends a message related to one of the
 * posted requests (progress, log) before its result. The stream ends after the last
 * result.
 */
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageExtraInfo,
  type Transport,
  type TransportSendOptions,
} from '@modelcontextprotocol/server';
import type { ServerRequestRelay } from '../s2c/server-request-relay';

type RequestId = JSONRPCRequest['id'];
type ResponseMessage = Extract<JSONRPCMessage, { id: RequestId; result: unknown }> | Extract<JSONRPCMessage, { error: unknown }>;

export type ExchangeOutcome =
  /** Nothing but notifications or responses was posted: answer 202 Accepted. */
  | { readonly kind: 'accepted' }
  /** Every posted request was answered before any related message: one JSON body. */
  | { readonly kind: 'json'; readonly messages: JSONRPCMessage[] }
  /** A related message came first: the exchange streams. */
  | { readonly kind: 'stream'; readonly response: Response }
  /** The exchange was closed (client gone) before anything was answered. */
  | { readonly kind: 'closed' };

export interface SessionExchangeOptions {
  /** The session served; the SDK exposes it to handlers as `ctx.sessionId`. */
  readonly sessionId?: string;
  /** `auto`: JSON unless a related message precedes a result. `json`: never stream (related messages are dropped). */
  readonly responseMode: 'auto' | 'json';
  /** SSE comment keep-alive interval in ms; 0 disables. */
  readonly keepAliveMs: number;
  /** Aborted when the client disconnects: the exchange closes and the SDK aborts the handlers. */
  readonly signal?: AbortSignal;
  /** Extra headers for an SSE response. */
  readonly headers?: Record<string, string>;
  /**
   * Awaited before a response to a posted request is delivered, so that the state a
   * request changed is stored before the client can send its next request. It may
   * return a message to deliver instead (an error when storing failed). It must not throw.
   */
  readonly beforeResponse?: (response: ResponseMessage) => Promise<JSONRPCMessage | void>;
  /**
   * Carries the server's requests to the client (sampling, elicitation, roots) across
   * environments: the client answers them on another POST (s2c/server-request-relay.ts).
   * Absent: the server cannot ask the client anything (its requests fail at once).
   */
  readonly relay?: ServerRequestRelay;
}

const encoder = new TextEncoder();

export class SessionExchangeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  readonly sessionId?: string;

  /** Our own requests to the server (session restore), answered to a callback, never to the client. */
  private readonly internal = new Map<RequestId, (message: JSONRPCMessage) => void>();
  /** Posted requests still waiting for their response. */
  private readonly open = new Set<RequestId>();
  /** The wire id the client saw for each relayed request still waiting, by the SDK's id. */
  private readonly relayedIds = new Map<RequestId, string>();
  private readonly collected: JSONRPCMessage[] = [];
  private controller?: ReadableStreamDefaultController<Uint8Array>;
  private keepAlive?: ReturnType<typeof setInterval>;
  private settle?: (outcome: ExchangeOutcome) => void;
  private closed = false;
  private readonly onAbort: () => void;

  constructor(private readonly options: SessionExchangeOptions) {
    this.sessionId = options.sessionId;
    this.onAbort = () => void this.close();
  }

  async start(): Promise<void> {
    if (this.options.signal?.aborted) {
      await this.close();
      return;
    }
    this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Sends one of our own requests to the connected server and resolves with its
   * response. Used to restore session state on a fresh server instance.
   */
  request(message: JSONRPCRequest, extra?: MessageExtraInfo): Promise<JSONRPCMessage> {
    if (this.closed) return Promise.reject(new Error('exchange closed'));
    return new Promise((resolve) => {
      this.internal.set(message.id, resolve);
      this.onmessage?.(message, extra);
    });
  }

  /** Delivers the posted messages to the server and resolves with the shape of the answer. */
  exchange(messages: readonly JSONRPCMessage[], extra?: MessageExtraInfo): Promise<ExchangeOutcome> {
    const outcome = new Promise<ExchangeOutcome>((resolve) => {
      this.settle = resolve;
    });
    if (this.closed) {
      this.settleWith({ kind: 'closed' });
      return outcome;
    }
    for (const message of messages) {
      if (isJSONRPCRequest(message)) this.open.add(message.id);
    }
    if (this.open.size === 0) this.settleWith({ kind: 'accepted' });
    for (const message of messages) this.onmessage?.(message, extra);
    return outcome;
  }

  async send(outgoing: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    let message = outgoing;
    if (this.closed) return;
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const id = (message as { id?: RequestId }).id;
      if (id === undefined) return;
      const callback = this.internal.get(id);
      if (callback) {
        this.internal.delete(id);
        callback(message);
        return;
      }
      if (!this.open.has(id)) return;
      message = (await this.options.beforeResponse?.(message as ResponseMessage)) ?? message;
      if (this.closed) return;
      this.open.delete(id);
      if (this.controller) {
        this.writeEvent(message);
        if (this.open.size === 0) await this.close();
      } else {
        this.collected.push(message);
        if (this.open.size === 0) this.settleWith({ kind: 'json', messages: this.collected });
      }
      return;
    }
    // A notification or a server-to-client request. On a POST stream only messages
    // related to a posted request may be sent (Transports 2025-11-25, "Sending Messages
    // to the Server", rule 6); unrelated ones belong to the GET stream, which is not
    // this exchange, so they are dropped here.
    const related = options?.relatedRequestId;
    const deliverable = related !== undefined && this.open.has(related) && this.options.responseMode !== 'json';
    // The SDK withdraws a request it no longer waits for (2025-11-25 basic/utilities/
    // cancellation) under its own id; the client knows the request by the relay's wire id.
    message = this.withWireIdIfCancel(message);
    if (isJSONRPCRequest(message)) {
      await this.sendRequest(message, deliverable);
      return;
    }
    if (!deliverable) return;
    if (!this.controller) this.upgradeToStream();
    this.writeEvent(message);
  }

  /**
   * A server-to-client request: written on this exchange's stream under the relay's
   * wire id; its answer comes back from the store as if the client had answered here.
   * One that cannot reach the client is answered with an error at once, so the SDK
   * does not wait for a response that can never come.
   */
  private async sendRequest(message: JSONRPCRequest, deliverable: boolean): Promise<void> {
    const relay = this.options.relay;
    if (!deliverable || !relay) {
      const why = relay
        ? 'the server can ask the client only while answering one of its requests, on that request\'s stream'
        : 'this server cannot deliver requests to the client while a call runs (buffered responses, or no store for the answers); use a 2026-07-28 client';
      queueMicrotask(() => this.onmessage?.({ jsonrpc: '2.0', id: message.id, error: { code: -32603, message: `cannot send ${message.method}: ${why}` } } as JSONRPCMessage));
      return;
    }
    const { wire, response } = await relay.dispatch(message);
    if (this.closed) return;
    if (!this.controller) this.upgradeToStream();
    this.relayedIds.set(message.id, String(wire.id));
    this.writeEvent(wire);
    void response.then((answer) => {
      this.relayedIds.delete(message.id);
      if (answer && !this.closed) this.onmessage?.(answer);
    });
  }

  private withWireIdIfCancel(message: JSONRPCMessage): JSONRPCMessage {
    if (!isJSONRPCNotification(message) || message.method !== 'notifications/cancelled') return message;
    const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
    const wireId = requestId === undefined ? undefined : this.relayedIds.get(requestId);
    if (wireId === undefined) return message;
    this.relayedIds.delete(requestId!);
    return { ...message, params: { ...message.params, requestId: wireId } };
  }

  /**
   * Drops a posted request that was cancelled in another environment: the response
   * its handler still produces is not sent (2025-11-25 basic/utilities/cancellation,
   * "Behavior Requirements", rule 4). When it was the last one open, the exchange ends:
   * with the other answers of a batch, or with an SSE stream that ends without an
   * answer (a POST of a request is answered with JSON or a stream, never 202).
   */
  forget(id: RequestId): void {
    if (this.closed || !this.open.delete(id) || this.open.size > 0) return;
    if (this.controller) {
      void this.close();
    } else if (this.collected.length > 0) {
      this.settleWith({ kind: 'json', messages: this.collected });
    } else {
      this.upgradeToStream();
      void this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    if (this.controller) {
      try {
        this.controller.close();
      } catch {
        // already closed or cancelled by the reader
      }
    }
    this.settleWith({ kind: 'closed' });
    this.onclose?.();
  }

  private settleWith(outcome: ExchangeOutcome): void {
    const settle = this.settle;
    this.settle = undefined;
    settle?.(outcome);
  }

  private upgradeToStream(): void {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      // The reader went away: the client disconnected.
      cancel: () => this.close(),
    });
    for (const message of this.collected) this.writeEvent(message);
    this.collected.length = 0;
    if (this.options.keepAliveMs > 0) {
      this.keepAlive = setInterval(() => this.write(': keepalive\n\n'), this.options.keepAliveMs);
    }
    this.settleWith({
      kind: 'stream',
      response: new Response(body, {
        status: 200,
        headers: {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache, no-transform',
          // 2026-07-28 streamable-http "Receiving Messages": SHOULD disable proxy buffering.
          'x-accel-buffering': 'no',
          ...this.options.headers,
        },
      }),
    });
  }

  private writeEvent(message: JSONRPCMessage): void {
    this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  private write(frame: string): void {
    try {
      this.controller?.enqueue(encoder.encode(frame));
    } catch (error) {
      this.onerror?.(error as Error);
    }
  }
}
