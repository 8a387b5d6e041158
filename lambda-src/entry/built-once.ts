/**
 * `build`, run on the first call and kept for the life of the execution environment:
 * what both handlers (index.ts, buffered-handler.ts) do with their runtime. A failure
 * is kept too, so a runtime that cannot be built (bad configuration) fails each
 * invocation at once with the same error, which the handler answers with a 500 and
 * logs, rather than crashing the environment or rebuilding on every request. (Unlike
 * model/load-once.ts, whose lazily imported parts are tried again after a failure.)
 */
export function builtOnce<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  let failure: Error | undefined;
  return () => {
    if (built) return built.value;
    if (failure) throw failure;
    try {
      built = { value: build() };
      return built.value;
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
      throw failure;
    }
  };
}
