/**
 * One signal that ends an invocation either because the caller aborted (client
 * cancel or disconnect) or because our own time limit ran out, remembering which of
 * the two happened first: the two become different tool results (`aborted` vs
 * `timeout`).
 */
export class InvocationDeadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private timer?: ReturnType<typeof setTimeout>;
  private cause?: 'timeout' | 'aborted';
  private readonly onAbort: () => void;

  constructor(
    private readonly external: AbortSignal | undefined,
    readonly timeoutMs: number | undefined,
  ) {
    this.signal = this.controller.signal;
    this.onAbort = () => this.end('aborted');
    if (external?.aborted) {
      this.end('aborted');
      return;
    }
    external?.addEventListener('abort', this.onAbort, { once: true });
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
      this.timer = setTimeout(() => this.end('timeout'), Math.max(0, timeoutMs));
      // A pending tool timeout must not keep a local dev server's process alive.
      this.timer.unref?.();
    }
  }

  /** Why the signal aborted, if it did. */
  get reason(): 'timeout' | 'aborted' | undefined {
    return this.cause;
  }

  /** A promise that settles (never rejects) when the signal aborts. */
  whenEnded(): Promise<'timeout' | 'aborted'> {
    return new Promise((resolve) => {
      if (this.cause) return resolve(this.cause);
      this.signal.addEventListener('abort', () => resolve(this.cause ?? 'aborted'), { once: true });
    });
  }

  /** Releases the timer and the listener on the caller's signal. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.external?.removeEventListener('abort', this.onAbort);
  }

  private end(cause: 'timeout' | 'aborted'): void {
    if (this.cause) return;
    this.cause = cause;
    this.dispose();
    this.controller.abort(cause);
  }
}
