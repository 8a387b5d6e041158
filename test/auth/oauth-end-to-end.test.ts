/**
 * OAuth end to end, over real sockets: the runtime built by `createRuntime` (the
 * Lambda handler's composition root) in auth mode `oauth`, sessions in DynamoDB Local,
 * a local authorization server issuing real signed tokens (client_credentials), and the
 * official SDK clients discovering it from the 401 and completing calls:
 * - SDK v1 (a 2025-11-25 session) and SDK v2 (2026-07-28) with their
 *   `ClientCredentialsProvider`;
 * - a 2025-03-26 client's discovery at the server origin;
 * - a session hijack across two principals (404, and the session survives);
 * - the raw token never reaches a tool event or a log line.
 */
jest.mock('jose', () => jest.requireActual('../support/jose-commonjs').joseCommonJs());

import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  auth, Client as ClientV2, ClientCredentialsProvider as ClientCredentialsProviderV2, type OAuthClientProvider,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client';
// The v1 SDK resolves through its package "exports" map, which eslint's import resolver does not read.
// eslint-disable-next-line import/no-unresolved
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
// eslint-disable-next-line import/no-unresolved
import { discoverOAuthMetadata } from '@modelcontextprotocol/sdk/client/auth.js';
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { DynamoDbSessionStore } from '../../lambda-src/store/dynamodb-session-store';
import { MemoryEventLog } from '../../lambda-src/store/memory-event-log';
import { ACCEPT_BOTH, initializeMessage, testConfig, TestToolInvoker, TOOLS } from '../protocol/endpoint-fixture';
import type { WebRequestServer } from '../protocol/web-request-server';
import { createTestTables, type DynamoDbLocal, localDynamoDbClient, startDynamoDbLocal } from '../support/dynamodb-local';
import { TestAuthorizationServer, type TestClient } from '../support/oauth-authorization-server';
import { ALICE, BOB, oauthConfigFor } from '../support/oauth-fixture';
import { startRuntimeServer } from '../support/runtime-server';

let ddb: DynamoDbLocal;
let as: TestAuthorizationServer;
let server: WebRequestServer;
let invoker: TestToolInvoker;
const logs: string[] = [];

