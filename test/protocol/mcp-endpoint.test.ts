/**
 * createMcpEndpoint driven with web-standard Requests: the 2025-era session lifecycle,
 * the 2026-07-28 path, and every kind of bad input with its HTTP status, JSON-RPC code
 * and message, and with the session store left as it was.
 */
import {
  ALICE,
  PROMPT,
  buildServerThatLogs,
  BOB,
  context,
  initializeMessage,
  modernRequest,
  postRequest,
  RecordingSessionStore,
  sseMessages,
  testConfig,
  TestToolInvoker,
  TOOLS,
} from './endpoint-fixture';
import type { ProtocolLogEntry } from '../../lambda-src/protocol/endpoint-options';
import { createMcpEndpoint, type McpEndpoint, type ProtocolDeps } from '../../lambda-src/protocol/mcp-endpoint';
import { buildMcpServer } from '../../lambda-src/protocol/server-builder';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { MemoryEventLog } from '../../lambda-src/store/memory-event-log';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import type { SessionStore } from '../../lambda-src/store/session-store';

let sessions: RecordingSessionStore;
let endpoint: McpEndpoint;
let invoker: TestToolInvoker;
let logs: ProtocolLogEntry[];
let now: number;

async function makeEndpoint(
  store: SessionStore = sessions, buildServer: ProtocolDeps['buildServer'] = buildServerThatLogs, events?: ProtocolDeps['events'],
): Promise<McpEndpoint> {
  const registryStore = new MemoryRegistryStore();
  for (const tool of TOOLS) await registryStore.put(tool);
  await registryStore.put(PROMPT);
  return createMcpEndpoint({
    config: testConfig(),
    sessions: store,
    registry: new RegistrySource(registryStore),
    invoker,
    buildServer,
    ...(events ? { events } : {}),
    options: { log: (entry) => logs.push(entry), now: () => now, keepAliveMs: 0 },
  });
}

beforeEach(async () => {
  now = Date.now();
  logs = [];
  invoker = new TestToolInvoker();
  sessions = new RecordingSessionStore(new MemorySessionStore({ now: () => now }));
  endpoint = await makeEndpoint();
});

async function initialize(version = '2025-11-25'): Promise<string> {
  const response = await endpoint.handle(postRequest(initializeMessage(version)), context());
  expect(response.status).toBe(200);
  const id = response.headers.get('mcp-session-id');
  expect(id).toBeTruthy();
  await response.text();
  return id!;
}

