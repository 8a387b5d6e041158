/**
 * Hostile input, property-based (fast-check), against the HTTP edge and the JSON-RPC
 * layer of the real handler (Function URL events through the awslambda shim):
 * malformed and truncated JSON, deep nesting, huge strings and arrays under and over
 * the body limit, invalid UTF-8, `__proto__`/`constructor` keys, numbers out of range,
 * wrong types in every field, header injection in session ids, oversized batches,
 * unknown eras and unknown methods.
 *
 * Properties, for every input:
 * - the handler never throws out of its entry point;
 * - a client mistake never gets a 5xx (a 4xx, or a JSON-RPC error);
 * - where a JSON-RPC answer is expected it is valid JSON-RPC 2.0;
 * - a refused request leaves the stores exactly as they were.
 *
 * Runs are bounded by count (PROFILE.fuzzRuns); a failure prints fast-check's seed and
 * path. Replay one with MCP_RELIABILITY_SEED=<seed> (and the printed path in
 * MCP_RELIABILITY_PATH).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { createHarness, type Harness, type HarnessAnswer, isJsonRpcResponse, isJsonRpcServerMessage, openHarnessSession, urlEvent } from './handler-harness';
import { PROFILE, recordResult } from './reliability-profile';
import type { RegistryItem } from '../../lambda-src/model/registry-item';

jest.setTimeout(120_000);

const ITEMS: RegistryItem[] = [
  {
    type: 'tool',
    name: 'echo',
    inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'], additionalProperties: false },
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
  },
  {
    type: 'prompt',
    name: 'greet',
    arguments: [{ name: 'name', required: true, completions: ['ada', 'alan'] }],
    messages: [{ role: 'user', content: { type: 'text', text: 'Greet {{name}}' } }],
  },
  { type: 'resource', uri: 'file:///readme.md', name: 'readme', mimeType: 'text/markdown', text: '# hi' },
  { type: 'resourceTemplate', uriTemplate: 'file:///docs/{name}', name: 'docs', lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:docs' },
];

const METHODS = [
  'initialize', 'ping', 'tools/list', 'tools/call', 'prompts/list', 'prompts/get', 'resources/list', 'resources/read',
  'resources/templates/list', 'resources/subscribe', 'logging/setLevel', 'completion/complete', 'server/discover',
  'notifications/initialized', 'notifications/cancelled', 'subscriptions/listen', 'sampling/createMessage',
];

let harness: Harness;
let session2025: string;
let session2503: string;
const tally = { inputsTried: 0, properties: 0, status: {} as Record<string, number> };

beforeAll(async () => {
  harness = await createHarness(ITEMS);
  session2025 = await openHarnessSession(harness, '2025-11-25');
  session2503 = await openHarnessSession(harness, '2025-03-26');
});

afterAll(() => {
  recordResult('hostile-input', tally);
});

function fcParams(): fc.Parameters<unknown> {
  const seed = process.env.MCP_RELIABILITY_SEED;
  return {
    numRuns: PROFILE.fuzzRuns,
    ...(seed ? { seed: Number(seed), path: process.env.MCP_RELIABILITY_PATH } : {}),
    // The seed and the shrunk counterexample are in fast-check's error message.
    verbose: 1,
  };
}

/** The properties every answer must have; the stores are compared around the request. */
async function checkedSend(event: APIGatewayProxyEventV2, expectJsonRpc = true): Promise<HarnessAnswer> {
  const sessionsBefore = await harness.sessions.snapshot();
  const sessionWrites = harness.sessions.writes;
  const registryWrites = harness.registryStore.writes;
  // Throws (and fails the property) if the handler throws out of its entry point.
  const answer = await harness.send(event);
  tally.inputsTried++;
  tally.status[answer.status] = (tally.status[answer.status] ?? 0) + 1;

  if (answer.status >= 500) {
    throw new Error(`a client's input got ${answer.status}: ${answer.body.slice(0, 300)}`);
  }
  const refused = answer.status >= 400
    || (answer.messages !== undefined && answer.messages.length > 0 && answer.messages.every((m) => 'error' in m));
  if (expectJsonRpc && answer.status !== 202 && answer.body !== '') {
    if (answer.messages === undefined || answer.messages.length === 0) {
      throw new Error(`status ${answer.status}: the body is not JSON-RPC: ${answer.body.slice(0, 300)}`);
    }
    const bad = answer.messages.find((m) => !isJsonRpcServerMessage(m));
    if (bad) throw new Error(`status ${answer.status}: not a JSON-RPC message: ${JSON.stringify(bad).slice(0, 300)}`);
    if (answer.status >= 400 && !answer.messages.every(isJsonRpcResponse)) {
      throw new Error(`status ${answer.status}: the error body is not a JSON-RPC error response: ${answer.body.slice(0, 300)}`);
    }
  }
  if (refused) {
    if (harness.sessions.writes !== sessionWrites) throw new Error(`a refused request (${answer.status}) wrote a session: ${answer.body.slice(0, 200)}`);
    expect(await harness.sessions.snapshot()).toEqual(sessionsBefore);
  }
  if (harness.registryStore.writes !== registryWrites) throw new Error('a request through the MCP endpoint wrote the registry');
  if (({} as Record<string, unknown>).polluted !== undefined) throw new Error('Object.prototype was polluted');
  return answer;
}

