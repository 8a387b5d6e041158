/** What the registry's server builder gets from the protocol layer's dependencies. */
import type { ProtocolDeps } from './protocol-deps';
import type { ServerBuilderDeps } from './server-builder';

/**
 * The config, the invoker, and, when events are delivered, the session store's
 * subscription methods (for 2025-era `resources/subscribe`).
 */
export function builderDepsOf(deps: ProtocolDeps): ServerBuilderDeps {
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