function inSession(sessionId: string, body: unknown, headers: Record<string, string> = {}): Request {
  return postRequest(body, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25', ...headers });
}

async function json(response: Response): Promise<any> {
  expect(response.headers.get('content-type')).toContain('application/json');
  return response.json();
}

/** Asserts a refusal: status, JSON-RPC code, a message naming the problem. */
async function expectRefusal(response: Response, status: number, code: number, message: RegExp): Promise<void> {
  expect(response.status).toBe(status);
  const body = await json(response);
  expect(body.jsonrpc).toBe('2.0');
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(message);
}

describe('2025-era initialize', () => {
  test.each([
    ['2025-11-25', '2025-11-25'],
    ['2025-06-18', '2025-06-18'],
    ['2025-03-26', '2025-03-26'],
    ['2024-11-05', '2025-11-25'],
    ['2099-01-01', '2025-11-25'],
  ])('a client asking for %s gets %s and a stored session', async (asked, negotiated) => {
    const response = await endpoint.handle(postRequest(initializeMessage(asked)), context());
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.result.protocolVersion).toBe(negotiated);
    expect(body.result.serverInfo).toMatchObject({ name: 'protocol-test', version: '1.2.3' });
    const id = response.headers.get('mcp-session-id')!;
    // Transports, "Session Management": visible ASCII only; ours are 32 random bytes, base64url.
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await sessions.inner.get(id);
    expect(stored).toMatchObject({
      id,
      protocolVersion: negotiated,
      clientCapabilities: { roots: {} },
      clientInfo: { name: 'raw-test-client', version: '0.0.1' },
      principal: ALICE,
      initialized: false,
      expiresAt: Math.floor(now / 1000) + 3600,
    });
  });

  test('a wildcard Accept is served', async () => {
    const response = await endpoint.handle(postRequest(initializeMessage('2025-11-25'), { accept: '*/*' }), context());
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeTruthy();
  });

  test('every initialize gets a different session id', async () => {
    const ids = new Set([await initialize(), await initialize(), await initialize()]);
    expect(ids.size).toBe(3);
  });

  test('an initialize the SDK refuses (no capabilities) creates no session', async () => {
    const response = await endpoint.handle(
      postRequest({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25' } }),
      context(),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    const body = await json(response);
    expect(body.error.code).toBe(-32602);
    expect(sessions.writes()).toEqual([]);
  });

  test('an initialize too large to store (capabilities over the item limit) is -32602 and creates no session', async () => {
    const registryStore = new MemoryRegistryStore();
    const registry = new RegistrySource(registryStore);
    const big = createMcpEndpoint({ config: testConfig({ maxBodyBytes: 1024 * 1024 }), sessions, registry, invoker });
    const message = initializeMessage('2025-11-25');
    (message.params as Record<string, unknown>).capabilities = { experimental: { padding: { text: 'x'.repeat(500 * 1024) } } };
    const response = await big.handle(postRequest(message), context());
    expect(response.headers.get('mcp-session-id')).toBeNull();
    const body = await json(response);
    expect(body).toMatchObject({ id: 1, error: { code: -32602 } });
    expect(body.error.message).toMatch(/too large to keep with a session/);
    expect(await sessions.inner.get((sessions.calls.find((c) => c.op === 'create') ?? { id: 'x' }).id)).toBeUndefined();
  });

  test('initialize inside a batch is refused', async () => {
    await expectRefusal(
      await endpoint.handle(postRequest([initializeMessage('2025-03-26'), { jsonrpc: '2.0', id: 2, method: 'ping' }]), context()),
      400,
      -32600,
      /initialize must be sent alone/,
    );
    expect(sessions.writes()).toEqual([]);
  });
});

describe('2025-era requests in a session', () => {
  test('notifications/initialized is recorded and answered 202', async () => {
    const id = await initialize();
    const response = await endpoint.handle(inSession(id, { jsonrpc: '2.0', method: 'notifications/initialized' }), context());
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    expect((await sessions.inner.get(id))?.initialized).toBe(true);
  });

  test('tools/list costs exactly one store read and no write', async () => {
    const id = await initialize();
    sessions.reset();
    const body = await json(await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 2, method: 'tools/list' }), context()));
    expect(body.result.tools.map((t: { name: string }) => t.name)).toEqual(['echo', 'count']);
    expect(sessions.calls).toEqual([{ op: 'get', id }]);
  });

  test('ping answers an empty result', async () => {
    endpoint = await makeEndpoint(sessions, buildMcpServer);
    const id = await initialize();
    const body = await json(await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 'p', method: 'ping' }), context()));
    expect(body).toEqual({ jsonrpc: '2.0', id: 'p', result: {} });
  });

  test('tools/call reaches the tool with the session, principal and protocol version in its context', async () => {
    const id = await initialize('2025-06-18');
    const response = await endpoint.handle(
      inSession(id, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } }, { 'mcp-protocol-version': '2025-06-18' }),
      context({ requestId: 'lambda-request-1' }),
    );
    const messages = response.headers.get('content-type')!.includes('text/event-stream') ? sseMessages(await response.text()) : [await response.json()];
    expect(messages.at(-1)).toMatchObject({ id: 3, result: { content: [{ type: 'text', text: 'hi' }] } });
    expect(invoker.events).toHaveLength(1);
    expect(invoker.events[0].context).toMatchObject({ sessionId: id, principal: ALICE, protocolVersion: '2025-06-18', requestId: 'lambda-request-1' });
  });

  test('progress notifications stream as SSE before the result', async () => {
    const id = await initialize();
    const response = await endpoint.handle(
      inSession(id, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'count', arguments: { steps: 3 }, _meta: { progressToken: 'tok' } } }),
      context(),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const messages = sseMessages(await response.text());
    const progress = messages.filter((m) => m.method === 'notifications/progress');
    expect(progress.map((m) => m.params.progress)).toEqual([1, 2, 3]);
    expect(progress[0].params).toMatchObject({ progressToken: 'tok', total: 3 });
    expect(messages.at(-1)).toMatchObject({ id: 4, result: { content: [{ type: 'text', text: 'counted to 3' }] } });
  });

  test('logging/setLevel is stored and filters notifications/message on another instance', async () => {
    const id = await initialize();
    const levelsOfPing = async (served: McpEndpoint): Promise<string[]> => {
      const response = await served.handle(inSession(id, { jsonrpc: '2.0', id: 'p', method: 'ping' }), context());
      const messages = sseMessages(await response.text());
      expect(messages.at(-1)).toEqual({ jsonrpc: '2.0', id: 'p', result: {} });
      return messages.filter((m) => m.method === 'notifications/message').map((m) => m.params.level);
    };
    expect(await levelsOfPing(endpoint)).toEqual(['debug', 'info', 'warning', 'error']);
    const body = await json(await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 5, method: 'logging/setLevel', params: { level: 'warning' } }), context()));
    expect(body).toEqual({ jsonrpc: '2.0', id: 5, result: {} });
    expect((await sessions.inner.get(id))?.logLevel).toBe('warning');
    const otherInstance = await makeEndpoint();
    expect(await levelsOfPing(otherInstance)).toEqual(['warning', 'error']);
  });

  test('when the level cannot be stored the client gets -32603, not a hang', async () => {
    const id = await initialize();
    const inner = sessions.inner;
    const failingUpdates: SessionStore = {
      create: (r) => inner.create(r),
      get: (i) => inner.get(i),
      update: async () => {
        throw new Error('throttled');
      },
      delete: (i) => inner.delete(i),
    };
    const failing = await makeEndpoint(failingUpdates);
    const body = await json(await failing.handle(inSession(id, { jsonrpc: '2.0', id: 5, method: 'logging/setLevel', params: { level: 'error' } }), context()));
    expect(body).toEqual({ jsonrpc: '2.0', id: 5, error: { code: -32603, message: 'Internal error: the log level could not be stored' } });
    expect(logs.some((l) => l.level === 'error' && String(l.error).includes('throttled'))).toBe(true);
  });

  test("the registry's own builder serves logging/setLevel and the session keeps the level", async () => {
    const plain = await makeEndpoint(sessions, buildMcpServer);
    const response = await plain.handle(postRequest(initializeMessage('2025-11-25')), context());
    const id = response.headers.get('mcp-session-id')!;
    sessions.reset();
    const body = await json(await plain.handle(inSession(id, { jsonrpc: '2.0', id: 5, method: 'logging/setLevel', params: { level: 'error' } }), context()));
    expect(body).toEqual({ jsonrpc: '2.0', id: 5, result: {} });
    expect((await sessions.inner.get(id))?.logLevel).toBe('error');
  });

  test('an invalid log level is refused with -32602 and not stored', async () => {
    const id = await initialize();
    sessions.reset();
    const body = await json(await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 5, method: 'logging/setLevel', params: { level: 'loud' } }), context()));
    expect(body.error.code).toBe(-32602);
    expect(sessions.writes()).toEqual([]);
  });

  test('completion/complete passes through to the registry\'s completions', async () => {
    const id = await initialize();
    const body = await json(
      await endpoint.handle(
        inSession(id, { jsonrpc: '2.0', id: 'c', method: 'completion/complete', params: { ref: { type: 'ref/prompt', name: PROMPT.name }, argument: { name: 'language', value: 'es' } } }),
        context(),
      ),
    );
    expect(body.result.completion.values).toEqual(['esperanto', 'estonian']);
  });

  test('an absent MCP-Protocol-Version header means the negotiated version', async () => {
    const id = await initialize('2025-06-18');
    const response = await endpoint.handle(postRequest({ jsonrpc: '2.0', id: 6, method: 'tools/list' }, { 'mcp-session-id': id }), context());
    expect((await json(response)).result.tools).toHaveLength(2);
  });

  test('the expiry is pushed forward once 10% of the TTL has passed, not before', async () => {
    const id = await initialize();
    now += 300_000; // 5 of 60 minutes
    await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 7, method: 'ping' }), context());
    expect(sessions.writes().filter((c) => c.op === 'update')).toEqual([]);
    now += 120_000; // 7 of 60 minutes
    sessions.reset();
    await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 8, method: 'ping' }), context());
    expect(sessions.writes()).toEqual([{ op: 'update', id, patch: { expiresAt: Math.floor(now / 1000) + 3600 } }]);
  });

  test('an expired session is not found', async () => {
    const id = await initialize();
    now += 3601_000;
    await expectRefusal(await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 9, method: 'ping' }), context()), 404, -32001, /Session not found/);
  });
});

