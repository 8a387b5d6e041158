/**
 * Serves 2025-era traffic (2025-03-26, 2025-06-18, 2025-11-25) with sessions kept in the
 * SessionStore, never in process memory: any execution environment serves any request
 * of any session (docs/endpoint.md, "The MCP endpoint").
 *
 * Each request gets a fresh SDK server from the registry builder and a per-exchange
 * transport; the session's handshake state is restored on it first (session-restore.ts).
 * The hot path of a request in a session costs ONE SessionStore read; writes happen
 * only for `notifications/initialized`, `logging/setLevel`, an expiry refresh (at most
 * once per 10% of the TTL), initialize and DELETE, and a `notifications/cancelled` (a
 * marker). A function invocation that runs longer than a second also reads its
 * cancellation markers once a second (cancellation-watch.ts).
 *
 * Section names below are from the 2025-11-25 specification, basic/transports.mdx
 * ("Streamable HTTP") and basic/lifecycle.mdx.
 */
import { randomBytes } from 'node:crypto';
import {
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageExtraInfo,
} from '@modelcontextprotocol/server';
import { acceptsEventStream } from './accept-header';
import { builderDepsOf } from './builder-deps';
import { CancellationWatch } from './cancellation-watch';
import type { ResolvedEndpointOptions } from './endpoint-options';
import { withInvalidParamsCorrection } from './invalid-params';
import { JsonRpcErrorCode, jsonRpcErrorResponse } from './json-rpc-error-response';
import type { ProtocolDeps } from './protocol-deps';
import {
  BATCH_PROTOCOL_VERSION,
  isLegacyProtocolVersion,
  LEGACY_PROTOCOL_VERSIONS,
  negotiateProtocolVersion,
} from './protocol-versions';
import { buildMcpServer, type CallContext } from './server-builder';
import { SessionExchangeTransport } from './session-exchange-transport';
import { isValidSessionId, newSessionId } from './session-id';
import { restoreSession } from './session-restore';
import { openStandaloneStream } from './standalone-stream';
import { BroadcastTail } from '../events/broadcast-tail';
import { DEFAULT_MAX_STREAM_MS, DEFAULT_STREAM_RETRY_MS } from '../events/event-config';
import { type FeedMessage, SessionEventFeed, SessionGoneError, StreamSupersededError } from '../events/session-event-feed';
import { sameCursor, type StreamCursor, StreamCursorCodec } from '../events/stream-cursor';
import { isLogLevel } from '../model/log-levels';
import type { RequestContext } from '../model/request-context';
import { storeClientAnswers } from '../s2c/client-answers';
import { ServerRequestRelay } from '../s2c/server-request-relay';
import { type CancelledRequestId, isCancellableRequestId } from '../store/cancellation-store';
import { ItemTooLargeError } from '../store/item-size';
import { samePrincipal, type SessionRecord } from '../store/session-store';

const SESSION_HEADER = 'mcp-session-id';

// By method name, not the SDK's schema guards: a malformed initialize must still be
// routed as an initialize (and refused by the SDK with -32602), not as a session request.
function isInitialize(message: JSONRPCMessage): message is JSONRPCRequest {
  return isJSONRPCRequest(message) && message.method === 'initialize';
}

function isInitialized(message: JSONRPCMessage): boolean {
  return isJSONRPCNotification(message) && message.method === 'notifications/initialized';
}
const VERSION_HEADER = 'mcp-protocol-version';

/**
 * Most bytes of JSON a session keeps of the client's `initialize` (capabilities and
 * clientInfo together). Real clients send a few hundred bytes; icons given as data URIs
 * fit too. Without a bound, each initialize could store ~400 KB that every request of
 * the session then reads back (a strongly consistent read of 100 RCU).
 */
export const MAX_CLIENT_DESCRIPTION_BYTES = 32 * 1024;

