/**
 * Resolves after `ms`, or at once when `signal` aborts (never rejects): the wait of a
 * poll or a retry that must end as soon as the client leaves or the deadline comes.
 * Node's `timers/promises` setTimeout rejects on abort instead, which every caller here
 * would have to catch.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
