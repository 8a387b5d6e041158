/** What the registry's server builder gets from the protocol layer's dependencies. */
import type { ProtocolDeps } from './protocol-deps';
import type { ServerBuilderDeps } from './server-builder';

/** Built once per environment (both endpoints ask for every request), so that its features are resolved once too (server-features.ts). */
const built = new WeakMap<ProtocolDeps, ServerBuilderDeps>();

/**
 * The config, the invoker, and, when events are delivered, the session store's
 * subscription methods (for 2025-era `resources/subscribe`).
 */
export function builderDepsOf(deps: ProtocolDeps): ServerBuilderDeps {
  let builderDeps = built.get(deps);
  if (!builderDeps) {
    builderDeps = newBuilderDeps(deps);
    built.set(deps, builderDeps);
  }
  return builderDeps;
}

function newBuilderDeps(deps: ProtocolDeps): ServerBuilderDeps {
  const { sessions } = deps;
  const add = sessions.addSubscription?.bind(sessions);
  const remove = sessions.removeSubscription?.bind(sessions);
  return {
    config: deps.config,
    invoker: deps.invoker,
    ...(deps.events ? { events: add && remove ? { subscriptions: { add, remove } } : {} } : {}),
    ...(deps.inputSeal ? { inputSeal: deps.inputSeal } : {}),
    ...(deps.tasks ? { tasks: deps.tasks } : {}),
    // Tools' `_sessionState` operations (docs/tools.md, "Session state for tools").
    ...(sessions.applySessionState ? { sessionState: { applySessionState: sessions.applySessionState.bind(sessions) } } : {}),
    ...(deps.responseMode ? { responseMode: deps.responseMode } : {}),
    ...(deps.toolLogs !== undefined ? { toolLogs: deps.toolLogs } : {}),
  };
}
