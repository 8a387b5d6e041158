/**
 * Who a task belongs to. Tasks are bound to the caller's principal, so one caller cannot read or cancel another's work: a task
 * of another principal reads as not found. Without authentication (auth mode `none`)
 * there is no principal, so a 2025-era task is bound to its session instead, and a
 * stateless one to nobody in particular (any caller of such a server may see it: the
 * server was deployed without auth).
 */
import { principalKey, type Principal } from '../store/session-store';

export function taskOwner(principal: Principal | undefined, sessionId: string | undefined): string {
  if (principal && principal.kind !== 'none') {
    // The namespaced key (store/session-store.ts) where an authenticator set one (OAuth:
    // `oauth:sub:...`, `oauth:client:...`). The other kinds have one id namespace each,
    // and keep the owner form tasks were stored under before keys existed, so tasks
    // running across an upgrade stay their owners'; the two forms cannot meet (`#` vs `:`
    // right after the kind).
    return principal.key !== undefined ? `principal#${principalKey(principal)}` : `principal#${principal.kind}#${principal.id}`;
  }
  if (sessionId !== undefined) return `session#${sessionId}`;
  return 'anonymous';
}