/** Headers of one of the eras, or of none, or of one that does not exist. */
const eraHeaders = (): fc.Arbitrary<Record<string, string>> => fc.oneof(
  fc.constant({}),
  fc.constant({ 'mcp-protocol-version': '2026-07-28' }),
  fc.constant(null).map(() => ({ 'mcp-session-id': session2025, 'mcp-protocol-version': '2025-11-25' })),
  fc.constant(null).map(() => ({ 'mcp-session-id': session2503 })),
  fc.constant(null).map(() => ({ 'mcp-session-id': session2025 })),
  fc.string({ maxLength: 20 }).map((v) => ({ 'mcp-protocol-version': v })),
  fc.constantFrom('2024-11-05', '2025-13-45', '2099-01-01', '').map((v) => ({ 'mcp-session-id': session2025, 'mcp-protocol-version': v })),
  fc.string({ minLength: 1, maxLength: 60 }).map((v) => ({ 'mcp-session-id': v })),
);

/** A `_meta` envelope of the 2026-07-28 era, maybe broken. */
const metaArb = (): fc.Arbitrary<Record<string, unknown> | undefined> => fc.oneof(
  fc.constant(undefined),
  fc.constant({
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'fuzz', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': {},
  }),
  fc.record({
    'io.modelcontextprotocol/protocolVersion': fc.oneof(fc.string(), fc.constantFrom('2026-07-28', '2030-01-01', '2025-11-25'), fc.integer()),
    'io.modelcontextprotocol/clientInfo': fc.anything(),
    'io.modelcontextprotocol/clientCapabilities': fc.anything(),
  }, { requiredKeys: [] }),
);

/** Values of every JSON type, numbers out of range, and prototype-pollution keys. */
const hostileValue = (): fc.Arbitrary<unknown> => fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(1e308, -1e308, 2 ** 64, -(2 ** 64), 0.5, -0, Number.MAX_SAFE_INTEGER + 2),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}')),
  fc.constant(JSON.parse('{"constructor": {"prototype": {"polluted": true}}}')),
  fc.string({ maxLength: 200 }),
);

