/**
 * Who a task belongs to. Tasks are bound to the caller's principal (issue 10): a task
 * of another principal reads as not found. Without authentication (auth mode `none`)
 * there is no principal, so a 2025-era task is bound to its session instead, and a
 * stateless one to nobody in particular (any caller of such a server may see it: the
 * server was deployed without auth).
 */
import { principalKey, type Principal } from '../store/session-store';

export function taskOwner(principal: Principal | undefined, sessionId: string | undefined): string {
  if (principal && principal.kind !== 'none') return `principal#${principalKey(principal)}`;
  if (sessionId !== undefined) return `session#${sessionId}`;
  return 'anonymous';
}