/**
 * Most `notifications/cancelled` of one POST written as markers. A 2025-03-26 batch may
 * carry many, each a write; a client cancels one request at a time, and the spec lets a
 * receiver ignore a cancellation (2025-11-25 basic/utilities/cancellation, "Behavior
 * Requirements", rule 5).
 */
export const MAX_CANCELS_PER_POST = 4;

/** A session's expiry is pushed forward only once this share of the TTL has passed since the last push. */
const EXPIRY_REFRESH_FRACTION = 0.1;

/**
 * The `notifications/cancelled` of one POST, in order, each with whether the request it
 * names is in the same POST. Malformed ones, without a string or number `requestId`,
 * are left out (2025-11-25 basic/utilities/cancellation, "Error Handling").
 */
function cancelsIn(messages: readonly JSONRPCMessage[]): Array<{ id: CancelledRequestId; reason?: unknown; inPost: boolean }> {
  const posted = new Set<unknown>(messages.filter(isJSONRPCRequest).map((m) => m.id));
  const cancels: Array<{ id: CancelledRequestId; reason?: unknown; inPost: boolean }> = [];
  for (const message of messages) {
    if (!isJSONRPCNotification(message) || message.method !== 'notifications/cancelled') continue;
    const params = (message.params ?? {}) as { requestId?: unknown; reason?: unknown };
    if (isCancellableRequestId(params.requestId)) cancels.push({ id: params.requestId, reason: params.reason, inPost: posted.has(params.requestId) });
  }
  return cancels;
}

/**
 * Ids of the requests of a batch that a `notifications/cancelled` of the same batch
 * names. Wherever the cancel stands in the batch: the SDK delivers notifications a
 * tick after requests, so it aborts such a request even when the cancel came first.
 */
function cancelledInBatch(messages: readonly JSONRPCMessage[]): CancelledRequestId[] {
  return cancelsIn(messages).filter((c) => c.inPost).map((c) => c.id);
}

export class LegacySessionEndpoint {
  private codec?: Promise<StreamCursorCodec>;
  /** The broadcast partition, read at most once per event poll interval for all polled GETs of this environment. */
  private broadcastTail?: BroadcastTail;

  constructor(
    private readonly deps: ProtocolDeps,
    private readonly options: ResolvedEndpointOptions,
  ) {}

  /** POST of checked messages (json-rpc-message.ts); `isBatch` when the body was an array. */
  async post(request: Request, ctx: RequestContext, messages: JSONRPCMessage[], isBatch: boolean): Promise<Response> {
    const receivedAt = this.options.now();
    const initialize = messages.find(isInitialize);
    if (initialize) {
      // Lifecycle, "Initialization": the initialize request MUST NOT be part of a batch.
      if (messages.length > 1) {
        return jsonRpcErrorResponse(400, JsonRpcErrorCode.InvalidRequest, 'Invalid Request: initialize must be sent alone, not in a JSON-RPC batch');
      }
      return this.initialize(request, ctx, initialize);
    }

    const found = await this.findSession(request, ctx);
    if (found instanceof Response) return found;
    const session = found;
    // "Sending Messages to the Server": 2025-03-26 allowed a batch body; 2025-06-18
    // removed JSON-RPC batching, so later sessions get one message per POST.
    if (isBatch && session.protocolVersion !== BATCH_PROTOCOL_VERSION) {
      return jsonRpcErrorResponse(
        400,
        JsonRpcErrorCode.InvalidRequest,
        `Invalid Request: JSON-RPC batches are not supported under protocol version ${session.protocolVersion} (only ${BATCH_PROTOCOL_VERSION}); send one message per POST`,
      );
    }

    if (!messages.some(isJSONRPCRequest)) {
      return this.acceptNotifications(ctx, session, messages);
    }
    // 2025-03-26 batches may mix answers with requests; the answers are stored first.
    if (this.deps.pending && isBatch) await storeClientAnswers(this.deps.pending, session.id, messages);
    return this.serve(request, ctx, session, messages, isBatch, receivedAt);
  }

