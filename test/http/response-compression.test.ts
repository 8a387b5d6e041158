/**
 * Response compression (docs/operations.md, "Response compression"): RFC 9110 Accept-Encoding negotiation with q-values,
 * and, over real HTTP through the Lambda handler and the awslambda shim, large JSON
 * answers compressed with Content-Encoding and Vary, SSE never compressed, and the
 * official SDK clients (whose fetch sends Accept-Encoding and decodes transparently)
 * working against it.
 */
import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  chooseEncoding, COMPRESSION_THRESHOLD_BYTES, compressResponse, varyWith,
} from '../../lambda-src/http/response-compression';
import type { FunctionTarget, ToolItem } from '../../lambda-src/model/registry-item';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import type { InvokeOptions, InvokeOutcome, ToolInvoker } from '../../lambda-src/tools/tool-invoker';
import { startHandlerHttpServer, type HandlerHttpServer } from '../ops/handler-http-server';
import { ACCEPT_BOTH, initializeMessage, modernMeta, testConfig } from '../protocol/endpoint-fixture';

describe('Accept-Encoding negotiation (RFC 9110 §12.5.3)', () => {
  test.each([
    [null, undefined, true],
    ['', undefined, true],
    ['gzip', 'gzip', true],
    ['br', 'br', true],
    ['gzip, deflate, br', 'br', true],
    ['gzip;q=1.0, br;q=0.5', 'gzip', true],
    ['br;q=0, gzip', 'gzip', true],
    ['x-gzip', 'gzip', true],
    ['deflate', undefined, true],
    ['*', 'br', true],
    ['*;q=0.5, br;q=0', 'gzip', true],
    ['gzip;q=0, br;q=0', undefined, true],
    ['identity;q=0, gzip', 'gzip', false],
    ['*;q=0', undefined, false],
    ['*;q=0, identity', undefined, true],
    ['GZIP; Q=0.8', 'gzip', true],
    ['gzip;q=abc', undefined, true],
  ])('%j -> %s (identity allowed: %s)', (header, coding, identityAllowed) => {
    expect(chooseEncoding(header)).toEqual({ ...(coding ? { coding } : {}), identityAllowed });
  });

  test('Vary gains Accept-Encoding once, after what is there', () => {
    expect(varyWith(null, 'Accept-Encoding')).toBe('Accept-Encoding');
    expect(varyWith('Origin', 'Accept-Encoding')).toBe('Origin, Accept-Encoding');
    expect(varyWith('origin, accept-encoding', 'Accept-Encoding')).toBe('origin, accept-encoding');
    expect(varyWith('*', 'Accept-Encoding')).toBe('*');
  });
});

describe('compressResponse', () => {
  const big = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ id: i, text: `item number ${i}` })) });
  const json = (body: string, headers: Record<string, string> = {}) => new Response(body, { status: 200, headers: { 'content-type': 'application/json', ...headers } });

  test('a JSON body over the threshold is compressed, with Content-Encoding and Vary', async () => {
    const res = await compressResponse(json(big, { 'content-length': String(big.length), 'vary': 'Origin' }), 'gzip');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('vary')).toBe('Origin, Accept-Encoding');
    expect(res.headers.get('content-length')).toBeNull();
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBeLessThan(big.length / 3);
    expect(gunzipSync(bytes).toString()).toBe(big);
  });

  test('brotli when preferred', async () => {
    const res = await compressResponse(json(big), 'gzip;q=0.5, br');
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(big);
  });

  test('a body under the threshold is not compressed, but still varies', async () => {
    const small = '{"jsonrpc":"2.0","id":1,"result":{}}';
    expect(small.length).toBeLessThan(COMPRESSION_THRESHOLD_BYTES);
    const res = await compressResponse(json(small), 'gzip, br');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    expect(await res.text()).toBe(small);
  });

  test('identity;q=0: even a small body is compressed when a coding is accepted', async () => {
    const res = await compressResponse(json('{"a":1}'), 'identity;q=0, gzip');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await res.arrayBuffer())).toString()).toBe('{"a":1}');
  });

  test('no Accept-Encoding, or none we speak: sent as it is', async () => {
    for (const accept of [null, 'deflate', 'gzip;q=0']) {
      const res = await compressResponse(json(big), accept);
      expect(res.headers.get('content-encoding')).toBeNull();
      expect(await res.text()).toBe(big);
    }
  });

  test('an event stream, a non-JSON body and an encoded body are left alone', async () => {
    const sse = new Response(`data: ${big}\n\n`, { headers: { 'content-type': 'text/event-stream' } });
    expect(await compressResponse(sse, 'gzip')).toBe(sse);
    const text = new Response(big, { headers: { 'content-type': 'text/plain' } });
    expect(await compressResponse(text, 'gzip')).toBe(text);
    const encoded = json(big, { 'content-encoding': 'gzip' });
    expect(await compressResponse(encoded, 'gzip')).toBe(encoded);
  });

  test('the status is kept', async () => {
    const res = await compressResponse(new Response(big, { status: 404, headers: { 'content-type': 'application/json' } }), 'br');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-encoding')).toBe('br');
  });
});