beforeAll(async () => {
  [ddb, as] = await Promise.all([startDynamoDbLocal(), TestAuthorizationServer.start([ALICE, BOB])]);
  const { sessionTable } = await createTestTables(ddb.endpoint);
  invoker = new TestToolInvoker();
  server = await startRuntimeServer(TOOLS, {
    config: testConfig({
      authMode: 'oauth',
      oauth: oauthConfigFor(as),
    }),
    sessions: new DynamoDbSessionStore({ client: DynamoDBDocumentClient.from(localDynamoDbClient(ddb.endpoint)), tableName: sessionTable }),
    // An event source, so that GET streams are offered (without one GET is 405 for everyone).
    eventLog: new MemoryEventLog(),
    invoker,
    log: (line) => logs.push(line),
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await as?.close();
  await ddb?.stop();
});

/** Every access token the authorization servers issued so far. */
let otherServers: TestAuthorizationServer[] = [];
async function issuedTokens(): Promise<string[]> {
  return [as, ...otherServers].flatMap((authorizationServer) => authorizationServer.issued);
}

function tokenFor(client: TestClient): Promise<string> {
  return as.tokenFor(client, server.url.href);
}

describe('the official SDK clients discover the authorization server and call a tool', () => {
  test('SDK v1, a 2025-11-25 session, with ClientCredentialsProvider', async () => {
    const provider = new ClientCredentialsProvider({ ...ALICE, expectedIssuer: as.issuer });
    const transport = new TransportV1(server.url, { authProvider: provider });
    const client = new ClientV1({ name: 'v1-oauth', version: '1.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
      expect(result.content).toEqual([{ type: 'text', text: 'hello' }]);
      // RFC 8707: the client asked for a token for this server, which is its audience.
      expect(as.tokenRequests.at(-1)).toMatchObject({ grantType: 'client_credentials', clientId: ALICE.clientId, resource: server.url.href });
      const event = invoker.events.at(-1)!;
      expect(event.context).toMatchObject({
        protocolVersion: '2025-11-25',
        principal: { kind: 'oauth', id: ALICE.clientId, claims: { iss: as.issuer, scope: 'mcp:tools', client_id: ALICE.clientId } },
      });
    } finally {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    }
  });

  test('SDK v2, 2026-07-28, with ClientCredentialsProvider', async () => {
    const provider = new ClientCredentialsProviderV2({ ...ALICE, expectedIssuer: as.issuer });
    const client = new ClientV2({ name: 'v2-oauth', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    const transport = new TransportV2(server.url, { authProvider: provider });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'echo', arguments: { message: 'modern' } });
      expect(result.content).toEqual([{ type: 'text', text: 'modern' }]);
      expect(invoker.events.at(-1)!.context).toMatchObject({ protocolVersion: '2026-07-28', principal: { kind: 'oauth', id: ALICE.clientId } });
    } finally {
      await client.close();
    }
  });

  test('a 2025-03-26 client finds the authorization server metadata at the MCP server origin', async () => {
    const metadata = await discoverOAuthMetadata(server.url.origin, { protocolVersion: '2025-03-26' });
    expect(metadata).toMatchObject({ issuer: as.issuer, token_endpoint: `${as.issuer}/token` });
  });
});

describe('a session belongs to the principal that created it', () => {
  const post = (token: string, body: unknown, headers: Record<string, string> = {}) => fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': ACCEPT_BOTH, 'authorization': `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });

  test('another principal using its id gets 404 on POST, GET and DELETE, and the session lives on', async () => {
    const [alice, bob] = [await tokenFor(ALICE), await tokenFor(BOB)];
    const init = await post(alice, initializeMessage('2025-11-25'));
    expect(init.status).toBe(200);
    const sessionId = init.headers.get('mcp-session-id')!;
    expect(sessionId).toBeTruthy();
    await init.text();
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    expect((await post(alice, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).status).toBe(202);

    const hijack = await post(bob, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'stolen' } } }, headers);
    expect(hijack.status).toBe(404);
    expect((await hijack.json() as { error: { message: string } }).error.message).toMatch(/Session not found/);
    const stream = await fetch(server.url, { headers: { ...headers, accept: 'text/event-stream', authorization: `Bearer ${bob}` } });
    expect(stream.status).toBe(404);
    await stream.body?.cancel();
    const del = await fetch(server.url, { method: 'DELETE', headers: { ...headers, authorization: `Bearer ${bob}` } });
    expect(del.status).toBe(404);
    expect(invoker.events.some((e) => e.arguments.message === 'stolen')).toBe(false);

    const own = await post(alice, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { message: 'mine' } } }, headers);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('mine');
  });

  test('the same session id without a token is 401 (authentication comes before the session)', async () => {
    const res = await fetch(server.url, { method: 'DELETE', headers: { 'mcp-session-id': 'any-session-id' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });
});

/**
 * Cognito's discovery document has no `code_challenge_methods_supported`; the MCP spec
 * says clients MUST then refuse (2025-11-25 "Authorization Code Protection"), and Claude
 * does (anthropics/claude-ai-mcp#946, anthropics/claude-code#13275). The official
 * TypeScript SDK is lenient and assumes S256, so it cannot show the refusal; these tests
 * show that the proxy's metadata carries S256 and the issuer check of the URL the client
 * built, and that both clients complete their flows through it.
 */
describe('an authorization server that does not advertise PKCE (Amazon Cognito), behind the metadata proxy', () => {
  let cognitoLike: TestAuthorizationServer;
  let proxied: WebRequestServer;


  /** A server whose single authorization server is the Cognito-like one. */
  async function serverFor(authorizationServerProxy: boolean): Promise<WebRequestServer> {
    const { sessionTable } = await createTestTables(ddb.endpoint);
    return startRuntimeServer(TOOLS, {
      config: testConfig({
        authMode: 'oauth',
        oauth: oauthConfigFor(cognitoLike, { algorithms: ['RS256'], authorizationServerProxy }),
      }),
      sessions: new DynamoDbSessionStore({ client: DynamoDBDocumentClient.from(localDynamoDbClient(ddb.endpoint)), tableName: sessionTable }),
      invoker,
      log: (line) => logs.push(line),
    });
  }

  beforeAll(async () => {
    cognitoLike = await TestAuthorizationServer.start([ALICE], { oidcDiscoveryOnly: true });
    otherServers = [cognitoLike];
    proxied = await serverFor(true);
  });
  afterAll(async () => {
    await proxied?.close();
    await cognitoLike?.close();
  });

  /**
   * An interactive client (what Claude, ChatGPT and the Inspector are): a pre-registered
   * client id, a redirect URL, and the browser step recorded instead of opened. `auth()`
   * runs discovery and stops at the redirect to the authorization endpoint.
   */
  function interactiveProvider(): OAuthClientProvider & { authorizationUrl?: URL } {
    let verifier = '';
    const provider: OAuthClientProvider & { authorizationUrl?: URL } = {
      redirectUrl: 'http://127.0.0.1:7777/callback',
      clientMetadata: { client_name: 'interactive', redirect_uris: ['http://127.0.0.1:7777/callback'] },
      clientInformation: () => ({ client_id: 'interactive-client' }),
      tokens: () => undefined,
      saveTokens: () => undefined,
      redirectToAuthorization: (url) => {
        provider.authorizationUrl = url;
      },
      saveCodeVerifier: (v) => {
        verifier = v;
      },
      codeVerifier: () => verifier,
    };
    return provider;
  }

  test('behind the proxy, an interactive client reaches the upstream authorize endpoint with PKCE S256 and our resource', async () => {
    const provider = interactiveProvider();
    expect(await auth(provider, { serverUrl: proxied.url })).toBe('REDIRECT');
    const url = provider.authorizationUrl!;
    expect(`${url.origin}${url.pathname}`).toBe(`${cognitoLike.issuer}/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('resource')).toBe(proxied.url.href);
    expect(url.searchParams.get('scope')).toBe('mcp:tools');
  });

  test('SDK v2 accepts the metadata our origin serves and completes a call', async () => {
    const provider = new ClientCredentialsProviderV2({ ...ALICE, expectedIssuer: proxied.url.origin });
    const client = new ClientV2({ name: 'v2-proxy', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new TransportV2(proxied.url, { authProvider: provider }));
    try {
      const result = await client.callTool({ name: 'echo', arguments: { message: 'via proxy' } });
      expect(result.content).toEqual([{ type: 'text', text: 'via proxy' }]);
      expect(cognitoLike.tokenRequests.at(-1)).toMatchObject({ clientId: ALICE.clientId, resource: proxied.url.href });
    } finally {
      await client.close();
    }
  });

  test('SDK v1 likewise, in a 2025-11-25 session', async () => {
    const provider = new ClientCredentialsProvider({ ...ALICE, expectedIssuer: proxied.url.origin });
    const transport = new TransportV1(proxied.url, { authProvider: provider });
    const client = new ClientV1({ name: 'v1-proxy', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect((await client.callTool({ name: 'echo', arguments: { message: 'v1 via proxy' } })).content).toEqual([{ type: 'text', text: 'v1 via proxy' }]);
    } finally {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    }
  });
});

// Last, so it sees every token the tests above had issued and used.
describe('secrets stay out of tool events and logs', () => {
  test('no access token ever reaches a tool event or a log line', async () => {
    const tokens = await issuedTokens();
    expect(tokens.length).toBeGreaterThan(0);
    const events = JSON.stringify(invoker.events);
    const logText = logs.join('\n');
    for (const token of tokens) {
      expect(events).not.toContain(token);
      expect(logText).not.toContain(token);
      // Nor any of its three parts (the signature alone is a secret-ish value).
      for (const part of token.split('.')) expect(logText).not.toContain(part);
    }
    expect(logs.some((l) => JSON.parse(l).principalKind === 'oauth')).toBe(true);
  });
});