  /**
   * GET: the standalone SSE stream of a session ("Listening for Messages from the
   * Server"). Without an event source there is nothing such a stream could carry: the
   * server then "MUST ... return HTTP 405 Method Not Allowed, indicating that the server
   * does not offer an SSE stream at this endpoint", and holds no invocation open for
   * nothing. With one, by mode (docs/streams.md):
   *
   * - poll (2025-11-25: with the priming event and `retry:` of "Resumability and
   *   Redelivery" / "Polling SSE streams"), and buffered mode: one read of the log,
   *   then the end; the client reconnects with `Last-Event-ID`;
   * - poll under 2025-03-26 / 2025-06-18 when the deployment asks for it
   *   (`pollOlderRevisions`), and buffered mode: the same, from the cursor the session
   *   keeps (pollWithCursor), as those clients send no id after an empty stream;
   * - live (and otherwise poll under 2025-03-26 / 2025-06-18: their clients before
   *   the 2025-11 releases do not reconnect a GET stream the server ends): the
   *   stream stays open up to its own maximum duration, reading the log and the session
   *   every interval. It takes the session's `streamId` when it opens, so an older
   *   stream of the session ends at its next poll: one standalone stream per session.
   */
  async get(request: Request, ctx: RequestContext): Promise<Response> {
    const events = this.deps.events;
    if (!events) {
      return jsonRpcErrorResponse(405, JsonRpcErrorCode.ServerError, 'Method Not Allowed: this server has no messages to push, so it offers no SSE stream at GET; use POST', null, {
        allow: 'POST, DELETE',
      });
    }
    if (!acceptsEventStream(request.headers.get('accept'))) {
      return jsonRpcErrorResponse(406, JsonRpcErrorCode.ServerError, 'Not Acceptable: a GET must accept text/event-stream');
    }
    const found = await this.findSession(request, ctx);
    if (found instanceof Response) return found;
    // "Resumability and Redelivery": the client names the last event it received. Only
    // an id this server issued for this session is taken (stream-cursor.ts).
    const codec = await this.cursorCodec(events.cursorKey);
    const lastEventId = request.headers.get('last-event-id');
    const resumeFrom = lastEventId === null ? undefined : codec.decode(found.id, lastEventId);
    if (lastEventId !== null && resumeFrom === undefined) {
      return jsonRpcErrorResponse(400, JsonRpcErrorCode.ServerError, 'Bad Request: the Last-Event-ID header is not an event id this server sent on this session; reconnect without it');
    }
    const modern = found.protocolVersion >= '2025-11-25';
    const buffered = this.deps.responseMode === 'buffered';
    const sessions = this.deps.sessions;
    // 2025-06-18 / 2025-03-26 clients poll only where the deployment chose it (or in
    // buffered mode, which has no other way) and the store keeps a server-side cursor.
    const keepsCursor = !modern && sessions.moveStreamResume !== undefined
      && (buffered || (events.mode === 'poll' && events.pollOlderRevisions === true));
    const polled = buffered || (events.mode === 'poll' && modern) || keepsCursor;
    const stored = keepsCursor && found.streamResumeId !== undefined ? codec.decode(found.id, found.streamResumeId) : undefined;
    const feed = await SessionEventFeed.open({
      log: events.log,
      registry: this.deps.registry,
      sessionId: found.id,
      loadSession: () => sessions.get(found.id),
      // "Resumability and Redelivery": `Last-Event-ID` is what the client received, so
      // it wins over the cursor the server kept.
      resumeFrom: resumeFrom ?? stored,
      codec,
      sessionCreatedAt: found.createdAt,
      watch: !polled,
      // A live stream polls on its own schedule; polled GETs share one read per interval
      // (in buffered mode a GET is the client's own poll, read fresh as before).
      ...(polled && !buffered
        ? { broadcastTail: this.broadcastTail ??= new BroadcastTail(events.log, events.pollIntervalMs, this.options.now) }
        : {}),
    });
    if (keepsCursor) return this.pollWithCursor(ctx, found, feed, stored);
    if (polled) {
      await this.refreshExpiry(found);
    } else {
      // One write: this stream becomes the session's one standalone stream (an older
      // one sees another id at its next poll and ends), and the expiry moves on if due.
      const taken = await this.deps.sessions.update(found.id, { streamId: feed.streamId, ...this.expiryPatch(found) });
      if (!taken) return this.sessionNotFound();
    }
    return openStandaloneStream({
      feed,
      pollIntervalMs: events.pollIntervalMs,
      onPollError: (error) => {
        if (error instanceof StreamSupersededError) return 'close';
        if (error instanceof SessionGoneError) return 'end';
        this.options.log({ level: 'warn', message: 'event log read failed; retrying next interval', requestId: ctx.requestId, error: String(error) });
        return 'retry';
      },
      signal: ctx.signal,
      deadline: ctx.deadline,
      endMarginMs: this.options.streamEndMarginMs,
      maxDurationMs: events.maxStreamMs ?? DEFAULT_MAX_STREAM_MS,
      keepAliveMs: this.options.keepAliveMs,
      // "Resumability and Redelivery" (2025-11-25 only): priming event and retry field.
      reconnectDelayMs: modern ? (polled && !buffered ? events.retryMs ?? DEFAULT_STREAM_RETRY_MS : this.options.reconnectDelayMs) : undefined,
      now: this.options.now,
      once: polled,
    });
  }

