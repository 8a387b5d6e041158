/**
 * The OAuth 2.1 resource server behind the http app, against a local authorization
 * server (real jose keys, real signed JWTs, JWKS fetched over a real socket). Each
 * refusal case checks the status, the `WWW-Authenticate` challenge (parsed with the
 * official SDK's own parser) and that the protocol endpoint was never reached.
 */
jest.mock('jose', () => jest.requireActual('../support/jose-commonjs').joseCommonJs());

// eslint-disable-next-line import/no-unresolved
import { extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { createHttpApp } from '../../lambda-src/http/http-app';
import { jose } from '../../lambda-src/http/jose-module';
import type { OAuthConfig } from '../../lambda-src/model/config';
import type { RequestContext } from '../../lambda-src/model/request-context';
import type { McpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';
import { TestAuthorizationServer } from '../support/oauth-authorization-server';
import { oauthConfigFor } from '../support/oauth-fixture';

const HOST = 'https://abcdefghij.lambda-url.eu-west-1.on.aws';
const RESOURCE = `${HOST}/mcp`;
const PRM_URL = `${HOST}/.well-known/oauth-protected-resource/mcp`;

let as: TestAuthorizationServer;

beforeAll(async () => {
  as = await TestAuthorizationServer.start();
});
afterAll(() => as.close());

class PrincipalEcho implements McpEndpoint {
  readonly contexts: RequestContext[] = [];
  async handle(_request: Request, context: RequestContext): Promise<Response> {
    this.contexts.push(context);
    return Response.json({ jsonrpc: '2.0', id: 1, result: { principal: context.principal } });
  }
}

function oauthConfig(overrides: Partial<OAuthConfig> = {}): OAuthConfig {
  return oauthConfigFor(as, overrides);
}

function setup(overrides: Partial<OAuthConfig> = {}) {
  const endpoint = new PrincipalEcho();
  const logs: string[] = [];
  const app = createHttpApp({
    config: { allowedOrigins: ['https://inspector.example.com'], maxBodyBytes: 64 * 1024, authMode: 'oauth', oauth: oauthConfig(overrides), serverName: 'orders' },
    endpoint,
    log: (line) => logs.push(line),
  });
  return { app, endpoint, logs };
}

function ctx(): RequestContext {
  return { requestId: 'r-1', signal: new AbortController().signal, deadline: Date.now() + 60_000 };
}

function post(authorization?: string, url = RESOURCE): Request {
  return new Request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'accept': 'application/json, text/event-stream',
      ...(authorization ? { authorization } : {}),
    },
    body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
  });
}

function goodClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: as.issuer, sub: 'user-123', aud: RESOURCE, scope: 'mcp:tools profile', client_id: 'claude', ...extra };
}

