/**
 * Bounded labels for metric dimensions. A CloudWatch metric exists per distinct
 * dimension value and is billed as such, and a dimension value a client chooses
 * (any string in a JSON-RPC `method`) would let any caller create metrics at will. So
 * a method becomes a dimension only when it is one the MCP specification defines;
 * anything else is `other`.
 */

/**
 * Every request and notification method of MCP 2025-03-26 .. 2025-11-25 and
 * 2026-07-28 (schema.ts of each version), client to server.
 */
const SPEC_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'server/discover',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'subscriptions/listen',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
  'tasks/update',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'notifications/tasks/status',
]);

/**
 * Labels beyond the spec's methods: a body of JSON-RPC responses only (a client
 * answering a server-to-client request), a 2025-03-26 batch, the HTTP methods that
 * carry no JSON-RPC (the 2025-era GET stream, session DELETE), and what is not MCP.
 */
export const RESPONSE_LABEL = 'response';
export const BATCH_LABEL = 'batch';
export const OTHER_LABEL = 'other';
export const NONE_LABEL = 'none';

/** The dimension value for a JSON-RPC method: itself when the spec defines it, else `other`. */
export function methodLabel(method: string | undefined): string {
  if (method === undefined) return NONE_LABEL;
  if (SPEC_METHODS.has(method) || method === RESPONSE_LABEL || method === BATCH_LABEL) return method;
  if (method === 'GET' || method === 'DELETE') return method;
  return OTHER_LABEL;
}