  /**
   * A polled GET of a 2025-06-18 / 2025-03-26 session (docs/streams.md, "Per era").
   * Those revisions have no priming event and no `retry:`: their clients reconnect a
   * closed GET after their own delay and send `Last-Event-ID` only when the closed
   * stream carried an event, so the session keeps where its last GET ended
   * (`streamResumeId`). The log is read first and the cursor moved (compare-and-set,
   * with the expiry refresh in the same write) before anything is written: the client's
   * reconnect, on any environment, reads the new cursor, and of two concurrent GETs
   * only the one that moved the cursor delivers the events it covers.
   */
  private async pollWithCursor(
    ctx: RequestContext,
    session: SessionRecord,
    feed: SessionEventFeed,
    stored: StreamCursor | undefined,
  ): Promise<Response> {
    let messages: FeedMessage[] = [];
    try {
      messages = await feed.poll();
      const expiry = this.expiryPatch(session).expiresAt;
      if (!sameCursor(stored, feed.position())) {
        const move = await this.deps.sessions.moveStreamResume!(session.id, session.streamResumeId, feed.resumeId(), expiry);
        if (move === 'gone') return this.sessionNotFound();
        // Another GET of the session moved the cursor meanwhile: it delivers these.
        if (move === 'raced') messages = [];
      } else {
        await this.refreshExpiry(session);
      }
    } catch (error) {
      if (error instanceof SessionGoneError) return this.sessionNotFound();
      // Nothing delivered and the cursor unmoved: the client's next GET reads again.
      messages = [];
      this.options.log({ level: 'warn', message: 'a polled GET failed to read the log or move its cursor; the next poll reads again', requestId: ctx.requestId, error: String(error) });
    }
    return openStandaloneStream({
      feed: { primingId: () => feed.primingId(), poll: async () => messages },
      signal: ctx.signal,
      deadline: ctx.deadline,
      endMarginMs: this.options.streamEndMarginMs,
      keepAliveMs: this.options.keepAliveMs,
      // No priming event and no `retry:`: neither exists before 2025-11-25.
      now: this.options.now,
      once: true,
    });
  }

  /** The codec of event ids, built once per endpoint from the deployment's key. */
  private cursorCodec(key: (() => Promise<Uint8Array>) | undefined): Promise<StreamCursorCodec> {
    this.codec ??= (key ? key() : Promise.resolve(randomBytes(32))).then((k) => new StreamCursorCodec(k));
    // A failed key read is not kept: the next GET tries again.
    this.codec.catch(() => {
      this.codec = undefined;
    });
    return this.codec;
  }