/** A tool whose result is ~200 KB of JSON, and an echo. */
const BIG_TEXT = Array.from({ length: 4000 }, (_, i) => `row ${i}: the quick brown fox jumps over the lazy dog`).join('\n');
const TOOLS: ToolItem[] = [
  { type: 'tool', name: 'big', description: 'A large result', inputSchema: { type: 'object' }, lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:big' },
  {
    type: 'tool',
    name: 'echo',
    description: 'Echo',
    inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
  },
];
class BigInvoker implements ToolInvoker {
  async invoke(_target: FunctionTarget, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome> {
    const e = event as { tool: string; arguments: { message?: string } };
    // Progress makes the server answer a request that asked for it as an event stream.
    options?.onProgress?.({ progress: 1, total: 1 });
    if (e.tool === 'big') return { ok: true, payload: { content: [{ type: 'text', text: BIG_TEXT }] } };
    return { ok: true, payload: { content: [{ type: 'text', text: String(e.arguments.message) }] } };
  }
}

describe('over HTTP, through the Lambda handler', () => {
  let server: HandlerHttpServer;
  const logs: Array<Record<string, any>> = [];

  beforeAll(async () => {
    const registryStore = new MemoryRegistryStore();
    for (const tool of TOOLS) await registryStore.put(tool);
    server = await startHandlerHttpServer({
      config: testConfig({ serverName: 'compression-test' }),
      sessions: new MemorySessionStore(),
      registryStore,
      registry: new RegistrySource(registryStore),
      invoker: new BigInvoker(),
      log: (line) => logs.push(JSON.parse(line)),
    });
  });
  afterAll(() => server?.close());

  interface RawResponse {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }

  /** A raw POST, so the test sees the bytes on the wire (fetch would decode them). */
  function rawPost(body: unknown, headers: Record<string, string>): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }

  const modernCall = (name: string) => ({
    jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: { message: 'hi' }, _meta: modernMeta() },
  });
  const modernHeaders = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'big' };

  test('a large JSON answer is gzip-compressed on the wire and decodes to the result', async () => {
    const res = await rawPost(modernCall('big'), { ...modernHeaders, 'accept': ACCEPT_BOTH, 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    const json = JSON.parse(gunzipSync(res.body).toString());
    expect(json.result.content[0].text).toBe(BIG_TEXT);
    // JSON of repetitive text: far smaller on the wire.
    expect(res.body.length).toBeLessThan(BIG_TEXT.length / 5);
    expect(logs.filter((l) => l.message === 'http request').at(-1)).toMatchObject({ status: 200, contentEncoding: 'gzip', mcpMethod: 'tools/call', tool: 'big' });
  });

  test('brotli when the client prefers it; nothing without Accept-Encoding', async () => {
    const br = await rawPost(modernCall('big'), { ...modernHeaders, 'accept': ACCEPT_BOTH, 'accept-encoding': 'gzip;q=0.5, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(JSON.parse(brotliDecompressSync(br.body).toString()).result.content[0].text).toBe(BIG_TEXT);

    const plain = await rawPost(modernCall('big'), { ...modernHeaders, accept: ACCEPT_BOTH });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString()).result.content[0].text).toBe(BIG_TEXT);
  });

  test('a small answer is not compressed', async () => {
    const res = await rawPost(modernCall('echo'), { ...modernHeaders, 'mcp-name': 'echo', 'accept': ACCEPT_BOTH, 'accept-encoding': 'gzip, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(JSON.parse(res.body.toString()).result.content[0].text).toBe('hi');
  });

  test('an SSE answer is never compressed', async () => {
    const init = await rawPost(initializeMessage('2025-11-25'), { 'accept': ACCEPT_BOTH, 'accept-encoding': 'gzip, br' });
    const sessionId = init.headers['mcp-session-id'] as string;
    expect(sessionId).toBeTruthy();
    const headers = { 'accept': ACCEPT_BOTH, 'accept-encoding': 'gzip, br', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    await rawPost({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
    const res = await rawPost({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'big', arguments: {}, _meta: { progressToken: 'p-1' } } }, headers);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.toString()).toContain('notifications/progress');
    expect(res.body.toString()).toContain('row 3999: the quick brown fox');
    // The same request without a progress token is answered as JSON, and compressed.
    const json = await rawPost({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'big', arguments: {} } }, headers);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.headers['content-encoding']).toBe('br');
  });

  test('SDK v2 (2026-07-28) sends Accept-Encoding, receives the large result compressed, and reads it', async () => {
    const client = new ClientV2({ name: 'v2-compression', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new TransportV2(server.url));
    try {
      const before = server.requests.length;
      const result = await client.callTool({ name: 'big', arguments: {} });
      expect((result.content as Array<{ text: string }>)[0].text).toBe(BIG_TEXT);
      const sent = server.requests.slice(before);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((h) => /gzip|br/.test(String(h['accept-encoding'])))).toBe(true);
      const line = logs.filter((l) => l.message === 'http request' && l.tool === 'big').at(-1);
      // The SDK accepts JSON or SSE; this server answers a call without progress as JSON,
      // compressed in a coding the SDK's fetch offered and decoded.
      expect(line).toMatchObject({ protocolVersion: '2026-07-28', contentEncoding: expect.stringMatching(/^(gzip|br)$/) });
      expect(line!.streamed).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  test('SDK v1 (a 2025-11-25 session) likewise works against it', async () => {
    const transport = new TransportV1(server.url);
    const client = new ClientV1({ name: 'v1-compression', version: '1.0.0' });
    await client.connect(transport);
    try {
      const before = server.requests.length;
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toEqual(['big', 'echo']);
      const result = await client.callTool({ name: 'big', arguments: {} });
      expect((result.content as Array<{ text: string }>)[0].text).toBe(BIG_TEXT);
      expect(server.requests.slice(before).every((h) => /gzip|br/.test(String(h['accept-encoding'])))).toBe(true);
      const line = logs.filter((l) => l.message === 'http request' && l.tool === 'big').at(-1);
      expect(line).toMatchObject({ protocolVersion: '2025-11-25', contentEncoding: expect.stringMatching(/^(gzip|br)$/) });
    } finally {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    }
  });
});
