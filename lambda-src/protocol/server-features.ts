/**
 * What a deployment serves beyond tools, resources and prompts, resolved once per
 * execution environment from the parts the composition root gave the protocol layer
 * (entry/index.ts, local/dev-server.ts). The server builder and the endpoint read this
 * one explicit set instead of each testing which optional part happens to be present.
 * Per-request facts (the era, a session, the registry's tools) narrow it further where
 * it is used.
 */
export interface ServerFeatures {
  /**
   * Change notifications reach clients through the event log (docs/events.md):
   * `list_changed` and `resources/updated` on the 2025-era GET stream and on
   * 2026-07-28 `subscriptions/listen`.
   */
  readonly events: boolean;
  /** 2025-era `resources/subscribe`: events on, and a session store that keeps a session's URIs. */
  readonly legacySubscriptions: boolean;
  /** Responses stream; in buffered mode no `subscriptions/listen` stream can carry notifications. */
  readonly streaming: boolean;
  /**
   * `notifications/message` reaches clients besides through events: the invoker relays
   * every tool's log channel (a registry with a `streaming` tool declares `logging`
   * whatever this says).
   */
  readonly toolLogs: boolean;
  /** Tools that declare task support can run as tasks (2025-11-25 task methods, the 2026-07-28 extension). */
  readonly tasks: boolean;
}

/** The optional parts of the server builder's deps (server-builder.ts ServerBuilderDeps) the features follow from. */
export interface FeatureSources {
  readonly events?: { readonly subscriptions?: unknown };
  readonly responseMode?: 'streaming' | 'buffered';
  readonly toolLogs?: boolean;
  readonly tasks?: unknown;
}

/** One environment builds its deps once (builder-deps.ts), so this is resolved once per environment. */
const resolved = new WeakMap<FeatureSources, ServerFeatures>();

export function serverFeatures(deps: FeatureSources): ServerFeatures {
  let features = resolved.get(deps);
  if (!features) {
    features = {
      events: deps.events !== undefined,
      legacySubscriptions: deps.events?.subscriptions !== undefined,
      streaming: deps.responseMode !== 'buffered',
      toolLogs: deps.toolLogs !== false,
      tasks: deps.tasks !== undefined,
    };
    resolved.set(deps, features);
  }
  return features;
}