  /** DELETE: the client ends its session ("Session Management", rule 5); later requests get 404. */
  async delete(request: Request, ctx: RequestContext): Promise<Response> {
    const found = await this.findSession(request, ctx);
    if (found instanceof Response) return found;
    if (!(await this.deps.sessions.delete(found.id))) return this.sessionNotFound();
    // A call of the session running in another environment reads this and stops
    // (cancellation-watch.ts): the client ended the session, nobody will read its answer.
    if (this.deps.cancellations) {
      try {
        await this.deps.cancellations.endSession(found.id, this.options.now());
      } catch (error) {
        // The session is gone either way; its running calls then end on their own bounds.
        this.options.log({ level: 'warn', message: 'writing the deleted session\'s marker failed', requestId: ctx.requestId, error: String(error) });
      }
    }
    return new Response(null, { status: 200 });
  }

  /**
   * Lifecycle, "Initialization" and "Version Negotiation"; Transports, "Session
   * Management": the server assigns a session id in the `Mcp-Session-Id` header of the
   * response carrying the InitializeResult. The session is stored only once the SDK
   * has accepted the request, so a refused initialize leaves the store unchanged.
   */
  private async initialize(request: Request, ctx: RequestContext, message: JSONRPCRequest): Promise<Response> {
    const params = (message.params ?? {}) as Record<string, unknown>;
    // What the session keeps from the client is read back on every later request of
    // the session: it is bounded well below what DynamoDB would take (400 KB), and
    // refused before any work (the same answer as the store's own limit, below).
    const described = Buffer.byteLength(JSON.stringify({ capabilities: params.capabilities ?? {}, clientInfo: params.clientInfo ?? {} }), 'utf8');
    if (described > MAX_CLIENT_DESCRIPTION_BYTES) {
      return jsonRpcErrorResponse(
        200,
        JsonRpcErrorCode.InvalidParams,
        `Invalid params: the client's capabilities and clientInfo take ${described} bytes of JSON, too large to keep with a session (limit ${MAX_CLIENT_DESCRIPTION_BYTES})`,
        message.id,
      );
    }
    const protocolVersion = negotiateProtocolVersion(params.protocolVersion);
    const sessionId = newSessionId();
    const negotiated: JSONRPCRequest = { ...message, params: { ...params, protocolVersion } };
    const messages = await this.exchangeOnce(request, ctx, { id: sessionId, protocolVersion }, [negotiated], 'json');
    if (!Array.isArray(messages)) return messages;
    const [answer] = messages;
    const headers: Record<string, string> = {};
    if (answer && isJSONRPCResultResponse(answer)) {
      const nowMs = this.options.now();
      const created = this.deps.sessions.create({
        id: sessionId,
        protocolVersion,
        clientCapabilities: (params.capabilities ?? {}) as Record<string, unknown>,
        clientInfo: (params.clientInfo ?? {}) as Record<string, unknown>,
        principal: ctx.principal,
        initialized: false,
        createdAt: nowMs,
        expiresAt: Math.floor(nowMs / 1000) + this.deps.config.sessionTtlSeconds,
        version: 1,
      });
      try {
        await created;
      } catch (error) {
        if (!(error instanceof ItemTooLargeError)) throw error;
        // The client's capabilities and info are the only unbounded part of a session.
        return jsonRpcErrorResponse(
          200,
          JsonRpcErrorCode.InvalidParams,
          `Invalid params: the client's capabilities and clientInfo take ${error.bytes} bytes, too large to keep with a session (limit ${error.limit})`,
          message.id,
        );
      }
      headers[SESSION_HEADER] = sessionId;
    }
    return Response.json(answer, { status: 200, headers });
  }

