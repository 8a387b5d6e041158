/**
 * `mcp-lambda-server proxy` end to end: the bundled CLI (bin/mcp-lambda-server.js, as a
 * desktop client spawns it) between the official SDK v1 client and the real endpoint,
 * behind a local HTTP server that does what a Function URL with AuthType AWS_IAM does:
 * it recomputes each request's SigV4 signature with the AWS SDK's own signer and refuses
 * (HTTP 403, AWS's body) any request whose signature does not match.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
// The v1 SDK resolves through its package "exports" map, which eslint's import resolver does not read.
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioClientTransportV2 } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// eslint-disable-next-line import/no-unresolved
import { ProgressNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createSigningFetch } from '../../lambda-src/local/signing-proxy';
import { createMcpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { ALICE, testConfig, TestToolInvoker, TOOLS } from '../protocol/endpoint-fixture';
import { startWebRequestServer, type WebRequestServer } from '../protocol/web-request-server';

const BIN = join(__dirname, '../../bin/mcp-lambda-server.js');
const KEY = { accessKeyId: 'AKIDPROXYTEST', secretAccessKey: 'proxy-test-secret', sessionToken: 'proxy-test-token' };
const REGION = 'eu-west-1';

interface Seen {
  readonly method: string;
  readonly verified: boolean;
  readonly reason?: string;
  readonly sessionId?: string;
  readonly rpcMethod?: string;
}

let server: WebRequestServer;
let seen: Seen[];

/**
 * What the Function URL checks: the Authorization header's scope (service lambda, our
 * region, a known key), the body's hash, and the signature itself, recomputed over the
 * signed headers with the AWS SDK's SignatureV4 at the request's own X-Amz-Date.
 */
async function verifySigV4(request: Request, body: Uint8Array): Promise<string | undefined> {
  const authorization = request.headers.get('authorization');
  if (!authorization) return 'no Authorization header';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!m) return `malformed Authorization: ${authorization}`;
  const [, keyId, , region, service, signedHeaders] = m;
  if (keyId !== KEY.accessKeyId) return `unknown access key ${keyId}`;
  if (service !== 'lambda' || region !== REGION) return `wrong scope ${region}/${service}`;
  if (request.headers.get('x-amz-security-token') !== KEY.sessionToken) return 'missing or wrong session token';
  const hash = createHash('sha256').update(body).digest('hex');
  if (request.headers.get('x-amz-content-sha256') !== hash) return 'the body does not match x-amz-content-sha256';
  const names = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) if (!names.includes(required)) return `${required} is not signed`;
  const headers: Record<string, string> = {};
  for (const name of names) headers[name] = request.headers.get(name) ?? '';
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(headers['x-amz-date']);
  if (!date) return 'bad x-amz-date';
  const url = new URL(request.url);
  const signer = new SignatureV4({ service: 'lambda', region: REGION, credentials: KEY, sha256: Sha256 });
  const expected = await signer.sign({
    method: request.method,
    protocol: 'http:',
    hostname: url.hostname,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: body.length > 0 ? body : undefined,
  }, { signingDate: new Date(Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6])) });
  return expected.headers.authorization === authorization ? undefined : 'The request signature we calculated does not match the signature you provided.';
}

beforeAll(async () => {
  const registryStore = new MemoryRegistryStore();
  for (const tool of TOOLS) await registryStore.put(tool);
  const endpoint = createMcpEndpoint({
    config: testConfig(),
    sessions: new MemorySessionStore(),
    registry: new RegistrySource(registryStore),
    invoker: new TestToolInvoker(),
    options: { log: () => undefined },
  });
  server = await startWebRequestServer(async (request, ctx) => {
    const body = new Uint8Array(await request.clone().arrayBuffer());
    const reason = await verifySigV4(request, body);
    let rpcMethod: string | undefined;
    try {
      rpcMethod = JSON.parse(new TextDecoder().decode(body)).method;
    } catch {
      rpcMethod = undefined;
    }
    seen.push({ method: request.method, verified: reason === undefined, reason, sessionId: request.headers.get('mcp-session-id') ?? undefined, rpcMethod });
    if (reason !== undefined) {
      // A Function URL's answer to a bad signature.
      return new Response(JSON.stringify({ Message: reason }), { status: 403, headers: { 'content-type': 'application/json' } });
    }
    return endpoint.handle(request, ctx);
  }, { context: () => ({ principal: ALICE }) });
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  seen = [];
  if (!existsSync(join(__dirname, '../../assets/cli/index.js'))) throw new Error('assets/cli/index.js is missing: run `npx projen bundle:handler` first');
});

/** An environment in which the default chain finds exactly what is given (no profile, no instance role). */
function awsEnv(extra: Record<string, string>): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'mcp-proxy-home-'));
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

const GOOD_KEYS = { AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey, AWS_SESSION_TOKEN: KEY.sessionToken };

function stdioProxy(env: Record<string, string>, args: string[] = []): { transport: StdioClientTransport; stderr: () => string } {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'proxy', '--url', server.url.href, '--region', REGION, ...args],
    env,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  return { transport, stderr: () => err };
}

