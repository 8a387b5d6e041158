/**
 * Waiting on what a test observes instead of on the clock: bounded by the test's own
 * timeout, never by a wall-clock assertion.
 */

/** Checks `condition` every `pauseMs` until it holds. */
export async function pollUntil(condition: () => boolean | Promise<boolean>, pauseMs: number): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, pauseMs));
}

/**
 * Waits for `received()` to hold, re-sending `probe` until a stream opened asynchronously
 * (by an SDK client) is live: after each probe it checks every 50 ms, `checksPerProbe` times.
 */
export async function untilLive(probe: () => Promise<unknown>, received: () => boolean, checksPerProbe: number): Promise<void> {
  while (!received()) {
    await probe();
    for (let i = 0; i < checksPerProbe && !received(); i++) await new Promise((r) => setTimeout(r, 50));
  }
}
