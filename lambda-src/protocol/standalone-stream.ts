/**
 * The 2025-era standalone SSE stream a client opens with GET (Transports 2025-11-25,
 * "Listening for Messages from the Server"). It delivers the events of the event log
 * (SNS fan-out, docs/events.md) that a `feed` yields, polling it every `intervalMs`; every
 * event carries an `id` from which a client reconnecting with `Last-Event-ID` resumes
 * ("Resumability and Redelivery"). It sends keep-alive comments, and it ends
 *
 * - at once when the client goes away (`signal`), where that is seen (the local
 *   server). On Lambda it is not: a streaming Function URL response keeps running, and
 *   billing, after the client leaves, so every stream also has bounds of its own:
 * - after `maxDurationMs`, with a `retry:` where the revision has one;
 * - cleanly before the invocation's deadline, so the client reconnects instead of
 *   seeing the stream cut by the function timeout. Under 2025-11-25 the stream opens
 *   with a priming event (an id and empty data) and closes with a `retry:` field
 *   ("Resumability and Redelivery", "Polling SSE streams"); earlier revisions' clients
 *   reconnect a closed GET stream by themselves;
 * - when the feed says the session is gone (deleted or expired), or that a newer
 *   stream of the session replaced this one (`onPollError`), within one poll.
 */
import { randomUUID } from 'node:crypto';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';

/** Where the stream's events come from (events/session-event-feed.ts). */
export interface StreamFeed {
  /** Id of the priming event; resuming from it misses nothing written after the stream opened. */
  primingId(): string;
  /** Messages due since the last poll, with their SSE ids. Throws to report a failed read (retried next interval). */
  poll(): Promise<ReadonlyArray<{ readonly id: string; readonly message: JSONRPCMessage }>>;
}

export interface StandaloneStreamOptions {
  readonly signal: AbortSignal;
  /** Epoch ms after which the invocation dies. */
  readonly deadline: number;
  /** The stream ends this many ms before `deadline`. */
  readonly endMarginMs: number;
  readonly keepAliveMs: number;
  /** When set: send a priming event first and this `retry:` value before closing (2025-11-25). */
  readonly reconnectDelayMs?: number;
  readonly now: () => number;
  readonly headers?: Record<string, string>;
  /** The events to deliver; absent: keep-alives only. */
  readonly feed?: StreamFeed;
  /** Poll interval of `feed`, in ms. */
  readonly pollIntervalMs?: number;
  /**
   * A poll failed: `retry` reads again next interval; `end` ends the stream with its
   * `retry:` field; `close` ends it without one (the client should not come back to it).
   */
  readonly onPollError?: (error: unknown) => PollErrorAction;
  /** The stream's own bound, in ms from now, whatever the deadline. @default the deadline alone */
  readonly maxDurationMs?: number;
  /**
   * End after the first read of the feed (buffered mode, docs/operations.md, "Buffered mode (no response streaming)"):
   * the response holds what was recorded since the cursor, and the client polls.
   */
  readonly once?: boolean;
}

export type PollErrorAction = 'retry' | 'end' | 'close';

/** setTimeout fires at once for delays over 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const encoder = new TextEncoder();

export function openStandaloneStream(options: StandaloneStreamOptions): Response {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let endTimer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;

  const write = (frame: string) => {
    try {
      controller.enqueue(encoder.encode(frame));
    } catch {
      // the reader is gone; cancel() ends the stream
    }
  };
  const end = (reconnect: boolean) => {
    if (ended) return;
    ended = true;
    if (keepAlive !== undefined) clearInterval(keepAlive);
    if (endTimer !== undefined) clearTimeout(endTimer);
    if (pollTimer !== undefined) clearTimeout(pollTimer);
    options.signal.removeEventListener('abort', onAbort);
    if (reconnect && options.reconnectDelayMs !== undefined) write(`retry: ${options.reconnectDelayMs}\n\n`);
    try {
      controller.close();
    } catch {
      // already closed or cancelled
    }
  };
  const onAbort = () => end(false);

  const poll = async () => {
    pollTimer = undefined;
    if (ended || !options.feed) return;
    try {
      const messages = await options.feed.poll();
      if (ended) return;
      for (const { id, message } of messages) write(`id: ${id}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`);
    } catch (error) {
      const action = options.onPollError?.(error) ?? 'retry';
      if (action !== 'retry' || options.once) {
        end(action !== 'close');
        return;
      }
    }
    if (options.once) {
      end(true);
      return;
    }
    if (!ended) pollTimer = setTimeout(() => void poll(), options.pollIntervalMs ?? 1000);
  };

  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    cancel: () => end(false),
  });
  if (options.reconnectDelayMs !== undefined) write(`id: ${options.feed ? options.feed.primingId() : randomUUID()}\ndata: \n\n`);
  if (options.signal.aborted) {
    end(false);
  } else {
    options.signal.addEventListener('abort', onAbort, { once: true });
    const remaining = Math.min(
      MAX_TIMER_MS,
      options.maxDurationMs ?? MAX_TIMER_MS,
      Math.max(0, options.deadline - options.endMarginMs - options.now()),
    );
    endTimer = setTimeout(() => end(true), remaining);
    if (options.keepAliveMs > 0) keepAlive = setInterval(() => write(': keepalive\n\n'), options.keepAliveMs);
    // The first poll at once: a resumed stream replays what the client missed without waiting.
    if (options.feed) void poll();
    else if (options.once) end(true);
  }
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      ...options.headers,
    },
  });
}
