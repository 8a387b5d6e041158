/**
 * Principal identity under hostile tokens: over a real socket, the runtime in auth mode
 * `oauth` against a local authorization server signing real JWTs. A session, a task
 * and sealed request state belong to one namespaced principal key (kind, sub or client,
 * issuer); a token that merely spells another principal's id in another field must not
 * reach that principal's session.
 */
jest.mock('jose', () => jest.requireActual('../support/jose-commonjs').joseCommonJs());

import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { namespacedPrincipalKey, principalKey, samePrincipal } from '../../lambda-src/store/session-store';
import { taskOwner } from '../../lambda-src/tasks/task-owner';
import { eventContext } from '../../lambda-src/tools/tool-event';
import { ACCEPT_BOTH, initializeMessage, testConfig, TestToolInvoker, TOOLS } from '../protocol/endpoint-fixture';
import type { WebRequestServer } from '../protocol/web-request-server';
import { TestAuthorizationServer } from '../support/oauth-authorization-server';
import { oauthConfigFor } from '../support/oauth-fixture';
import { startRuntimeServer } from '../support/runtime-server';

let as: TestAuthorizationServer;
let server: WebRequestServer;
let invoker: TestToolInvoker;

beforeAll(async () => {
  as = await TestAuthorizationServer.start();
  invoker = new TestToolInvoker();
  server = await startRuntimeServer(TOOLS, {
    config: testConfig({
      authMode: 'oauth',
      oauth: oauthConfigFor(as, { algorithms: ['RS256'] }),
    }),
    sessions: new MemorySessionStore(),
    invoker,
    log: () => undefined,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await as?.close();
});

function token(claims: Record<string, unknown>): Promise<string> {
  return as.sign({ iss: as.issuer, aud: server.url.href, scope: 'mcp:tools', ...claims });
}

async function post(bearer: string, body: unknown, sessionId?: string): Promise<Response> {
  return fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'accept': ACCEPT_BOTH,
      'authorization': `Bearer ${bearer}`,
      ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' } : {}),
    },
    body: JSON.stringify(body),
  });
}

async function aliceSession(): Promise<{ alice: string; sessionId: string }> {
  const alice = await token({ sub: 'alice', client_id: 'web-app' });
  const init = await post(alice, initializeMessage('2025-11-25'));
  expect(init.status).toBe(200);
  const sessionId = init.headers.get('mcp-session-id')!;
  await init.text();
  const initialized = await post(alice, { jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId);
  expect(initialized.status).toBe(202);
  return { alice, sessionId };
}

describe('a session belongs to one namespaced principal', () => {
  test('a token with no sub whose client_id spells the owner\'s sub gets 404 on the owner\'s session', async () => {
    const { alice, sessionId } = await aliceSession();
    const impostor = await token({ client_id: 'alice' });
    const res = await post(impostor, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } }, sessionId);
    expect(res.status).toBe(404);
    await res.text();
    // The owner still uses it.
    const own = await post(alice, { jsonrpc: '2.0', id: 3, method: 'ping' }, sessionId);
    expect(own.status).toBe(200);
    await own.text();
  });

  test('regression: another user\'s token (another sub) gets 404', async () => {
    const { sessionId } = await aliceSession();
    const bob = await token({ sub: 'bob' });
    const res = await post(bob, { jsonrpc: '2.0', id: 2, method: 'ping' }, sessionId);
    expect(res.status).toBe(404);
    await res.text();
  });

  test('the same sub with another client_id is the same user (a sub names the user)', async () => {
    const { sessionId } = await aliceSession();
    const other = await token({ sub: 'alice', client_id: 'cli' });
    const res = await post(other, { jsonrpc: '2.0', id: 2, method: 'ping' }, sessionId);
    expect(res.status).toBe(200);
    await res.text();
  });

  test('a tool sees a key that tells a client from a user; the id stays what the token says', async () => {
    const client = await token({ client_id: 'alice' });
    const init = await post(client, initializeMessage('2025-11-25'));
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    await (await post(client, { jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)).text();
    const call = await post(client, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } }, sessionId);
    expect(call.status).toBe(200);
    await call.text();
    expect(invoker.events.at(-1)!.context.principal).toMatchObject({
      kind: 'oauth', id: 'alice', key: `oauth:client:${as.issuer.replace(/:/g, '%3A')}:alice`,
    });
  });
});

describe('principal keys never collide across kinds and issuers', () => {
  const principals = [
    { kind: 'oauth', id: 'alice', key: namespacedPrincipalKey('oauth', 'sub', 'https://a.example', 'alice') },
    { kind: 'oauth', id: 'alice', key: namespacedPrincipalKey('oauth', 'client', 'https://a.example', 'alice') },
    { kind: 'oauth', id: 'alice', key: namespacedPrincipalKey('oauth', 'sub', 'https://b.example', 'alice') },
    { kind: 'oauth', id: 'b.example:alice', key: namespacedPrincipalKey('oauth', 'sub', 'https://a', 'b.example:alice') },
    { kind: 'iam', id: 'alice' },
    { kind: 'bearer', id: 'alice' },
    { kind: 'local', id: 'alice' },
    // A record written before keys existed derives `oauth:unkeyed:alice`: equal to no new key.
    { kind: 'oauth', id: 'alice' },
    // An id that tries to forge the separator is escaped.
    { kind: 'iam', id: 'x:y' },
    { kind: 'iam:x', id: 'y' },
  ];

  test('every pair of distinct principals has distinct keys, session checks and task owners', () => {
    const keys = principals.map(principalKey);
    expect(new Set(keys).size).toBe(principals.length);
    const owners = principals.map((p) => taskOwner(p, 'session-1'));
    expect(new Set(owners).size).toBe(principals.length);
    for (const [i, a] of principals.entries()) {
      for (const [j, b] of principals.entries()) expect(samePrincipal(a, b)).toBe(i === j);
    }
  });

  test('a tool event carries kind, id, claims and key, nothing else the http layer held', () => {
    const principal = { kind: 'oauth', id: 'alice', claims: { scope: 'a' }, key: 'oauth:sub:i:alice', token: 'secret' } as never;
    expect(eventContext({ requestId: 'r', protocolVersion: '2025-11-25', principal }).principal)
      .toEqual({ kind: 'oauth', id: 'alice', claims: { scope: 'a' }, key: 'oauth:sub:i:alice' });
  });
});
