/**
 * A cheap, exact shortcut for the common 2026-07-28 request, ahead of the SDK's
 * `isLegacyRequest` (mcp-endpoint.ts routes on it).
 *
 * `isLegacyRequest` classifies the whole message (its JSON-RPC schemas, the envelope's
 * schema), and `createMcpHandler` classifies it again when it serves it: two zod passes
 * per request. But the SDK's classifier (`classifyInboundRequest`, 2.4) never routes a
 * message to legacy handling once its params claim the per-request envelope (the
 * protocol-version key in `params._meta`), unless it is an `initialize` (the legacy
 * handshake may carry a claim) or a JSON-RPC response: it is then either modern or
 * refused, and refusals belong to the modern handler too. So for such a message the
 * answer is known without the first pass. Everything else is asked of the SDK.
 * test/protocol/modern-claim.test.ts holds the shortcut to the SDK's answer.
 */
import { PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True only when the SDK's `isLegacyRequest` would answer false for this parsed POST body. */
export function claimsModernEnvelope(body: unknown): boolean {
  if (!isObject(body) || 'result' in body || 'error' in body) return false;
  if (typeof body.method !== 'string' || body.method === 'initialize') return false;
  const params = body.params;
  return isObject(params) && isObject(params._meta) && PROTOCOL_VERSION_META_KEY in params._meta;
}
