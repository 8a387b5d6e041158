/** The handler's auth settings as the construct writes them (src/mcp-auth.ts) and lambda-src/model/config.ts reads them. */
import { loadConfig } from '../../lambda-src/model/config';

const base = { MCP_SESSION_TABLE: 's', MCP_REGISTRY_TABLE: 'r' };

test('oauth: defaults for JWKS, authorization servers and algorithms; scopes split on spaces', () => {
  const config = loadConfig({ ...base, MCP_AUTH_MODE: 'oauth', MCP_OAUTH_ISSUER: 'https://auth.example.com/', MCP_OAUTH_REQUIRED_SCOPES: 'a b' });
  expect(config.oauth).toEqual({
    issuer: 'https://auth.example.com/',
    audiences: [],
    jwksUri: 'https://auth.example.com/.well-known/jwks.json',
    requiredScopes: ['a', 'b'],
    authorizationServers: ['https://auth.example.com/'],
    algorithms: ['RS256', 'ES256'],
    resourceUrl: undefined,
    tokenProfile: 'jwt',
    clientIds: [],
    authorizationServerProxy: false,
  });
  expect(config.bearer).toBeUndefined();
});

test.each([
  [{ MCP_AUTH_MODE: 'oauth' }, /needs the environment variable MCP_OAUTH_ISSUER/],
  [{ MCP_AUTH_MODE: 'oauth', MCP_OAUTH_ISSUER: 'https://a', MCP_OAUTH_ALGORITHMS: 'RS256,HS256' }, /'HS256': only asymmetric/],
  [{ MCP_AUTH_MODE: 'oauth', MCP_OAUTH_ISSUER: 'https://a', MCP_OAUTH_TOKEN_PROFILE: 'cognito' }, /needs MCP_OAUTH_CLIENT_IDS/],
  [{ MCP_AUTH_MODE: 'bearer' }, /needs the environment variable MCP_BEARER_SECRET_ARN/],
  [{ MCP_AUTH_MODE: 'oauth', MCP_OAUTH_ISSUER: 'https://a', MCP_OAUTH_AUTHORIZATION_SERVERS: 'https://a,https://b', MCP_OAUTH_AS_PROXY: 'true' }, /needs exactly one authorization server/],
])('%j is refused, naming the variable', (env, message) => {
  expect(() => loadConfig({ ...base, ...env })).toThrow(message);
});

test('bearer: the secret ARN, a 60 s cache and no AWSPREVIOUS by default', () => {
  expect(loadConfig({ ...base, MCP_AUTH_MODE: 'bearer', MCP_BEARER_SECRET_ARN: 'arn:x' }).bearer)
    .toEqual({ secretArn: 'arn:x', cacheSeconds: 60, acceptPrevious: false });
});