describe('2025-03-26 batches', () => {
  test('are served under 2025-03-26', async () => {
    const id = await initialize('2025-03-26');
    const response = await endpoint.handle(
      inSession(id, [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' }], {
        'mcp-protocol-version': '2025-03-26',
      }),
      context(),
    );
    const body = await json(response);
    expect(Array.isArray(body)).toBe(true);
    expect(body.map((m: { id: number }) => m.id).sort()).toEqual([1, 2]);
    expect((await sessions.inner.get(id))?.initialized).toBe(true);
  });

  test.each(['2025-06-18', '2025-11-25'])('are refused under %s', async (version) => {
    const id = await initialize(version);
    sessions.reset();
    await expectRefusal(
      await endpoint.handle(inSession(id, [{ jsonrpc: '2.0', id: 1, method: 'ping' }], { 'mcp-protocol-version': version }), context()),
      400,
      -32600,
      new RegExp(`batches are not supported under protocol version ${version}`),
    );
    expect(sessions.writes()).toEqual([]);
  });

  test('an empty batch is refused', async () => {
    await expectRefusal(await endpoint.handle(postRequest([]), context()), 400, -32600, /Invalid Request: the JSON-RPC batch is empty/);
  });
});

describe('sessions and principals', () => {
  test('DELETE ends the session; later requests get 404', async () => {
    const id = await initialize();
    const deleted = await endpoint.handle(new Request('http://127.0.0.1/mcp', { method: 'DELETE', headers: { 'mcp-session-id': id } }), context());
    expect(deleted.status).toBe(200);
    expect(await sessions.inner.get(id)).toBeUndefined();
    await expectRefusal(await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 1, method: 'ping' }), context()), 404, -32001, /Session not found/);
    await expectRefusal(
      await endpoint.handle(new Request('http://127.0.0.1/mcp', { method: 'DELETE', headers: { 'mcp-session-id': id } }), context()),
      404,
      -32001,
      /Session not found/,
    );
  });

  test('another principal gets 404 for the session, as if it did not exist, and cannot delete it', async () => {
    const id = await initialize();
    sessions.reset();
    await expectRefusal(await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 1, method: 'ping' }), context({ principal: BOB })), 404, -32001, /Session not found/);
    await expectRefusal(
      await endpoint.handle(new Request('http://127.0.0.1/mcp', { method: 'DELETE', headers: { 'mcp-session-id': id } }), context({ principal: BOB })),
      404,
      -32001,
      /Session not found/,
    );
    await expectRefusal(await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 1, method: 'ping' }), context({ principal: undefined })), 404, -32001, /Session not found/);
    expect(sessions.writes()).toEqual([]);
    expect(await sessions.inner.get(id)).toBeDefined();
  });

  test('a request without a session id gets 400', async () => {
    await expectRefusal(await endpoint.handle(postRequest({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), context()), 400, -32000, /Mcp-Session-Id header is required/);
  });

  test('an unknown session id gets 404', async () => {
    await expectRefusal(await endpoint.handle(inSession('no-such-session', { jsonrpc: '2.0', id: 1, method: 'ping' }), context()), 404, -32001, /Session not found/);
  });

  test.each([
    ['a space', 'abc def'],
    ['a non-ASCII character', 'sessi\u00f3n'],
    ['a tab', 'abc\tdef'],
  ])('a session id with %s gets 400 without a store read', async (_what, bad) => {
    sessions.reset();
    await expectRefusal(await endpoint.handle(inSession(bad, { jsonrpc: '2.0', id: 1, method: 'ping' }), context()), 400, -32000, /visible ASCII characters \(0x21-0x7E\)/);
    expect(sessions.calls).toEqual([]);
  });
});