  /** Notifications and responses only: 202 ("Sending Messages to the Server", rule 4). */
  private async acceptNotifications(ctx: RequestContext, session: SessionRecord, messages: JSONRPCMessage[]): Promise<Response> {
    await this.recordCancellations(ctx, session, messages);
    // Answers to the server's sampling/elicitation requests: the invocation that asked
    // (on this environment or another) is polling the store for them (s2c/).
    if (this.deps.pending) await storeClientAnswers(this.deps.pending, session.id, messages);
    if (messages.some(isInitialized) && !session.initialized) {
      await this.deps.sessions.update(session.id, { initialized: true, ...this.expiryPatch(session) });
    } else {
      await this.refreshExpiry(session);
    }
    return new Response(null, { status: 202 });
  }

  /**
   * `notifications/cancelled` for a request of this session that is not in this POST:
   * it runs in another invocation (one request per environment at a time), which reads
   * the marker written here and stops (cancellation-watch.ts). A request in the same
   * POST (a 2025-03-26 batch) is cancelled by the SDK itself. Malformed ones, those
   * without a string or number `requestId`, are ignored (2025-11-25
   * basic/utilities/cancellation, "Error Handling"), as are those beyond
   * MAX_CANCELS_PER_POST. The marker is written under the session that passed the
   * principal check: a client can only cancel its own session's requests.
   */
  private async recordCancellations(ctx: RequestContext, session: SessionRecord, messages: readonly JSONRPCMessage[]): Promise<void> {
    const store = this.deps.cancellations;
    if (!store) return;
    // One marker per id (the JSON text keeps the string "1" apart from the number 1).
    const cancelled = new Map<string, { id: CancelledRequestId; reason?: unknown }>();
    for (const { id, reason, inPost } of cancelsIn(messages)) {
      if (cancelled.size >= MAX_CANCELS_PER_POST) break;
      if (!inPost) cancelled.set(JSON.stringify(id), { id, reason });
    }
    if (cancelled.size === 0) return;
    const at = this.options.now();
    try {
      await Promise.all([...cancelled.values()].map(({ id }) => store.cancelRequest(session.id, id, at)));
    } catch (error) {
      // A receiver may ignore a cancellation ("Behavior Requirements"): a marker that
      // could not be written must not fail the answers and requests posted beside it.
      this.options.log({ level: 'warn', message: 'a cancellation could not be recorded; the request runs on', requestId: ctx.requestId, error: String(error) });
      return;
    }
    // Cancellation, "Implementation Notes": both parties SHOULD log cancellation reasons.
    for (const { id, reason } of cancelled.values()) {
      this.options.log({
        level: 'info',
        message: 'the client cancelled a request',
        requestId: ctx.requestId,
        cancelledRequestId: String(id),
        ...(typeof reason === 'string' ? { reason } : {}),
      });
    }
  }

  /** Requests (and, under 2025-03-26, the notifications batched with them) in a live session. */
  private async serve(
    request: Request,
    ctx: RequestContext,
    session: SessionRecord,
    messages: JSONRPCMessage[],
    isBatch: boolean,
    receivedAt: number,
  ): Promise<Response> {
    const [answers] = await Promise.all([
      this.exchangeOnce(request, ctx, session, messages, 'auto', session, receivedAt),
      this.recordCancellations(ctx, session, messages),
      messages.some(isInitialized) && !session.initialized
        ? this.deps.sessions.update(session.id, { initialized: true, ...this.expiryPatch(session) })
        : this.refreshExpiry(session),
    ]);
    if (!Array.isArray(answers)) return answers;
    return Response.json(isBatch ? answers : answers[0], { status: 200 });
  }

