/**
 * The handler's OAuth settings for a token issued by a test authorization server
 * (test/support/oauth-authorization-server.ts, or one that looks like it): that server as
 * issuer and sole authorization server, its JWK Set, JWT access tokens, scope `mcp:tools`.
 * A test names in `overrides` only what it is about.
 */
import type { TestClient } from './oauth-authorization-server';
import type { OAuthConfig } from '../../lambda-src/model/config';

/** Two confidential clients of the test authorization server, granted `mcp:tools` by default. */
export const ALICE: TestClient = { clientId: 'alice-agent', clientSecret: 'alice-secret-0123456789', defaultScope: 'mcp:tools' };
export const BOB: TestClient = { clientId: 'bob-agent', clientSecret: 'bob-secret-9876543210', defaultScope: 'mcp:tools' };

export function oauthConfigFor(server: { readonly issuer: string; readonly jwksUri: string }, overrides: Partial<OAuthConfig> = {}): OAuthConfig {
  return {
    issuer: server.issuer,
    audiences: [],
    jwksUri: server.jwksUri,
    requiredScopes: ['mcp:tools'],
    authorizationServers: [server.issuer],
    algorithms: ['RS256', 'ES256'],
    tokenProfile: 'jwt',
    clientIds: [],
    ...overrides,
  };
}
