/**
 * Ends a 2026-07-28 `subscriptions/listen` stream before the invocation's deadline,
 * gracefully: the SDK's listen router keeps the stream open until the client leaves,
 * but a streaming Function URL response is cut at the function timeout (ARCHITECTURE.md,
 * "The platform facts that shaped the design"). Before that, this writes the completion result the
 * specification defines for a server that ends a subscription on its own initiative
 * (2026-07-28 basic/patterns/subscriptions, "Graceful Closure": a `subscriptions/listen`
 * response with `resultType: "complete"` and the subscription id in `_meta`) and
 * closes; cancelling the SDK's stream tears the subscription down (it unsubscribes
 * from the bus). The client then knows the close was clean and may listen again.
 */
const SUBSCRIPTION_ID_META_KEY = 'io.modelcontextprotocol/subscriptionId';
/** setTimeout fires at once for delays over 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const encoder = new TextEncoder();

export interface ListenDeadlineOptions {
  /** The JSON-RPC id of the `subscriptions/listen` request: the subscription id. */
  readonly subscriptionId: string | number;
  /** Epoch ms after which the invocation dies. */
  readonly deadline: number;
  readonly endMarginMs: number;
  readonly now: () => number;
}

export function withListenDeadline(response: Response, options: ListenDeadlineOptions): Response {
  const upstream = response.body;
  if (!upstream || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) return response;
  const reader = upstream.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const finish = () => {
        if (done) return;
        done = true;
        const result = {
          jsonrpc: '2.0',
          id: options.subscriptionId,
          result: { resultType: 'complete', _meta: { [SUBSCRIPTION_ID_META_KEY]: options.subscriptionId } },
        };
        try {
          controller.enqueue(encoder.encode(`event: message\ndata: ${JSON.stringify(result)}\n\n`));
          controller.close();
        } catch {
          // the client is gone already
        }
        void reader.cancel().catch(() => undefined);
      };
      timer = setTimeout(finish, Math.min(MAX_TIMER_MS, Math.max(0, options.deadline - options.endMarginMs - options.now())));
    },
    async pull(controller) {
      if (done) return;
      try {
        const { value, done: upstreamDone } = await reader.read();
        if (done) return;
        if (upstreamDone) {
          done = true;
          if (timer !== undefined) clearTimeout(timer);
          controller.close();
          return;
        }
        controller.enqueue(value);
      } catch (error) {
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        controller.error(error);
      }
    },
    cancel(reason) {
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