  /**
   * Builds a server for this request, restores the session on it (unless this is the
   * initialize itself), delivers the messages and returns either the collected
   * responses (JSON) or a ready Response (an SSE stream, 202, or a client gone).
   */
  private async exchangeOnce(
    request: Request,
    ctx: RequestContext,
    target: { id: string; protocolVersion: string },
    messages: JSONRPCMessage[],
    responseMode: 'auto' | 'json',
    restoreFrom?: SessionRecord,
    receivedAt: number = this.options.now(),
  ): Promise<JSONRPCMessage[] | Response> {
    // A request of a session may be cancelled, or its session deleted, from another
    // environment while a function it invoked runs; the transport, built below, then
    // forgets the request so that its late answer is not sent.
    let exchange: SessionExchangeTransport | undefined;
    const cancellations = this.deps.cancellations;
    const watch = cancellations && restoreFrom
      ? new CancellationWatch({
        store: cancellations,
        sessionId: target.id,
        requestReceivedAt: receivedAt,
        pollMs: this.options.cancelPollMs,
        onCancelled: (id, reason) => {
          this.options.log({ level: 'info', message: `stopping a running request: ${reason}`, requestId: ctx.requestId, cancelledRequestId: String(id) });
          exchange?.forget(id);
        },
        onError: (error) => this.options.log({ level: 'warn', message: 'reading cancellation markers failed; retrying', requestId: ctx.requestId, error: String(error) }),
      })
      : undefined;
    const call: CallContext = {
      requestId: ctx.requestId,
      protocolVersion: target.protocolVersion,
      sessionId: target.id,
      // Tools read the state the session was read with (docs/tools.md, "Session state for tools").
      ...(restoreFrom ? { sessionState: restoreFrom.sessionState ?? {} } : {}),
      principal: ctx.principal,
      signal: ctx.signal,
      deadline: ctx.deadline,
      ...(watch ? { watchCancellation: (id: CancelledRequestId) => watch.watch(id) } : {}),
    };
    const snapshot = await this.deps.registry.snapshot();
    const build = this.deps.buildServer ?? buildMcpServer;
    const server = withInvalidParamsCorrection(build(snapshot, builderDepsOf(this.deps), call));
    // A 2025-03-26 batch may hold many `logging/setLevel`: the session keeps one level,
    // the batch's last valid one, so it is written once for all of them (one write per
    // element, all at once, used to exhaust the DynamoDB pool and fail the request).
    const setLevelIds = new Set<unknown>();
    let lastLevel: string | undefined;
    for (const m of messages) {
      if (isJSONRPCRequest(m) && m.method === 'logging/setLevel') {
        setLevelIds.add(m.id);
        const level = m.params?.level;
        if (isLogLevel(level)) lastLevel = level;
      }
    }
    let storedLevel: Promise<void> | undefined;
    // Buffered mode returns a response only when it is complete, so a request to the
    // client written before the result could never be answered: none is relayed.
    const pending = this.deps.responseMode === 'buffered' ? undefined : this.deps.pending;
    const transport = exchange = new SessionExchangeTransport({
      sessionId: target.id,
      responseMode,
      ...(pending && restoreFrom
        ? {
          relay: new ServerRequestRelay({
            store: pending,
            sessionId: target.id,
            deadline: ctx.deadline,
            signal: ctx.signal,
            onError: (error) => this.options.log({ level: 'warn', message: 'reading a pending client answer failed; retrying', requestId: ctx.requestId, error: String(error) }),
          }),
        }
        : {}),
      keepAliveMs: this.options.keepAliveMs,
      signal: ctx.signal,
      // Logging, "Setting Log Level": the level holds for the session, so it is stored
      // before the client sees the result and can send its next request.
      beforeResponse: async (response) => {
        if (!setLevelIds.has(response.id) || !isJSONRPCResultResponse(response) || lastLevel === undefined) return undefined;
        try {
          const logLevel = lastLevel;
          storedLevel ??= this.deps.sessions.update(target.id, { logLevel }).then(() => undefined);
          await storedLevel;
          return undefined;
        } catch (error) {
          this.options.log({ level: 'error', message: 'storing the session log level failed', requestId: ctx.requestId, error: String(error) });
          return { jsonrpc: '2.0', id: response.id, error: { code: JsonRpcErrorCode.InternalError, message: 'Internal error: the log level could not be stored' } };
        }
      },
    });
    await server.connect(transport);
    const extra: MessageExtraInfo = { request, classification: { era: 'legacy', revision: target.protocolVersion } };
    try {
      if (restoreFrom) await restoreSession(transport, restoreFrom, extra);
    } catch (error) {
      await server.close();
      throw error;
    }
    const exchanged = transport.exchange(messages, extra);
    // A 2025-03-26 batch may cancel a request it carries: the SDK aborts that request
    // and sends no answer for it ("Cancellation", rule 4), so the exchange must not
    // wait for one (it would hold the invocation until its deadline).
    for (const id of cancelledInBatch(messages)) transport.forget(id);
    const outcome = await exchanged;
    switch (outcome.kind) {
      case 'json':
        await server.close();
        return outcome.messages;
      case 'stream':
        // The transport closes itself (and so the server) after the last result.
        return outcome.response;
      case 'accepted':
        await server.close();
        return new Response(null, { status: 202 });
      case 'closed':
        await server.close();
        // The client went away before any answer; nobody reads this.
        return new Response(null, { status: 499 });
    }
  }

