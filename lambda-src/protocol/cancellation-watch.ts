/**
 * Follows, for a call running in this environment, the cancellations made in others:
 * a `notifications/cancelled` for its request (2025-11-25 basic/utilities/cancellation,
 * "Behavior Requirements", rule 4: the receiver SHOULD stop processing the cancelled
 * request, free its resources and not send a response) and a DELETE of its session
 * (2025-11-25 basic/transports, "Session Management", rule 5: the client terminates the
 * session, so nothing of it should go on). Lambda runs one request per environment at a
 * time, so both always arrive at another environment, which writes a marker
 * (store/cancellation-store.ts); this reads it.
 *
 * Only while a function invocation is running, and first after one interval: a call
 * shorter than the interval costs no read. Then one read (two strongly consistent read
 * units) each interval until the invocation ends (docs/endpoint.md, "Cancellation").
 */
import type { CancellationStore, CancelledRequestId } from '../store/cancellation-store';

/** Why a watched request was stopped. */
export type CancelReason = 'cancelled' | 'session deleted';

/**
 * How much older than the request a marker for its id may be and still count. A client
 * may send its cancel before its request has reached the other environment (the two
 * POSTs race), and clocks of environments differ by a little. A marker older than this
 * names an earlier request that reused the id (a client that resumed the session and
 * counts its ids from 0 again); a request may still be stopped by a reused id's marker
 * within this margin, which the spec's timing rules allow ("Timing Considerations").
 */
export const CANCEL_MARKER_MARGIN_MS = 2_000;

export interface CancellationWatchOptions {
  readonly store: CancellationStore;
  readonly sessionId: string;
  /** Epoch ms at which the request arrived. */
  readonly requestReceivedAt: number;
  /** The interval between reads, in ms. */
  readonly pollMs: number;
  /** Told before the signal aborts, so that the response the aborted call still produces is not sent. */
  readonly onCancelled: (requestId: CancelledRequestId, reason: CancelReason) => void;
  /** A failed read; the next interval reads again. */
  readonly onError: (error: unknown) => void;
}

export interface WatchedCall {
  /** Aborts when the request is cancelled or its session deleted elsewhere. */
  readonly signal: AbortSignal;
  /** Stops reading. Idempotent. */
  dispose(): void;
}

export class CancellationWatch {
  constructor(private readonly options: CancellationWatchOptions) {}

  /** Follows request `requestId` until `dispose`. */
  watch(requestId: CancelledRequestId): WatchedCall {
    const { store, sessionId, pollMs } = this.options;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let disposed = false;
    const schedule = () => {
      timer = setTimeout(() => void poll(), pollMs);
    };
    const poll = async () => {
      timer = undefined;
      try {
        const read = await store.read(sessionId, requestId);
        if (disposed) return;
        const since = this.options.requestReceivedAt - CANCEL_MARKER_MARGIN_MS;
        const cancelled = read.requestCancelledAt !== undefined && read.requestCancelledAt >= since;
        if (cancelled || read.sessionEnded) {
          const reason: CancelReason = read.sessionEnded ? 'session deleted' : 'cancelled';
          disposed = true;
          this.options.onCancelled(requestId, reason);
          controller.abort(new CancelledElsewhereError(reason));
          return;
        }
      } catch (error) {
        if (disposed) return;
        this.options.onError(error);
      }
      schedule();
    };
    schedule();
    return {
      signal: controller.signal,
      dispose: () => {
        disposed = true;
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
      },
    };
  }
}

/** The abort reason of a call stopped by a cancellation made in another environment. */
export class CancelledElsewhereError extends Error {
  override readonly name = 'AbortError';
  constructor(readonly reason: CancelReason) {
    super(reason === 'cancelled' ? 'the client cancelled the request' : 'the client deleted the session');
  }
}
