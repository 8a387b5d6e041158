/**
 * Auth mode `bearer`: the real Secrets Manager client against a local server speaking
 * its JSON protocol, behind the http app. Accepts the current token, refuses others with
 * 401 and a Bearer challenge, follows a rotation at once, never accepts AWSPENDING, and
 * keeps serving when Secrets Manager fails after a first read.
 */
import { createHttpApp } from '../../lambda-src/http/http-app';
import { SecretsManagerTokenSource } from '../../lambda-src/http/secrets-manager-token-source';
import { SharedTokenAuthenticator } from '../../lambda-src/http/shared-token-authenticator';
import type { RequestContext } from '../../lambda-src/model/request-context';
import type { McpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';
import { useBearerSecretFixture } from '../support/bearer-secret-fixture';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:mcp-token-AbCdEf';
const TOKEN = 'tok_current_0123456789abcdefghijklmnopqrstuvwxyz';

const secrets = useBearerSecretFixture();

class PrincipalEcho implements McpEndpoint {
  readonly contexts: RequestContext[] = [];
  async handle(_request: Request, ctx: RequestContext): Promise<Response> {
    this.contexts.push(ctx);
    return Response.json({ jsonrpc: '2.0', id: 1, result: {} });
  }
}

let clock = 1_000_000;
function setup(secretId: string, options: { acceptPrevious?: boolean } = {}) {
  const source = new SecretsManagerTokenSource({ secretId, client: secrets.client, cacheSeconds: 60, now: () => clock, ...options });
  const endpoint = new PrincipalEcho();
  const logs: string[] = [];
  const app = createHttpApp({
    config: { allowedOrigins: [], maxBodyBytes: 1024, authMode: 'bearer' },
    endpoint,
    authenticator: new SharedTokenAuthenticator(source),
    log: (l) => logs.push(l),
  });
  const call = (authorization?: string) => app.handle(new Request('https://fn.lambda-url.eu-west-1.on.aws/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
  }), { requestId: 'r', signal: new AbortController().signal, deadline: Date.now() + 60_000 });
  return { call, endpoint, logs };
}

let n = 0;
function freshSecret(value = TOKEN): string {
  const id = `${SECRET}-${++n}`;
  secrets.server.put(id, value);
  return id;
}

test('the current token is accepted; the principal is the shared-token holder; the token is not logged', async () => {
  const { call, endpoint, logs } = setup(freshSecret());
  const res = await call(`Bearer ${TOKEN}`);
  expect(res.status).toBe(200);
  expect(endpoint.contexts[0].principal).toEqual({ kind: 'bearer', id: 'shared-token' });
  expect(logs.join('\n')).not.toContain(TOKEN);
});

test.each([
  ['no Authorization header', undefined, 'Bearer realm="mcp"'],
  ['another scheme', `Basic ${Buffer.from('u:p').toString('base64')}`, 'Bearer realm="mcp"'],
  ['a wrong token', 'Bearer tok_wrong', 'Bearer realm="mcp", error="invalid_token", error_description="the bearer token is not valid"'],
  ['a prefix of the token', `Bearer ${TOKEN.slice(0, 10)}`, 'Bearer realm="mcp", error="invalid_token", error_description="the bearer token is not valid"'],
])('%s: 401 with a Bearer challenge', async (_name, authorization, challenge) => {
  const { call, endpoint } = setup(freshSecret());
  const res = await call(authorization);
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe(challenge);
  expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
  expect(endpoint.contexts).toHaveLength(0);
});

test('a secret holding {"token": ...} JSON is read as that token', async () => {
  const { call } = setup(freshSecret(JSON.stringify({ token: 'tok_from_json' })));
  expect((await call('Bearer tok_from_json')).status).toBe(200);
});

test('the secret is read once and cached; a rotated token works at once, the old one stops', async () => {
  const id = freshSecret();
  const { call } = setup(id);
  const reads = () => secrets.server.requests.filter((r) => r.SecretId === id).length;
  expect((await call(`Bearer ${TOKEN}`)).status).toBe(200);
  expect((await call(`Bearer ${TOKEN}`)).status).toBe(200);
  expect(reads()).toBe(1);

  secrets.server.rotate(id, 'tok_rotated');
  clock += 10_000; // older than the refresh floor, younger than the cache TTL
  expect((await call('Bearer tok_rotated')).status).toBe(200);
  expect(reads()).toBe(2);
  expect((await call(`Bearer ${TOKEN}`)).status).toBe(401);
});

test('bad tokens do not make every request read the secret (refresh floor per token, bounded reads)', async () => {
  const id = freshSecret();
  const { call } = setup(id);
  for (let i = 0; i < 5; i++) expect((await call('Bearer wrong')).status).toBe(401);
  expect(secrets.server.requests.filter((r) => r.SecretId === id)).toHaveLength(1);
  for (let i = 0; i < 20; i++) expect((await call(`Bearer wrong-${i}`)).status).toBe(401);
  // At most 5 re-reads per 5 s interval, however many distinct bad tokens.
  expect(secrets.server.requests.filter((r) => r.SecretId === id)).toHaveLength(6);
});

test('AWSPENDING is never accepted; AWSPREVIOUS only with acceptPrevious', async () => {
  const id = freshSecret();
  secrets.server.stagePending(id, 'tok_pending');
  clock += 120_000;
  expect((await setup(id).call('Bearer tok_pending')).status).toBe(401);
  expect(secrets.server.requests.some((r) => r.SecretId === id && r.VersionStage === 'AWSPENDING')).toBe(false);

  secrets.server.rotate(id, 'tok_new');
  clock += 120_000;
  expect((await setup(id).call(`Bearer ${TOKEN}`)).status).toBe(401);
  const lenient = setup(id, { acceptPrevious: true });
  expect((await lenient.call(`Bearer ${TOKEN}`)).status).toBe(200);
  expect((await lenient.call('Bearer tok_new')).status).toBe(200);
});

test('acceptPrevious on a never-rotated secret (no AWSPREVIOUS) still works', async () => {
  const { call } = setup(freshSecret(), { acceptPrevious: true });
  expect((await call(`Bearer ${TOKEN}`)).status).toBe(200);
});

test('Secrets Manager failing: 503 before any read, the cached token after one', async () => {
  const id = freshSecret();
  const fresh = setup(id);
  const warm = setup(id);
  expect((await warm.call(`Bearer ${TOKEN}`)).status).toBe(200);
  secrets.server.failWith = 'InternalServiceError';
  try {
    const cold = await fresh.call(`Bearer ${TOKEN}`);
    expect(cold.status).toBe(503);
    expect(cold.headers.get('retry-after')).toBe('5');
    clock += 120_000;
    expect((await warm.call(`Bearer ${TOKEN}`)).status).toBe(200);
  } finally {
    secrets.server.failWith = undefined;
  }
});
