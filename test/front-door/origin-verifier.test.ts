/**
 * The handler's check of the CloudFront front door's secret header, with the secret
 * source as the seam (SecretsManagerTokenSource itself is tested against a local
 * Secrets Manager endpoint in test/auth/shared-token-authenticator.test.ts).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHttpApp } from '../../lambda-src/http/http-app';
import { OriginVerifier } from '../../lambda-src/http/origin-verifier';
import { SecretsManagerTokenSource } from '../../lambda-src/http/secrets-manager-token-source';
import type { TokenSource } from '../../lambda-src/http/shared-token-authenticator';
import { FakeSecretsManager } from '../support/fake-secrets-manager';

class Secrets implements TokenSource {
  reads = 0;
  constructor(public values: string[], private readonly failing = false) {}
  async tokens(): Promise<readonly string[]> {
    this.reads++;
    if (this.failing) throw new Error('secrets manager is unreachable');
    return this.values;
  }
}

function request(headers: Record<string, string>, body?: string): Request {
  return new Request('https://abc.lambda-url.eu-west-1.on.aws/mcp?x=1', {
    method: body === undefined ? 'GET' : 'POST', headers, ...(body === undefined ? {} : { body }),
  });
}

test('a request without the header, or with a wrong value, is refused with 403 before anything runs', async () => {
  const verifier = new OriginVerifier(new Secrets(['s3cret-value']));
  for (const headers of [{}, { 'x-mcp-origin-verify': 'guess' }, { 'x-mcp-origin-verify': 's3cret-valu' }] as Array<Record<string, string>>) {
    const result = await verifier.verify(request(headers));
    expect(result.ok).toBe(false);
    if (result.ok) continue;
    expect(result.response.status).toBe(403);
    expect((await result.response.json()).error.message).toMatch(/through its CloudFront distribution/);
  }
});

test('the right value passes, and the URL takes the host the client used at the front door', async () => {
  const verifier = new OriginVerifier(new Secrets(['old', 's3cret-value']));
  const result = await verifier.verify(request({ 'x-mcp-origin-verify': 's3cret-value', 'x-mcp-forwarded-host': 'mcp.example.com' }, '{"a":1}'));
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.request.url).toBe('https://mcp.example.com/mcp?x=1');
  expect(result.request.method).toBe('POST');
  expect(await result.request.text()).toBe('{"a":1}');
});

test('a forwarded host that is not a plain host name is ignored', async () => {
  const verifier = new OriginVerifier(new Secrets(['v']));
  const result = await verifier.verify(request({ 'x-mcp-origin-verify': 'v', 'x-mcp-forwarded-host': 'evil.example/path@x' }));
  expect(result.ok && result.request.url).toBe('https://abc.lambda-url.eu-west-1.on.aws/mcp?x=1');
});

test('a value rotated since the cached read is found by one refresh', async () => {
  const secrets = new Secrets(['before']);
  const verifier = new OriginVerifier({
    tokens: async (options) => (options?.refresh ? ['after'] : secrets.tokens()),
  });
  expect((await verifier.verify(request({ 'x-mcp-origin-verify': 'after' }))).ok).toBe(true);
});

test('when the secret cannot be read the answer is 503 with Retry-After, not a refusal or a pass', async () => {
  const verifier = new OriginVerifier(new Secrets([], true));
  const result = await verifier.verify(request({ 'x-mcp-origin-verify': 'anything' }));
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.response.status).toBe(503);
  expect(result.response.headers.get('retry-after')).toBe('5');
});

describe('in the http app, with the real Secrets Manager client', () => {
  test('a request around CloudFront is refused before the endpoint sees it; one through it is served on the front door host', async () => {
    const secrets = await FakeSecretsManager.start();
    try {
      secrets.put('origin-verify', 'cf-secret-48-chars');
      const client = new SecretsManagerClient({ region: 'eu-west-1', endpoint: secrets.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
      const seen: Request[] = [];
      const app = createHttpApp({
        config: { allowedOrigins: [], maxBodyBytes: 4096, authMode: 'none' },
        endpoint: { handle: async (r: Request) => { seen.push(r); return new Response('{"jsonrpc":"2.0","id":1,"result":{}}', { headers: { 'content-type': 'application/json' } }); } },
        originVerifier: new OriginVerifier(new SecretsManagerTokenSource({ secretId: 'origin-verify', acceptPrevious: true, client })),
        log: () => undefined,
      });
      const ctx = { requestId: 'r', signal: new AbortController().signal, deadline: Date.now() + 60_000 };
      const post = (headers: Record<string, string>) => new Request('https://abc.lambda-url.eu-west-1.on.aws/mcp', {
        method: 'POST', headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', ...headers }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      });
      expect((await app.handle(post({}), ctx)).status).toBe(403);
      expect(seen).toHaveLength(0);
      const ok = await app.handle(post({ 'x-mcp-origin-verify': 'cf-secret-48-chars', 'x-mcp-forwarded-host': 'mcp.example.com' }), ctx);
      expect(ok.status).toBe(200);
      expect(seen.map((r) => new URL(r.url).host)).toEqual(['mcp.example.com']);
      expect(secrets.requests.map((r) => r.VersionStage)).toEqual(expect.arrayContaining(['AWSCURRENT', 'AWSPREVIOUS']));
    } finally {
      await secrets.close();
    }
  });
});