  /**
   * "Session Management": 400 without a session id (rule 3: a request other than
   * initialize without `Mcp-Session-Id` SHOULD get 400), 404 for an id that is unknown,
   * expired or deleted (rule 4), and the same 404 for a session of another principal,
   * as if it did not exist, so a leaked session id is of no use to anyone else. "Protocol Version Header": an unsupported
   * `MCP-Protocol-Version` gets 400; an absent one means the session's negotiated version.
   */
  private async findSession(request: Request, ctx: RequestContext): Promise<SessionRecord | Response> {
    const id = request.headers.get(SESSION_HEADER);
    if (id === null) {
      return jsonRpcErrorResponse(400, JsonRpcErrorCode.ServerError, 'Bad Request: the Mcp-Session-Id header is required; send initialize first to start a session');
    }
    if (!isValidSessionId(id)) {
      return jsonRpcErrorResponse(400, JsonRpcErrorCode.ServerError, 'Bad Request: the Mcp-Session-Id header must be 1 to 256 visible ASCII characters (0x21-0x7E)');
    }
    const version = request.headers.get(VERSION_HEADER);
    if (version !== null && !isLegacyProtocolVersion(version)) {
      return jsonRpcErrorResponse(
        400,
        JsonRpcErrorCode.ServerError,
        `Bad Request: unsupported MCP-Protocol-Version ${JSON.stringify(version)}; supported: ${[...LEGACY_PROTOCOL_VERSIONS].join(', ')} (with a session) and 2026-07-28 (stateless)`,
      );
    }
    const session = await this.deps.sessions.get(id);
    if (!session || !samePrincipal(session.principal, ctx.principal)) return this.sessionNotFound();
    return session;
  }

  private sessionNotFound(): Response {
    return jsonRpcErrorResponse(404, JsonRpcErrorCode.SessionNotFound, 'Session not found: it is unknown, expired or was deleted; send initialize to start a new session');
  }

  /** The expiry push, when 10% of the TTL has passed since the last one; otherwise nothing. */
  private expiryPatch(session: SessionRecord): { expiresAt?: number } {
    const ttl = this.deps.config.sessionTtlSeconds;
    const nowSeconds = Math.floor(this.options.now() / 1000);
    return session.expiresAt - nowSeconds < ttl * (1 - EXPIRY_REFRESH_FRACTION) ? { expiresAt: nowSeconds + ttl } : {};
  }

  /** Keeps a used session alive, writing at most once per 10% of the TTL (so a request costs one read, not a read and a write). */
  private async refreshExpiry(session: SessionRecord): Promise<void> {
    const patch = this.expiryPatch(session);
    if (patch.expiresAt === undefined) return;
    try {
      await this.deps.sessions.update(session.id, patch);
    } catch (error) {
      // Best effort: the session stays valid until its current expiry.
      this.options.log({ level: 'warn', message: 'session expiry refresh failed', error: String(error) });
    }
  }
}
