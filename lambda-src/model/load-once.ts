/**
 * A loader called at most once at a time: the first call starts `load`, every call
 * until it settles gets the same promise, and a success is kept for good. A failure is
 * not kept, so the next call tries again (a chunk or a secret that failed to load
 * once need not fail the environment for ever).
 *
 * The handler loads its lazily used parts through this (scripts/bundle.mjs splits
 * them into chunks loaded by `import()`): the Lambda client, the OAuth and bearer
 * authenticators, the front door's verifier.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
