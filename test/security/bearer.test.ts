/**
 * Auth mode `bearer` under hostile clients: the real Secrets Manager client against a
 * local server speaking its JSON protocol (test/support/fake-secrets-manager.ts), behind
 * the http app and the authenticator the handler builds.
 *
 * Before: a secret whose value was `{}` or `{"token":""}` accepted exactly that string
 * as the token; and after any wrong token, a freshly rotated token got 401 for up to 5 s
 * (the wrong token had spent the refresh floor).
 */
import { createHttpApp } from '../../lambda-src/http/http-app';
import { SecretsManagerTokenSource } from '../../lambda-src/http/secrets-manager-token-source';
import { SharedTokenAuthenticator } from '../../lambda-src/http/shared-token-authenticator';
import type { McpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';
import { useBearerSecretFixture } from '../support/bearer-secret-fixture';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:security-token';
const TOKEN = 'tok_security_0123456789abcdefghijklmnopqrstuvwxyz';

const secrets = useBearerSecretFixture();

const endpoint: McpEndpoint = { handle: async () => Response.json({ jsonrpc: '2.0', id: 1, result: {} }) };
let clock = 5_000_000;
let n = 0;

function setup(value: string) {
  const secretId = `${SECRET}-${++n}`;
  secrets.server.put(secretId, value);
  const logs: string[] = [];
  const app = createHttpApp({
    config: { allowedOrigins: [], maxBodyBytes: 1024, authMode: 'bearer' },
    endpoint,
    authenticator: new SharedTokenAuthenticator(
      new SecretsManagerTokenSource({ secretId, client: secrets.client, cacheSeconds: 60, now: () => clock }),
    ),
    log: (line) => logs.push(line),
  });
  const call = (token: string) => app.handle(new Request('https://fn.lambda-url.eu-west-1.on.aws/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}` },
    body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
  }), { requestId: 'r', signal: new AbortController().signal, deadline: Date.now() + 60_000 });
  const reads = () => secrets.server.requests.filter((r) => r.SecretId === secretId).length;
  return { secretId, call, logs, reads };
}

describe('a secret without a usable token fails closed', () => {
  test.each([
    ['{}', '{}'],
    ['{"token":""}', '{"token":""}'],
    ['{"token":"   "}', '{"token":"'],
    ['{"token":5}', '{"token":5}'],
    ['{"other":"x"}', '{"other":"x"}'],
  ])('secret %s, client sends %s: 500, and the log says why', async (value, sent) => {
    const { call, logs } = setup(value);
    const res = await call(sent);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('token');
    const line = logs.map((l) => JSON.parse(l) as { message?: string; status: number; error: { message: string } })
      .find((l) => l.message === 'http request')!;
    expect(line.status).toBe(500);
    expect(line.error.message).toMatch(/holds no usable token: the value is a JSON object without a non-empty "token" string/);
  });

  test('a secret changed to {} after a good value: refused once the cache expires, the old token too', async () => {
    const { secretId, call } = setup(TOKEN);
    expect((await call(TOKEN)).status).toBe(200);
    secrets.server.rotate(secretId, '{}');
    clock += 61_000;
    expect((await call(TOKEN)).status).toBe(500);
    expect((await call('{}')).status).toBe(500);
  });

  test('regression: a plain token and {"token": ...} are accepted', async () => {
    expect((await setup(TOKEN).call(TOKEN)).status).toBe(200);
    expect((await setup(JSON.stringify({ token: TOKEN })).call(TOKEN)).status).toBe(200);
    // A value that starts with { but is not JSON is a token like any other.
    expect((await setup('{not-json').call('{not-json')).status).toBe(200);
  });
});

describe('rotation works at once, whatever wrong tokens were sent', () => {
  test('a wrong token, then a rotation, then the new token within the same second: 200', async () => {
    const { secretId, call } = setup(TOKEN);
    expect((await call(TOKEN)).status).toBe(200);
    clock += 10_000;
    expect((await call('attacker-guess')).status).toBe(401);
    secrets.server.rotate(secretId, 'tok_rotated');
    clock += 100;
    expect((await call('tok_rotated')).status).toBe(200);
    expect((await call(TOKEN)).status).toBe(401);
  });

  test('an attacker repeating one wrong token costs no reads past the first; the new token still reads', async () => {
    const { secretId, call, reads } = setup(TOKEN);
    expect((await call(TOKEN)).status).toBe(200);
    for (let i = 0; i < 50; i++) expect((await call('attacker-same')).status).toBe(401);
    expect(reads()).toBe(2);
    secrets.server.rotate(secretId, 'tok_rotated_2');
    expect((await call('tok_rotated_2')).status).toBe(200);
    expect(reads()).toBe(3);
  });

  test('a flood of distinct wrong tokens costs at most 5 reads per 5 s interval', async () => {
    const { call, reads } = setup(TOKEN);
    expect((await call(TOKEN)).status).toBe(200);
    for (let i = 0; i < 100; i++) expect((await call(`flood-${i}`)).status).toBe(401);
    expect(reads()).toBe(1 + 5);
    clock += 5_000;
    for (let i = 0; i < 100; i++) expect((await call(`flood-again-${i}`)).status).toBe(401);
    expect(reads()).toBe(1 + 10);
  });
});