const jsonRpcMessage = (): fc.Arbitrary<Record<string, unknown>> => fc.record({
  jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('2.0'), fc.constant('1.0'), fc.integer(), fc.constant(null)),
  id: fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.constant(null), fc.double(), fc.boolean(), fc.constant({}), fc.constant([1])),
  method: fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 30 }), fc.integer()),
  params: fc.oneof(
    fc.constant(undefined),
    hostileValue(),
    fc.tuple(fc.dictionary(fc.constantFrom('name', 'arguments', 'uri', 'level', 'cursor', 'protocolVersion', 'capabilities', 'clientInfo', 'ref', 'argument', '__proto__', 'constructor'), hostileValue()), metaArb())
      .map(([p, meta]) => (meta ? { ...p, _meta: meta } : p)),
  ),
}, { requiredKeys: [] });

test('random bytes as the body (text or base64, invalid UTF-8 included), with any era headers', async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), fc.boolean(), eraHeaders(), async (bytes, base64, headers) => {
    const body = base64 ? Buffer.from(bytes).toString('base64') : Buffer.from(bytes).toString('latin1');
    await checkedSend(urlEvent({ body, isBase64Encoded: base64, headers }));
  }), fcParams());
  tally.properties++;
});

test('malformed and truncated JSON: every prefix of a valid request', async () => {
  await fc.assert(fc.asyncProperty(jsonRpcMessage(), fc.nat(), eraHeaders(), async (message, cut, headers) => {
    const text = JSON.stringify(message);
    await checkedSend(urlEvent({ body: text.slice(0, cut % (text.length + 1)), headers }));
  }), fcParams());
  tally.properties++;
});

test('JSON-RPC messages with wrong types in every field, unknown methods, hostile ids and params, any era', async () => {
  await fc.assert(fc.asyncProperty(jsonRpcMessage(), eraHeaders(), async (message, headers) => {
    const method = typeof message.method === 'string' ? message.method : undefined;
    const modern: Record<string, string> = headers['mcp-protocol-version'] === '2026-07-28' && method ? { 'mcp-method': method } : {};
    await checkedSend(urlEvent({ body: JSON.stringify(message), headers: { ...headers, ...modern } }));
  }), fcParams());
  tally.properties++;
});

test('each field of each valid request replaced by a value of another type', async () => {
  const templates: Array<Record<string, any>> = [
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } },
    { jsonrpc: '2.0', id: 1, method: 'prompts/get', params: { name: 'greet', arguments: { name: 'ada' } } },
    { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///readme.md' } },
    { jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level: 'info' } },
    { jsonrpc: '2.0', id: 1, method: 'completion/complete', params: { ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'name', value: 'a' } } },
    { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { cursor: 'abc' } },
    { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } },
  ];
  const paths = (value: unknown, prefix: string[] = []): string[][] => {
    if (value === null || typeof value !== 'object') return [prefix];
    return [prefix, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
  };
  const cases = templates.flatMap((t) => paths(t).filter((p) => p.length > 0).map((p) => ({ template: t, path: p })));
  await fc.assert(fc.asyncProperty(fc.constantFrom(...cases), hostileValue(), fc.boolean(), async ({ template, path }, value, modernEra) => {
    const message = structuredClone(template);
    let node = message;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path[path.length - 1]] = value;
    const headers: Record<string, string> = modernEra
      ? { 'mcp-protocol-version': '2026-07-28', ...(typeof message.method === 'string' ? { 'mcp-method': message.method } : {}) }
      : { 'mcp-session-id': session2025, 'mcp-protocol-version': '2025-11-25' };
    if (modernEra && message.params && typeof message.params === 'object' && !Array.isArray(message.params)) {
      message.params._meta = {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name: 'fuzz', version: '1' },
        'io.modelcontextprotocol/clientCapabilities': {},
      };
    }
    if (!modernEra && message.method === 'initialize') delete headers['mcp-session-id'];
    await checkedSend(urlEvent({ body: JSON.stringify(message), headers }));
  }), fcParams());
  tally.properties++;
});

