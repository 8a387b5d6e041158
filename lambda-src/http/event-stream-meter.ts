/**
 * Watches an event-stream response body on its way out: tells when the stream opens
 * and closes (ended, failed, or cancelled by a client that left) and how many events
 * with data it carried (HTML Living Standard, "Server-sent events": an event is
 * dispatched at a blank line and only if it had a `data` field; keep-alive comments
 * are not events). The bytes pass through untouched, pulled one chunk at a time, so
 * backpressure reaches the producer as before.
 */

export interface EventStreamObserver {
  opened(): void;
  /** Events delivered since the last call, on a stream that is still open. */
  delivered(events: number): void;
  closed(events: number, durationMs: number): void;
}

export interface EventStreamMeterOptions {
  /** Report delivered events at most this often while open, in ms. @default 60000 */
  readonly reportEveryMs?: number;
  readonly now?: () => number;
}

export function meterEventStream(response: Response, observer: EventStreamObserver, options: EventStreamMeterOptions = {}): Response {
  if (!response.body) return response;
  const now = options.now ?? Date.now;
  const reportEveryMs = options.reportEveryMs ?? 60_000;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const openedAt = now();
  let lastReport = openedAt;
  let pending = 0;
  let partial = '';
  let eventHasData = false;
  let finished = false;

  const scan = (chunk: Uint8Array) => {
    const lines = (partial + decoder.decode(chunk, { stream: true })).split('\n');
    partial = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '') {
        if (eventHasData) pending += 1;
        eventHasData = false;
      } else if (line === 'data' || line.startsWith('data:')) {
        eventHasData = true;
      }
    }
    if (pending > 0 && now() - lastReport >= reportEveryMs) {
      observer.delivered(pending);
      pending = 0;
      lastReport = now();
    }
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    observer.closed(pending, now() - openedAt);
    pending = 0;
  };

  observer.opened();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          finish();
          controller.close();
          return;
        }
        if (value) {
          scan(value);
          controller.enqueue(value);
        }
      } catch (err) {
        finish();
        controller.error(err);
      }
    },
    async cancel(reason) {
      finish();
      await reader.cancel(reason).catch(() => undefined);
    },
  }, { highWaterMark: 0 });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