function getStream(sessionId: string, accept = 'text/event-stream'): Request {
  return new Request('http://127.0.0.1/mcp', { method: 'GET', headers: { accept, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' } });
}

describe('GET without an event source', () => {
  // Transports 2025-11-25, "Listening for Messages from the Server": with nothing to
  // push the server returns 405 rather than an SSE stream that would carry nothing.
  test('answers 405 with Allow: POST, DELETE, before any store read', async () => {
    const id = await initialize();
    sessions.reset();
    const response = await endpoint.handle(getStream(id), context());
    await expectRefusal(response, 405, -32000, /no messages to push/);
    expect(response.headers.get('allow')).toBe('POST, DELETE');
    expect(sessions.calls).toEqual([]);
  });
});

describe('the GET stream', () => {
  const get = getStream;

  beforeEach(async () => {
    endpoint = await makeEndpoint(sessions, buildServerThatLogs, { log: new MemoryEventLog(), pollIntervalMs: 1000 });
  });

  test('opens with a priming event and ends before the deadline with a retry field (2025-11-25)', async () => {
    const id = await initialize();
    const response = await endpoint.handle(get(id), context({ deadline: now + 5_000 }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    expect(text).toMatch(/^id: \S+\ndata: \n\n/);
    expect(text).toMatch(/retry: 1000\n\n$/);
  });

  test('under 2025-06-18 it has no priming event and no retry field', async () => {
    const id = await initialize('2025-06-18');
    const response = await endpoint.handle(get(id), context({ deadline: now + 5_000 }));
    expect(await response.text()).toBe('');
  });

  test('stops at once when the client goes away', async () => {
    const id = await initialize();
    const client = new AbortController();
    const response = await endpoint.handle(get(id), context({ signal: client.signal, deadline: now + 600_000 }));
    const reader = response.body!.getReader();
    await reader.read(); // the priming event
    client.abort();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
  });

  test('without text/event-stream in Accept gets 406', async () => {
    const id = await initialize();
    await expectRefusal(await endpoint.handle(get(id, 'application/json'), context()), 406, -32000, /must accept text\/event-stream/);
  });

  test('without a session gets 400, with an unknown one 404', async () => {
    await expectRefusal(await endpoint.handle(new Request('http://127.0.0.1/mcp', { method: 'GET', headers: { accept: 'text/event-stream' } }), context()), 400, -32000, /Mcp-Session-Id/);
    await expectRefusal(await endpoint.handle(get('unknown'), context()), 404, -32001, /Session not found/);
  });
});

describe('2026-07-28 requests', () => {
  test('server/discover names 2026-07-28', async () => {
    const body = await json(await endpoint.handle(modernRequest('server/discover'), context()));
    expect(body.result.supportedVersions).toContain('2026-07-28');
    expect(body.result.capabilities.tools).toBeDefined();
  });

  test('tools/list and tools/call need no session and touch no store', async () => {
    const list = await json(await endpoint.handle(modernRequest('tools/list'), context()));
    expect(list.result.tools.map((t: { name: string }) => t.name)).toEqual(['echo', 'count']);
    expect(list.result).toHaveProperty('ttlMs');
    expect(list.result).toHaveProperty('cacheScope');
    const call = await endpoint.handle(modernRequest('tools/call', { name: 'echo', arguments: { message: 'modern' } }, 2, 'echo'), context({ requestId: 'modern-1' }));
    const messages = call.headers.get('content-type')!.includes('text/event-stream') ? sseMessages(await call.text()) : [await call.json()];
    expect(messages.at(-1)).toMatchObject({ id: 2, result: { content: [{ type: 'text', text: 'modern' }] } });
    expect(invoker.events[0].context).toMatchObject({ protocolVersion: '2026-07-28', principal: ALICE, requestId: 'modern-1' });
    expect(invoker.events[0].context.sessionId).toBeUndefined();
    expect(sessions.calls).toEqual([]);
  });

  test('bad params (tools/call without a name) get -32602 naming the problem', async () => {
    const response = await endpoint.handle(modernRequest('tools/call', { arguments: {} }, 3), context());
    const body = await json(response);
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ id: 3, error: { code: -32602 } });
    expect(body.error.message).toMatch(/name/);
  });

  test('an unknown method gets 404 with -32601', async () => {
    await expectRefusal(await endpoint.handle(modernRequest('no/such/method'), context()), 404, -32601, /not found/i);
  });

  test('a request without clientCapabilities in _meta gets -32602', async () => {
    const response = await endpoint.handle(
      postRequest(
        { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'x', version: '1' } } } },
        { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
      ),
      context(),
    );
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe(-32602);
  });

  test('an Mcp-Method header that disagrees with the body gets 400 HeaderMismatch (-32020)', async () => {
    const request = modernRequest('tools/list');
    const mismatched = new Request(request, { headers: { ...Object.fromEntries(request.headers), 'mcp-method': 'tools/call' } });
    await expectRefusal(await endpoint.handle(mismatched, context()), 400, -32020, /disagree|mismatch/i);
  });
});

describe('bad input', () => {
  // Stored state is left as it was: no session written, changed or deleted by a refused request.
  afterEach(() => {
    expect(sessions.writes()).toEqual([]);
  });

  test('malformed JSON: 400, -32700', async () => {
    await expectRefusal(await endpoint.handle(postRequest('{"jsonrpc": "2.0", "id": 1, "method": '), context()), 400, -32700, /not valid JSON/);
  });

  test('an empty body: 400, -32700', async () => {
    await expectRefusal(await endpoint.handle(postRequest(''), context()), 400, -32700, /body is empty/);
  });

  test('a wrong Content-Type: 415', async () => {
    await expectRefusal(
      await endpoint.handle(postRequest(initializeMessage('2025-11-25'), { 'content-type': 'text/plain' }), context()),
      415,
      -32000,
      /Content-Type must be application\/json, got "text\/plain"/,
    );
    expect(sessions.writes()).toEqual([]);
  });

  test.each([['application/json'], ['text/event-stream'], ['text/html']])('an Accept of only %s on a POST: 406', async (accept) => {
    await expectRefusal(await endpoint.handle(postRequest(initializeMessage('2025-11-25'), { accept }), context()), 406, -32000, /must list both application\/json and text\/event-stream/);
    expect(sessions.writes()).toEqual([]);
  });

  test('a body over maxBodyBytes: 413', async () => {
    const id = await initialize();
    sessions.reset();
    const huge = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(70 * 1024) } } };
    await expectRefusal(await endpoint.handle(inSession(id, huge), context()), 413, -32000, /over the limit of 65536 bytes/);
    expect(sessions.calls).toEqual([]);
    expect(invoker.events).toEqual([]);
  });

  test.each([
    ['a number', '42', /got number/],
    ['a string', '"ping"', /got string/],
    ['null', 'null', /got null/],
  ])('a body that is %s: 400, -32600', async (_what, raw, message) => {
    await expectRefusal(await endpoint.handle(postRequest(raw), context()), 400, -32600, message);
  });

  test.each([
    ['an object id', { jsonrpc: '2.0', id: { a: 1 }, method: 'ping' }, /request id must be a string or an integer/],
    ['a null id', { jsonrpc: '2.0', id: null, method: 'ping' }, /request id must be a string or an integer/],
    ['a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'ping' }, /request id must be a string or an integer/],
    ['no jsonrpc member', { id: 1, method: 'ping' }, /"jsonrpc" member must be exactly "2.0"/],
    ['array params', { jsonrpc: '2.0', id: 1, method: 'ping', params: [1] }, /"params" member must be an object/],
    ['neither method nor result', { jsonrpc: '2.0', id: 1 }, /needs a "method"/],
  ])('a message with %s: 400, -32600, store untouched', async (_what, message, problem) => {
    const id = await initialize();
    sessions.reset();
    await expectRefusal(await endpoint.handle(inSession(id, message), context()), 400, -32600, problem);
    expect(sessions.calls).toEqual([]);
  });

  test('an unknown method in a session: -32601', async () => {
    const id = await initialize();
    sessions.reset();
    const body = await json(await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 1, method: 'tools/frobnicate' }), context()));
    expect(body).toMatchObject({ id: 1, error: { code: -32601 } });
    expect(body.error.message).toMatch(/not found/i);
    expect(sessions.writes()).toEqual([]);
  });

  test('bad params (tools/call without a name): -32602', async () => {
    const id = await initialize();
    sessions.reset();
    const body = await json(await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { arguments: {} } }), context()));
    expect(body).toMatchObject({ id: 1, error: { code: -32602 } });
    expect(invoker.events).toEqual([]);
  });

  test('arguments that do not match the input schema: refused, the tool is not invoked', async () => {
    const id = await initialize();
    sessions.reset();
    const response = await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 42 } } }), context());
    const body = await json(response);
    expect(body).toMatchObject({ id: 1, result: { isError: true } });
    expect(JSON.stringify(body.result.content)).toMatch(/message/);
    expect(invoker.events).toEqual([]);
  });

  test('an unknown tool: refused, names the tool, nothing invoked', async () => {
    const id = await initialize();
    sessions.reset();
    const response = await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'nope', arguments: {} } }), context());
    const body = await json(response);
    expect(body).toMatchObject({ id: 1, error: { code: -32602, message: 'Unknown tool: nope' } });
    expect(invoker.events).toEqual([]);
  });

  test('an unsupported MCP-Protocol-Version header in a session: 400, no store read', async () => {
    const id = await initialize();
    sessions.reset();
    await expectRefusal(
      await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-protocol-version': '2024-11-05' }), context()),
      400,
      -32000,
      /unsupported MCP-Protocol-Version "2024-11-05"/,
    );
    expect(sessions.calls).toEqual([]);
  });

  test('a 2026-07-28 request naming an unsupported revision: 400 UnsupportedProtocolVersion', async () => {
    const request = postRequest(
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01', 'io.modelcontextprotocol/clientInfo': { name: 'x', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } } },
      { 'mcp-protocol-version': '2099-01-01', 'mcp-method': 'tools/list' },
    );
    const response = await endpoint.handle(request, context());
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.message).toMatch(/2099-01-01/);
    expect(body.error.data?.supported).toContain('2026-07-28');
  });

  test('an HTTP method other than POST, GET, DELETE: 405 with Allow', async () => {
    const response = await endpoint.handle(new Request('http://127.0.0.1/mcp', { method: 'PUT', body: '{}' }), context());
    expect(response.headers.get('allow')).toBe('GET, POST, DELETE');
    await expectRefusal(response, 405, -32000, /Method Not Allowed: PUT/);
  });

  test('an unexpected failure: 500, -32603, a generic message; details only in the log', async () => {
    const failing = await makeEndpoint({
      create: async () => {
        throw new Error('store exploded: secret-detail');
      },
      get: async (id) => {
        throw new Error(`store exploded reading session ${id}`);
      },
      update: async () => undefined,
      delete: async () => false,
    });
    const sessionId = 'S'.repeat(43);
    const response = await failing.handle(inSession(sessionId, { jsonrpc: '2.0', id: 1, method: 'ping' }), context());
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body.error).toEqual({ code: -32603, message: 'Internal error' });
    expect(logs.some((l) => l.level === 'error' && String(l.error).includes('store exploded reading session <session-id>'))).toBe(true);
    // Session ids are never logged.
    expect(JSON.stringify(logs)).not.toContain(sessionId);
  });

  test('a response posted by the client (no waiting request): 202', async () => {
    const id = await initialize();
    sessions.reset();
    const response = await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: 99, result: {} }), context());
    expect(response.status).toBe(202);
  });

  test('notifications/cancelled for a request in another invocation, without a cancellation store: 202, no session write', async () => {
    const id = await initialize();
    sessions.reset();
    const response = await endpoint.handle(inSession(id, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 12, reason: 'user' } }), context());
    expect(response.status).toBe(202);
    expect(sessions.writes()).toEqual([]);
  });
});
