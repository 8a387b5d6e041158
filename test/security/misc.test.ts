/**
 * The smaller rows of the attack run, each against the real part:
 * - a JWT whose `iat` is in the future beyond the clock tolerance (OAuth resource server
 *   against a local authorization server signing real tokens);
 * - slow clients of the local dev server (headers without a body), over real sockets;
 * - `q=0` in Accept (the protocol endpoint);
 * - what a session keeps of the client's initialize is bounded.
 */
jest.mock('jose', () => jest.requireActual('../support/jose-commonjs').joseCommonJs());

import { connect } from 'node:net';
import { createHttpApp } from '../../lambda-src/http/http-app';
import { CLOCK_TOLERANCE_SECONDS } from '../../lambda-src/http/oauth-authenticator';
import { type DevServer, startDevServer } from '../../lambda-src/local/dev-server';
import { MAX_CLIENT_DESCRIPTION_BYTES } from '../../lambda-src/protocol/legacy-session-endpoint';
import { createMcpEndpoint, type McpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { context, initializeMessage, modernRequest, postRequest, testConfig, TestToolInvoker } from '../protocol/endpoint-fixture';
import { TestAuthorizationServer } from '../support/oauth-authorization-server';
import { oauthConfigFor } from '../support/oauth-fixture';

describe('JWT iat', () => {
  const RESOURCE = 'https://abcdefghij.lambda-url.eu-west-1.on.aws/mcp';
  let as: TestAuthorizationServer;
  let handle: (token: string) => Promise<Response>;

  beforeAll(async () => {
    as = await TestAuthorizationServer.start();
    const endpoint: McpEndpoint = { handle: async () => Response.json({ jsonrpc: '2.0', id: 1, result: {} }) };
    const app = createHttpApp({
      config: {
        allowedOrigins: [],
        maxBodyBytes: 64 * 1024,
        authMode: 'oauth',
        oauth: oauthConfigFor(as, { requiredScopes: [], algorithms: ['RS256'] }),
      },
      endpoint,
      log: () => undefined,
    });
    handle = (token) => app.handle(new Request(RESOURCE, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', 'authorization': `Bearer ${token}` },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    }), context());
  });
  afterAll(() => as?.close());

  const now = () => Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>) => as.signRaw({ iss: as.issuer, sub: 'u', aud: RESOURCE, exp: now() + 7200, ...claims });

  test('an hour in the future: 401 invalid_token, saying so', async () => {
    const res = await handle(await sign({ iat: now() + 3600 }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/issued in the future \(iat\)/);
  });

  test('within the clock tolerance, now, in the past, or absent: accepted', async () => {
    for (const iat of [now() + CLOCK_TOLERANCE_SECONDS - 5, now(), now() - 3600, undefined]) {
      expect((await handle(await sign({ iat }))).status).toBe(200);
    }
  });

  test('regression: nbf in the future and exp in the past are refused', async () => {
    expect((await handle(await sign({ nbf: now() + 3600 }))).status).toBe(401);
    expect((await handle(await sign({ exp: now() - 3600 }))).status).toBe(401);
  });
});

describe('dev server: slow clients are cut off', () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer({ port: 0, requestTimeoutMs: 1000, log: () => undefined });
  }, 120_000);
  afterAll(() => server?.stop());

  /** Sends `head`, never more; resolves with what the server answered when it closed the socket. */
  function slowClient(head: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const url = new URL(server.url);
      const socket = connect(Number(url.port), url.hostname, () => socket.write(head));
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
    });
  }

  test('headers that promise a body that never comes, and headers that never end: 408, closed', async () => {
    const host = new URL(server.url).host;
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, () => slowClient(`POST /mcp HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"js`)),
      slowClient(`GET /mcp HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `),
    ]);
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408/);
  }, 60_000);

  test('regression: a normal request is answered', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'x', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } } }),
    });
    expect(res.status).toBe(200);
    await res.text();
  });
});

describe('the protocol endpoint', () => {
  const registryStore = new MemoryRegistryStore();
  const sessions = new MemorySessionStore();
  const endpoint = createMcpEndpoint({
    config: testConfig({ maxBodyBytes: 1024 * 1024 }), sessions, registry: new RegistrySource(registryStore), invoker: new TestToolInvoker(),
  });
  const withAccept = (request: Request, accept: string) => {
    const headers = new Headers(request.headers);
    headers.set('accept', accept);
    return new Request(request, { headers });
  };

  test.each([
    'application/json;q=0, text/event-stream;q=0',
    'application/json, text/event-stream;q=0',
    '*/*;q=0',
    '*/*, text/event-stream;q=0',
    'application/json;q=0.000, text/*',
  ])('POST with Accept %j: 406, both eras', async (accept) => {
    expect((await endpoint.handle(withAccept(postRequest(initializeMessage('2025-11-25')), accept), context())).status).toBe(406);
    expect((await endpoint.handle(withAccept(modernRequest('server/discover'), accept), context())).status).toBe(406);
  });

  test.each([
    'application/json, text/event-stream',
    '*/*',
    'application/json;q=0.5, text/event-stream;q=0.1',
    'text/event-stream;q=1.0, application/*;q=0.001',
    'application/json;q=bogus, text/event-stream',
  ])('regression: POST with Accept %j is served', async (accept) => {
    expect((await endpoint.handle(withAccept(modernRequest('server/discover'), accept), context())).status).toBe(200);
  });

  test(`initialize whose capabilities and clientInfo exceed ${MAX_CLIENT_DESCRIPTION_BYTES} bytes: -32602, no session`, async () => {
    for (const field of ['capabilities', 'clientInfo'] as const) {
      const message = initializeMessage('2025-11-25');
      const params = message.params as Record<string, unknown>;
      params[field] = { ...(params[field] as object), experimental: { padding: 'x'.repeat(MAX_CLIENT_DESCRIPTION_BYTES) } };
      const res = await endpoint.handle(postRequest(message), context());
      expect(res.headers.get('mcp-session-id')).toBeNull();
      const body = await res.json() as { error: { code: number; message: string } };
      expect(body.error.code).toBe(-32602);
      expect(body.error.message).toMatch(/too large to keep with a session \(limit 32768\)/);
    }
  });

  test('regression: an ordinary initialize creates a session', async () => {
    const res = await endpoint.handle(postRequest(initializeMessage('2025-11-25')), context());
    expect(res.headers.get('mcp-session-id')).toBeTruthy();
  });
});
