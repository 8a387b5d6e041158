/**
 * The 2025-era standalone SSE stream a client opens with GET (Transports 2025-11-25,
 * "Listening for Messages from the Server"). It carries no events yet (SNS events reach
 * it with the events work, issue 5): it sends keep-alive comments, and it ends
 *
 * - at once when the client goes away (`signal`), because a streaming Function URL
 *   response keeps running, and billing, after the client leaves (DESIGN.md, "Facts of
 *   the platform");
 * - cleanly before the invocation's deadline, so the client reconnects instead of
 *   seeing the stream cut by the function timeout. Under 2025-11-25 the stream opens
 *   with a priming event (an id and empty data) and closes with a `retry:` field
 *   ("Resumability and Redelivery", "Polling SSE streams"); earlier revisions' clients
 *   reconnect a closed GET stream by themselves.
 */
import { randomUUID } from 'node:crypto';

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
}

/** setTimeout fires at once for delays over 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const encoder = new TextEncoder();

export function openStandaloneStream(options: StandaloneStreamOptions): Response {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let endTimer: ReturnType<typeof setTimeout> | undefined;

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
    options.signal.removeEventListener('abort', onAbort);
    if (reconnect && options.reconnectDelayMs !== undefined) write(`retry: ${options.reconnectDelayMs}\n\n`);
    try {
      controller.close();
    } catch {
      // already closed or cancelled
    }
  };
  const onAbort = () => end(false);

  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    cancel: () => end(false),
  });
  if (options.reconnectDelayMs !== undefined) write(`id: ${randomUUID()}\ndata: \n\n`);
  if (options.signal.aborted) {
    end(false);
  } else {
    options.signal.addEventListener('abort', onAbort, { once: true });
    const remaining = Math.min(MAX_TIMER_MS, Math.max(0, options.deadline - options.endMarginMs - options.now()));
    endTimer = setTimeout(() => end(true), remaining);
    if (options.keepAliveMs > 0) keepAlive = setInterval(() => write(': keepalive\n\n'), options.keepAliveMs);
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
