/**
 * No secret in any log line: a run with real OAuth tokens (a local authorization
 * server, signed JWTs, the official SDK clients' ClientCredentialsProviders) through
 * the Lambda handler over HTTP, with 2025-era sessions, a hijack attempt, refused
 * tokens, a token in a query string and a cookie, and then every line the runtime
 * wrote (request lines, function invocation lines, EMF metrics) is scanned for each
 * token, each part of it, each session id, the cookie and the Authorization header.
 */
jest.mock('jose', () => jest.requireActual('../support/jose-commonjs').joseCommonJs());

import { ClientCredentialsProvider as ClientCredentialsProviderV2, Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
// eslint-disable-next-line import/no-unresolved
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type HandlerHttpServer, startHandlerHttpServer } from './handler-http-server';
import { InstrumentedInvoker } from '../../lambda-src/ops/instrumented-invoker';
import { logTag } from '../../lambda-src/ops/log-tag';
import { createPowertoolsTelemetry } from '../../lambda-src/ops/powertools-telemetry';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { ACCEPT_BOTH, initializeMessage, testConfig, TestToolInvoker, TOOLS } from '../protocol/endpoint-fixture';
import { TestAuthorizationServer, type TestClient } from '../support/oauth-authorization-server';
import { ALICE, BOB, oauthConfigFor } from '../support/oauth-fixture';

const COOKIE = 'sessioncookie=cookie-secret-5566778899';

let as: TestAuthorizationServer;
let server: HandlerHttpServer;
const logs: string[] = [];
const sessionIds: string[] = [];

beforeAll(async () => {
  as = await TestAuthorizationServer.start([ALICE, BOB]);
  const registryStore = new MemoryRegistryStore();
  for (const tool of TOOLS) await registryStore.put(tool);
  const log = (line: string) => logs.push(line);
  server = await startHandlerHttpServer({
    config: testConfig({
      serverName: 'log-secrets',
      authMode: 'oauth',
      oauth: oauthConfigFor(as),
    }),
    sessions: new MemorySessionStore(),
    registryStore,
    registry: new RegistrySource(registryStore),
    invoker: new InstrumentedInvoker(new TestToolInvoker(), { telemetry: createPowertoolsTelemetry({ serviceName: 'log-secrets', sink: log }) }),
    log,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await as?.close();
});

function tokenFor(client: TestClient): Promise<string> {
  return as.tokenFor(client, server.url.href);
}

test('a run with tokens, sessions, refusals and a hijack attempt', async () => {
  // SDK v1: a 2025-11-25 session, tool calls (one with progress: an event stream).
  const v1 = new TransportV1(server.url, { authProvider: new ClientCredentialsProvider({ ...ALICE, expectedIssuer: as.issuer }) });
  const c1 = new ClientV1({ name: 'v1', version: '1.0.0' });
  await c1.connect(v1);
  sessionIds.push(v1.sessionId!);
  await c1.callTool({ name: 'echo', arguments: { message: 'hello' } });
  await c1.callTool({ name: 'count', arguments: { steps: 2 } }, undefined, { onprogress: () => undefined });
  await c1.callTool({ name: 'missing-function', arguments: {} }).catch(() => undefined);

  // SDK v2: 2026-07-28, no session.
  const c2 = new ClientV2({ name: 'v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await c2.connect(new TransportV2(server.url, { authProvider: new ClientCredentialsProviderV2({ ...ALICE, expectedIssuer: as.issuer }) }));
  await c2.callTool({ name: 'echo', arguments: { message: 'modern' } });
  await c2.close();

  // Raw: Bob tries Alice's session; a forged token; a token in the query; a cookie.
  const [alice, bob] = [await tokenFor(ALICE), await tokenFor(BOB)];
  const post = (token: string, body: unknown, headers: Record<string, string> = {}, url: string = server.url.href) => fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': ACCEPT_BOTH, 'authorization': `Bearer ${token}`, 'cookie': COOKIE, ...headers },
    body: JSON.stringify(body),
  });
  const init = await post(alice, initializeMessage('2025-11-25'));
  const aliceSession = init.headers.get('mcp-session-id')!;
  sessionIds.push(aliceSession);
  await init.text();
  const session = { 'mcp-session-id': aliceSession, 'mcp-protocol-version': '2025-11-25' };
  expect((await post(alice, { jsonrpc: '2.0', method: 'notifications/initialized' }, session)).status).toBe(202);
  const hijack = await post(bob, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } }, session);
  expect(hijack.status).toBe(404);
  await hijack.text();
  const forged = `${alice.slice(0, -8)}AAAAAAAA`;
  const refused = await post(forged, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, session);
  expect(refused.status).toBe(401);
  await refused.text();
  const inQuery = await post(alice, { jsonrpc: '2.0', id: 4, method: 'tools/list' }, session, `${server.url.href}?access_token=${alice}`);
  // RFC 6750 §2.3 tokens in a query are refused (400); the line must not hold the query.
  expect(inQuery.status).toBe(400);
  await inQuery.text();

  await v1.terminateSession().catch(() => undefined);
  await c1.close();

  const tokens = as.issued;
  expect(tokens.length).toBeGreaterThanOrEqual(4);
  expect(sessionIds.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
  scan([...tokens, forged]);
});

function scan(tokens: string[]): void {
  const lines = logs;
  expect(lines.length).toBeGreaterThan(15);
  for (const line of lines) {
    // Every line is one JSON object.
    expect(() => JSON.parse(line)).not.toThrow();
    for (const token of tokens) {
      expect(line).not.toContain(token);
      // Nor any part of the JWT (the signature alone is secret-ish).
      for (const part of token.split('.')) expect(line).not.toContain(part);
    }
    for (const id of sessionIds) expect(line).not.toContain(id);
    expect(line).not.toContain('cookie-secret');
    expect(line.toLowerCase()).not.toContain('bearer ');
    expect(line.toLowerCase()).not.toContain('authorization');
    expect(line).not.toContain(ALICE.clientSecret);
  }
  // The scan saw the lines that concern these sessions and principals: sessions by tag,
  // principals by id; a tool invocation line carries the session tag too.
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const id of sessionIds) expect(parsed.some((l) => l.session === logTag(id))).toBe(true);
  expect(parsed.some((l) => l.message === 'function invocation' && l.session === logTag(sessionIds[0]))).toBe(true);
  expect(parsed.some((l) => l.principalId === ALICE.clientId && l.principalKind === 'oauth')).toBe(true);
  expect(parsed.some((l) => l.status === 401)).toBe(true);
  expect(parsed.some((l) => l.status === 404 && l.session === logTag(sessionIds[1]))).toBe(true);
}