test('deep nesting, in the body and inside params', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":'), fc.boolean(), eraHeaders(), async (depth, open, inside, headers) => {
    const close = open === '[' ? ']' : '}';
    const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
    const body = inside ? `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":${nested}}}}` : nested;
    await checkedSend(urlEvent({ body, headers }));
  }), { ...fcParams(), numRuns: Math.max(20, Math.floor(PROFILE.fuzzRuns / 4)) });
  tally.properties++;
});

test('huge strings and arrays just under and over the body limit', async () => {
  const limit = harness.config.maxBodyBytes;
  await fc.assert(fc.asyncProperty(fc.integer({ min: -2000, max: 2000 }), fc.constantFrom('string', 'array'), eraHeaders(), async (delta, shape, headers) => {
    const prefix = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":';
    const suffix = '}}}';
    const room = Math.max(2, limit + delta - prefix.length - suffix.length);
    const payload = shape === 'string' ? `"${'x'.repeat(room - 2)}"` : `[${Array.from({ length: Math.floor(room / 2) }, () => '0').join(',')}]`;
    const body = `${prefix}${payload}${suffix}`;
    const answer = await checkedSend(urlEvent({ body, headers }));
    if (Buffer.byteLength(body) > limit) expect(answer.status).toBe(413);
  }), { ...fcParams(), numRuns: Math.max(20, Math.floor(PROFILE.fuzzRuns / 4)) });
  tally.properties++;
});

test('header injection and junk in Mcp-Session-Id and MCP-Protocol-Version (CR/LF, NUL, non-ASCII, very long)', async () => {
  const junk = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.constantFrom('abc\r\nSet-Cookie: x=1', 'abc\nx-injected: 1', 'a\u0000b', 'é', '会话', ' ', 'a'.repeat(5000)),
    fc.constant(null).map(() => `${session2025}\r\nX-Evil: 1`),
  );
  await fc.assert(fc.asyncProperty(junk, fc.constantFrom('mcp-session-id', 'mcp-protocol-version'), fc.constantFrom('POST', 'GET', 'DELETE'), async (value, name, method) => {
    const body = method === 'POST' ? JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) : undefined;
    const headers: Record<string, string> = name === 'mcp-session-id' ? { [name]: value } : { 'mcp-session-id': session2025, [name]: value };
    const answer = await checkedSend(urlEvent({ method, body, headers: { ...headers, accept: method === 'GET' ? 'text/event-stream' : 'application/json, text/event-stream' } }));
    // Nothing from the value is echoed into a response header.
    for (const [, v] of answer.headers) expect(v).not.toMatch(/[\r\n]/);
    if (method === 'DELETE' && value !== session2025) expect(await harness.sessions.snapshot()).toContainEqual(expect.objectContaining({ id: session2025 }));
  }), fcParams());
  tally.properties++;
});

test('batches: empty, oversized, mixed, duplicated ids, in every era', async () => {
  await fc.assert(fc.asyncProperty(
    fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 500, max: 3000 })),
    fc.boolean(),
    eraHeaders(),
    async (size, duplicateIds, headers) => {
      const batch = Array.from({ length: size }, (_, i) => ({ jsonrpc: '2.0', id: duplicateIds ? 1 : i, method: i % 3 === 0 ? 'ping' : 'tools/list' }));
      await checkedSend(urlEvent({ body: JSON.stringify(batch), headers }));
    },
  ), { ...fcParams(), numRuns: Math.max(20, Math.floor(PROFILE.fuzzRuns / 4)) });
  tally.properties++;
});

test('other paths and HTTP methods: 404/405, never 5xx', async () => {
  await fc.assert(fc.asyncProperty(
    fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'FOO'),
    fc.oneof(fc.constant('/mcp'), fc.constant('/mcp/'), fc.constant('/'), fc.constant('/.well-known/oauth-protected-resource'), fc.webPath()),
    async (method, path) => {
      await checkedSend(urlEvent({ method, path, body: method === 'GET' || method === 'HEAD' ? undefined : '{}' }), false);
    },
  ), fcParams());
  tally.properties++;
});
