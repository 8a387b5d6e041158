/**
 * The protocol revisions this endpoint serves, and `initialize` version negotiation
 * for the 2025 era (docs/endpoint.md, "The MCP endpoint").
 */

/** 2025-era revisions served with sessions, newest first (the order is the preference). */
export const LEGACY_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;

export type LegacyProtocolVersion = (typeof LEGACY_PROTOCOL_VERSIONS)[number];

/** The stateless revision served by the SDK's `createMcpHandler`. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** The only 2025 revision that allows JSON-RPC batches (removed in 2025-06-18). */
export const BATCH_PROTOCOL_VERSION: LegacyProtocolVersion = '2025-03-26';

export function isLegacyProtocolVersion(version: unknown): version is LegacyProtocolVersion {
  return typeof version === 'string' && (LEGACY_PROTOCOL_VERSIONS as readonly string[]).includes(version);
}

/**
 * Lifecycle, "Version Negotiation" (2025-11-25 basic/lifecycle): if the server supports
 * the requested version it MUST respond with the same version; otherwise it MUST
 * respond with another version it supports, which SHOULD be its latest.
 */
export function negotiateProtocolVersion(requested: unknown): LegacyProtocolVersion {
  return isLegacyProtocolVersion(requested) ? requested : LEGACY_PROTOCOL_VERSIONS[0];
}