async function refusal(res: Response) {
  const body = await res.json() as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
  expect(body).toMatchObject({ jsonrpc: '2.0', id: null });
  return { ...extractWWWAuthenticateParams(res), header: res.headers.get('www-authenticate'), message: body.error.message };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('a valid access token', () => {
  test.each(['RS256', 'ES256'] as const)('signed with %s is accepted; the principal holds sub and non-secret claims only', async (alg) => {
    const { app, endpoint, logs } = setup();
    const token = await as.sign(goodClaims(), { alg });
    const res = await app.handle(post(`Bearer ${token}`), ctx());
    expect(res.status).toBe(200);
    expect(endpoint.contexts[0].principal).toEqual({
      kind: 'oauth',
      id: 'user-123',
      claims: { iss: as.issuer, scope: 'mcp:tools profile', client_id: 'claude' },
      key: `oauth:sub:${as.issuer.replace(/:/g, '%3A')}:user-123`,
    });
    expect(JSON.stringify(endpoint.contexts[0].principal)).not.toContain(token);
    expect(logs.join('\n')).not.toContain(token);
    expect(JSON.parse(logs[0])).toMatchObject({ status: 200, principalKind: 'oauth' });
  });

  test('the audience may differ in the case of scheme and host and in a trailing slash (MCP "Canonical Server URI")', async () => {
    const { app } = setup();
    const token = await as.sign(goodClaims({ aud: ['https://other.example', `${RESOURCE.toUpperCase().replace('/MCP', '/mcp')}/`] }));
    expect((await app.handle(post(`Bearer ${token}`), ctx())).status).toBe(200);
  });

  test('a configured audience is accepted besides the canonical URL', async () => {
    const { app } = setup({ audiences: ['api://orders'] });
    expect((await app.handle(post(`Bearer ${await as.sign(goodClaims({ aud: 'api://orders' }))}`), ctx())).status).toBe(200);
  });

  test('scopes may come as an scp array', async () => {
    const { app } = setup();
    const token = await as.sign(goodClaims({ scope: undefined, scp: ['mcp:tools'] }));
    expect((await app.handle(post(`Bearer ${token}`), ctx())).status).toBe(200);
  });

  test('behind a custom domain the configured resource URL is the audience and the metadata location', async () => {
    const { app } = setup({ resourceUrl: 'https://mcp.example.com/mcp' });
    const forFunctionUrl = await as.sign(goodClaims());
    const res = await app.handle(post(`Bearer ${forFunctionUrl}`), ctx());
    expect(res.status).toBe(401);
    expect((await refusal(res)).resourceMetadataUrl?.href).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
    const forDomain = await as.sign(goodClaims({ aud: 'https://mcp.example.com/mcp' }));
    expect((await app.handle(post(`Bearer ${forDomain}`), ctx())).status).toBe(200);
  });
});

describe('refusals', () => {
  test('no token: 401 with resource_metadata and scope, and no error code (RFC 6750 section 3.1)', async () => {
    const { app, endpoint } = setup();
    const res = await app.handle(post(), ctx());
    expect(res.status).toBe(401);
    const r = await refusal(res);
    expect(r.resourceMetadataUrl?.href).toBe(PRM_URL);
    expect(r.scope).toBe('mcp:tools');
    expect(r.error).toBeUndefined();
    expect(r.header).toBe(`Bearer scope="mcp:tools", resource_metadata="${PRM_URL}"`);
    expect(r.message).toMatch(/requires an OAuth access token/);
    expect(endpoint.contexts).toHaveLength(0);
  });

  test('another scheme: 401 without an error code', async () => {
    const { app } = setup();
    const res = await app.handle(post('Basic dXNlcjpwYXNz'), ctx());
    expect(res.status).toBe(401);
    expect((await refusal(res)).error).toBeUndefined();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ['expired', () => as.sign(goodClaims({ iat: now() - 7200, exp: now() - 120 })), /expired/],
    ['not yet valid (nbf)', () => as.sign(goodClaims({ nbf: now() + 300 })), /not valid yet/],
    ['without exp', () => as.signRaw(goodClaims()), /no expiry/],
    ['from another issuer', () => as.sign(goodClaims({ iss: 'https://evil.example' })), /not issued by/],
    ['for another audience', () => as.sign(goodClaims({ aud: 'https://other-server.example/mcp' })), /another audience/],
    ['without an audience', () => as.sign(goodClaims({ aud: undefined })), /no audience/],
    ['alg none (unsigned)', async () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...goodClaims(), exp: now() + 3600 })}.`, /algorithm|not a valid/],
    ['HS256 signed with the public key as the HMAC secret', async () => {
      const secret = new TextEncoder().encode(JSON.stringify(as.rsaPublicJwk));
      return new jose.SignJWT({ ...goodClaims(), exp: now() + 3600 }).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(secret);
    }, /algorithm this server does not accept/],
    ['with a tampered payload', async () => {
      const [header, , signature] = (await as.sign(goodClaims({ scope: 'profile' }))).split('.');
      return `${header}.${base64url({ ...goodClaims(), exp: now() + 3600 })}.${signature}`;
    }, /signature is invalid/],
    ['signed by an unknown key (unknown kid)', () => as.sign(goodClaims(), { foreignKey: true, kid: 'rotated-away' }), /unknown kid/],
    ['signed by another key under a known kid', () => as.sign(goodClaims(), { foreignKey: true }), /signature is invalid/],
    ['not a JWT', async () => 'abc.def', /not a valid signed JWT/],
  ];

  test.each(cases)('a token %s: 401 invalid_token with resource_metadata and scope', async (_name, makeToken, message) => {
    const { app, endpoint } = setup();
    const token = await makeToken();
    const res = await app.handle(post(`Bearer ${token}`), ctx());
    expect(res.status).toBe(401);
    const r = await refusal(res);
    expect(r.error).toBe('invalid_token');
    expect(r.resourceMetadataUrl?.href).toBe(PRM_URL);
    expect(r.scope).toBe('mcp:tools');
    expect(r.message).toMatch(message);
    expect(r.header).not.toContain(token);
    expect(endpoint.contexts).toHaveLength(0);
  });

  test('a token without the required scope: 403 insufficient_scope naming the scope', async () => {
    const { app, endpoint } = setup({ requiredScopes: ['mcp:tools', 'orders:read'] });
    const res = await app.handle(post(`Bearer ${await as.sign(goodClaims({ scope: 'mcp:tools' }))}`), ctx());
    expect(res.status).toBe(403);
    const r = await refusal(res);
    expect(r.error).toBe('insufficient_scope');
    expect(r.scope).toBe('mcp:tools orders:read');
    expect(r.resourceMetadataUrl?.href).toBe(PRM_URL);
    expect(r.message).toMatch(/lacks the scope orders:read/);
    expect(endpoint.contexts).toHaveLength(0);
  });

  test('a token in the query string: 400 (MCP "Token Requirements")', async () => {
    const { app } = setup();
    const token = await as.sign(goodClaims());
    const res = await app.handle(post(undefined, `${RESOURCE}?access_token=${token}`), ctx());
    expect(res.status).toBe(400);
  });

  test('signing keys that cannot be fetched: 503, not a refusal of the token', async () => {
    const { app } = setup({ jwksUri: 'http://127.0.0.1:9/jwks' });
    const res = await app.handle(post(`Bearer ${await as.sign(goodClaims())}`), ctx());
    expect(res.status).toBe(503);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });
});

describe('Amazon Cognito access tokens (client_id instead of aud)', () => {
  const cognito = { tokenProfile: 'cognito' as const, clientIds: ['app-client-1'] };
  const accessToken = (extra: Record<string, unknown> = {}) =>
    as.sign({ iss: as.issuer, sub: 'cognito-user', token_use: 'access', client_id: 'app-client-1', scope: 'mcp:tools', ...extra });

  test('an access token of an accepted app client is accepted without aud', async () => {
    const { app, endpoint } = setup(cognito);
    expect((await app.handle(post(`Bearer ${await accessToken()}`), ctx())).status).toBe(200);
    expect(endpoint.contexts[0].principal).toMatchObject({ kind: 'oauth', id: 'cognito-user', claims: { client_id: 'app-client-1' } });
  });

  test.each([
    ['an ID token (aud is the app client)', { token_use: 'id', aud: 'app-client-1', client_id: undefined }, /not an access token/],
    ['an access token of another app client', { client_id: 'other-client' }, /app client this server does not accept/],
    ['an access token bound to another resource', { aud: 'https://other.example/mcp' }, /audience is not this server/],
  ])('%s is refused', async (_name, extra, message) => {
    const { app } = setup(cognito);
    const res = await app.handle(post(`Bearer ${await accessToken(extra)}`), ctx());
    expect(res.status).toBe(401);
    expect((await refusal(res)).message).toMatch(message);
  });
});

describe('discovery documents', () => {
  test.each([
    '/.well-known/oauth-protected-resource/mcp',
    '/.well-known/oauth-protected-resource',
  ])('%s is the Protected Resource Metadata (RFC 9728), unauthenticated', async (path) => {
    const { app } = setup();
    const res = await app.handle(new Request(`${HOST}${path}`), ctx());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      resource: RESOURCE,
      authorization_servers: [as.issuer],
      scopes_supported: ['mcp:tools'],
      bearer_methods_supported: ['header'],
      resource_name: 'orders',
    });
  });

  test('a browser preflight of the metadata is answered for an allowed origin', async () => {
    const { app } = setup();
    const res = await app.handle(new Request(`${HOST}/.well-known/oauth-protected-resource/mcp`, {
      method: 'OPTIONS',
      headers: { 'origin': 'https://inspector.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'mcp-protocol-version' },
    }), ctx());
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://inspector.example.com');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/MCP-Protocol-Version/i);
  });

  test('the metadata from a disallowed origin is 403, like every route', async () => {
    const { app } = setup();
    const res = await app.handle(new Request(`${HOST}/.well-known/oauth-protected-resource`, { headers: { origin: 'https://evil.example' } }), ctx());
    expect(res.status).toBe(403);
  });

  test('POST to the metadata is 405', async () => {
    const { app } = setup();
    const res = await app.handle(new Request(`${HOST}/.well-known/oauth-protected-resource`, { method: 'POST', body: '{}' }), ctx());
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, OPTIONS');
  });

  test('2025-03-26 clients: the single authorization server\'s metadata is served at our origin', async () => {
    const { app } = setup();
    const res = await app.handle(new Request(`${HOST}/.well-known/oauth-authorization-server`, { headers: { 'mcp-protocol-version': '2025-03-26' } }), ctx());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ issuer: as.issuer, token_endpoint: `${as.issuer}/token` });
  });

  test('with two authorization servers there is no single answer: 404', async () => {
    const { app } = setup({ authorizationServers: [as.issuer, 'https://second.example'] });
    const res = await app.handle(new Request(`${HOST}/.well-known/oauth-authorization-server`), ctx());
    expect(res.status).toBe(404);
  });

  test('proxy mode: our origin is the authorization server, its metadata the upstream\'s with our issuer and S256', async () => {
    const cognitoLike = await TestAuthorizationServer.start([], { oidcDiscoveryOnly: true });
    try {
      const { app } = setup({
        issuer: cognitoLike.issuer, jwksUri: cognitoLike.jwksUri, authorizationServers: [cognitoLike.issuer], authorizationServerProxy: true,
      });
      const prm = await app.handle(new Request(`${HOST}/.well-known/oauth-protected-resource/mcp`), ctx());
      expect((await prm.json() as { authorization_servers: string[] }).authorization_servers).toEqual([HOST]);
      const metadata = await app.handle(new Request(`${HOST}/.well-known/oauth-authorization-server`), ctx());
      expect(metadata.status).toBe(200);
      expect(await metadata.json()).toMatchObject({
        issuer: HOST,
        code_challenge_methods_supported: ['S256'],
        token_endpoint: `${cognitoLike.issuer}/token`,
        jwks_uri: cognitoLike.jwksUri,
      });
      // Tokens still come from, and are checked against, the upstream issuer.
      const token = await cognitoLike.sign(goodClaims({ iss: cognitoLike.issuer }));
      expect((await app.handle(post(`Bearer ${token}`), ctx())).status).toBe(200);
    } finally {
      await cognitoLike.close();
    }
  });

  test('other modes serve no OAuth metadata', async () => {
    const app = createHttpApp({ config: { allowedOrigins: [], maxBodyBytes: 1024, authMode: 'none' }, endpoint: new PrincipalEcho(), log: () => undefined });
    expect((await app.handle(new Request(`${HOST}/.well-known/oauth-protected-resource`), ctx())).status).toBe(404);
  });
});
