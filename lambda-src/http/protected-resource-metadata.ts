/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) of the MCP endpoint, and the
 * canonical URL that names it.
 *
 * MCP 2025-11-25 basic/authorization.mdx, "Authorization Server Location" and
 * "Protected Resource Metadata Discovery Requirements": MCP servers MUST implement
 * RFC 9728 with at least one `authorization_servers` entry; the document may be served
 * at the path-suffixed well-known URI (`/.well-known/oauth-protected-resource/mcp` for
 * `https://host/mcp`, RFC 9728 section 3.1) or at the root (`/.well-known/oauth-protected-resource`);
 * clients try both, in that order, when a 401 names neither. We serve both, and name the
 * path-suffixed one (the RFC's own construction) in `WWW-Authenticate`.
 *
 * "Canonical Server URI": the resource is `https://<host>/mcp`, without a trailing slash.
 * On Lambda the host is the Function URL's domain, which AWS sets in the event (the
 * client cannot choose it); behind a custom domain the construct passes `resourceUrl`.
 */
import type { OAuthConfig } from '../model/config';

export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/** The canonical URI of this MCP server for `request` (RFC 8707 section 2). */
export function canonicalResourceUrl(request: Request, mcpPath: string, configured?: string): string {
  if (configured) return stripTrailingSlash(configured);
  return `${new URL(request.url).origin}${mcpPath}`;
}

/** `https://host/.well-known/oauth-protected-resource/mcp` for `https://host/mcp`. */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}${PROTECTED_RESOURCE_METADATA_PATH}${resourcePath(url)}`;
}

/** Whether `path` is one of the two places the document is served for `resource`. */
export function isProtectedResourceMetadataPath(path: string, resource: string): boolean {
  return path === PROTECTED_RESOURCE_METADATA_PATH
    || path === `${PROTECTED_RESOURCE_METADATA_PATH}${resourcePath(new URL(resource))}`;
}

export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly scopes_supported?: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly resource_name?: string;
}

/** The document (RFC 9728 section 2). Tokens go in the Authorization header only (MCP "Token Requirements"). */
export function protectedResourceMetadata(resource: string, oauth: OAuthConfig, resourceName?: string): ProtectedResourceMetadata {
  return {
    resource,
    authorization_servers: oauth.authorizationServers,
    ...(oauth.requiredScopes.length > 0 ? { scopes_supported: oauth.requiredScopes } : {}),
    bearer_methods_supported: ['header'],
    ...(resourceName ? { resource_name: resourceName } : {}),
  };
}

export function protectedResourceMetadataResponse(document: ProtectedResourceMetadata): Response {
  return new Response(JSON.stringify(document), {
    status: 200,
    // It changes only with a deployment; a short cache spares cold discovery round trips.
    headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
  });
}

function resourcePath(url: URL): string {
  return url.pathname === '/' ? '' : stripTrailingSlash(url.pathname);
}

function stripTrailingSlash(value: string): string {
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}
