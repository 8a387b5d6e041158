/**
 * The capabilities a request's server declares, from what this deployment serves and
 * nothing more (docs/endpoint.md, "Capabilities: exactly what this deployment serves"; 2025-11-25 basic/lifecycle,
 * "Capability Negotiation"; 2026-07-28 server/discover). Both `initialize` (2025-era)
 * and `server/discover` (2026-07-28) answer with this object.
 *
 * - `tools`: always. Every deployment serves `tools/list` and `tools/call` (an empty
 *   registry lists none), and tools can be registered at runtime (the admin API): a
 *   2025-era session begun before the first registration would otherwise never look.
 * - `resources` when a resource or a template is registered; `prompts` when a prompt is.
 * - `completions` when a prompt or a template is registered: `completion/complete`
 *   answers for their arguments and variables, with the registered values or an empty
 *   list (the conformance suite's `completion-complete` expects exactly that); with
 *   neither there is nothing to complete, and the method is not served.
 * - `listChanged` only where change notifications are delivered: events on, and a
 *   stream to carry them (the 2025-era GET stream; `subscriptions/listen` in
 *   2026-07-28, which needs response streaming).
 * - `resources.subscribe` only where subscriptions work: the 2025-era session keeps its
 *   URIs in the store; a 2026-07-28 client names them in `subscriptions/listen`.
 * - `logging` when log messages can reach the client (events on: SNS
 *   `notifications/message`; or an invoker that relays a tool's log channel).
 * - `tasks` (and the 2026-07-28 tasks extension): declared by the server builder, only
 *   when a registered tool has `taskSupport` optional or required; `experimental`: never.
 */
import type { ServerCapabilities } from '@modelcontextprotocol/server';
import type { RegistrySnapshot } from '../registry/registry-source';

export interface CapabilityFacts {
  /** Change notifications reach this request's client (events on, and a stream that carries them). */
  readonly notifications: boolean;
  /** `resources/subscribe` (2025-era) or `subscriptions/listen` URIs (2026-07-28) work for this request. */
  readonly subscriptions: boolean;
  /** `notifications/message` can reach this request's client. */
  readonly logMessages: boolean;
}

/** Whether `completion/complete` has anything to answer for: a prompt or a resource template. */
export function offersCompletions(snapshot: Pick<RegistrySnapshot, 'prompts' | 'resourceTemplates'>): boolean {
  return snapshot.prompts.length > 0 || snapshot.resourceTemplates.length > 0;
}

export function serverCapabilities(
  snapshot: Pick<RegistrySnapshot, 'resources' | 'resourceTemplates' | 'prompts'>,
  facts: CapabilityFacts,
): ServerCapabilities {
  const listChanged = facts.notifications ? { listChanged: true } : {};
  const hasResources = snapshot.resources.length > 0 || snapshot.resourceTemplates.length > 0;
  const subscribe = facts.notifications && facts.subscriptions ? { subscribe: true } : {};
  return {
    tools: { ...listChanged },
    ...(facts.logMessages ? { logging: {} } : {}),
    ...(hasResources ? { resources: { ...listChanged, ...subscribe } } : {}),
    ...(snapshot.prompts.length > 0 ? { prompts: { ...listChanged } } : {}),
    ...(offersCompletions(snapshot) ? { completions: {} } : {}),
  };
}