test('over stdio: lists and calls tools, progress streams through, one session id, every request signed', async () => {
  const { transport } = stdioProxy(awsEnv(GOOD_KEYS));
  const client = new Client({ name: 'desktop-client', version: '1.0.0' });
  await client.connect(transport);
  expect(client.getServerVersion()).toMatchObject({ name: 'protocol-test' });

  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual(['count', 'echo']);
  const echo = await client.callTool({ name: 'echo', arguments: { message: 'through the proxy' } });
  expect(echo.content).toEqual([{ type: 'text', text: 'through the proxy' }]);

  // Every progress notification is recorded here, not through the request's onprogress: the v1
  // client drops a progress notification that reaches it in the same read as the result
  // (it handles notifications a microtask later than responses), and a pipe may coalesce them.
  const progress: unknown[] = [];
  client.setNotificationHandler(ProgressNotificationSchema, (n) => {
    progress.push(n.params);
  });
  const counted = await client.callTool({ name: 'count', arguments: { steps: 3 } }, undefined, { onprogress: () => undefined });
  expect(counted.content).toEqual([{ type: 'text', text: 'counted to 3' }]);
  await waitFor(() => progress.length === 3);
  expect(progress).toEqual([1, 2, 3].map((i) => expect.objectContaining({ progress: i, total: 3, message: `step ${i}` })));

  await client.close();
  // Closing stdin makes the proxy end the session on the endpoint.
  await waitFor(() => seen.some((s) => s.method === 'DELETE'));

  expect(seen.length).toBeGreaterThanOrEqual(5);
  expect(seen.filter((s) => !s.verified)).toEqual([]);
  const ids = new Set(seen.filter((s) => s.rpcMethod !== 'initialize').map((s) => s.sessionId));
  expect(ids.size).toBe(1);
  expect([...ids][0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(seen.map((s) => s.rpcMethod ?? s.method)).toEqual(expect.arrayContaining(['initialize', 'notifications/initialized', 'tools/list', 'tools/call', 'DELETE']));
});

test('over stdio, a 2026-07-28 client (SDK v2, no initialize) lists and calls tools: the proxy writes the standard headers', async () => {
  const transport = new StdioClientTransportV2({
    command: process.execPath,
    args: [BIN, 'proxy', '--url', server.url.href, '--region', REGION],
    env: awsEnv(GOOD_KEYS),
    stderr: 'pipe',
  });
  const client = new ClientV2({ name: 'modern-desktop', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(transport);
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual(['count', 'echo']);
  const echo = await client.callTool({ name: 'echo', arguments: { message: 'modern' } });
  expect(echo.content).toEqual([{ type: 'text', text: 'modern' }]);
  await client.close();
  expect(seen.filter((s) => !s.verified)).toEqual([]);
  expect(seen.map((s) => s.rpcMethod)).toEqual(expect.arrayContaining(['tools/list', 'tools/call']));
});

test('the verifier is real: an unsigned request and a body changed after signing are refused', async () => {
  const unsigned = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(unsigned.status).toBe(403);
  const tampering: typeof fetch = (input, init) => fetch(input, { ...init, body: '{"jsonrpc":"2.0","id":9,"method":"tools/list"}' });
  const signing = createSigningFetch({ region: REGION, credentials: async () => KEY, fetch: tampering });
  const tampered = await signing(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":9,"method":"ping"}' });
  expect(tampered.status).toBe(403);
  expect(seen.map((s) => s.reason)).toEqual(['no Authorization header', 'the body does not match x-amz-content-sha256']);
});

test('a refused signature (wrong secret key) is reported to the client as a 403 refusal, saying what to check', async () => {
  const { transport, stderr } = stdioProxy(awsEnv({ ...GOOD_KEYS, AWS_SECRET_ACCESS_KEY: 'not-the-secret' }));
  const client = new Client({ name: 'desktop-client', version: '1.0.0' });
  await expect(client.connect(transport)).rejects.toThrow(/refused the signed request \(HTTP 403\).*signature we calculated does not match.*lambda:InvokeFunctionUrl/);
  await client.close();
  expect(stderr()).toMatch(/HTTP 403/);
  expect(seen.every((s) => !s.verified)).toBe(true);
});

test('missing credentials are reported to the client, naming where the chain looked and what to run', async () => {
  const { transport } = stdioProxy(awsEnv({}), ['--profile', 'nobody']);
  const client = new Client({ name: 'desktop-client', version: '1.0.0' });
  await expect(client.connect(transport)).rejects.toThrow(/no AWS credentials to sign with, from profile 'nobody'.*aws sso login --profile nobody/);
  await client.close();
  // Nothing unsigned was ever sent.
  expect(seen).toEqual([]);
});

test('--port --http-only: a local Streamable HTTP endpoint, signed upstream, SSE streamed back', async () => {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'proxy', '--url', server.url.href, '--region', REGION, '--port', '0', '--http-only'], {
    env: awsEnv(GOOD_KEYS),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/mcp) -> /.exec(err);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`proxy exited ${code}: ${err}`)));
    });
    const client = new Client({ name: 'http-client', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await client.connect(transport);
    const progress: number[] = [];
    const counted = await client.callTool({ name: 'count', arguments: { steps: 2 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(counted.content).toEqual([{ type: 'text', text: 'counted to 2' }]);
    expect(progress).toEqual([1, 2]);
    expect(transport.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await transport.terminateSession();
    await client.close();

    // A page from another origin may not use the local proxy (DNS rebinding).
    const foreign = await fetch(url, { method: 'POST', headers: { 'origin': 'https://evil.example', 'content-type': 'application/json' }, body: '{}' });
    expect(foreign.status).toBe(403);

    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen.filter((s) => !s.verified)).toEqual([]);
  } finally {
    child.kill('SIGTERM');
  }
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(check()).toBe(true);
}
