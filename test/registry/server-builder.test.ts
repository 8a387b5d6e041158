/**
 * The server builder driven through the official SDK v2 client over the SDK's
 * in-process transport, with tools run by the real Lambda client (against the fake
 * Lambda endpoint) and by the local invoker (fixture modules).
 */
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createMcpHandler, InMemoryTransport, ProtocolError, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import type { HandlerConfig } from '../../lambda-src/model/config';
import type { RegistryItem, FunctionTarget } from '../../lambda-src/model/registry-item';
import { buildMcpServer, type CallContext, type InvocationRecord } from '../../lambda-src/protocol/server-builder';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { LambdaInvoker } from '../../lambda-src/tools/lambda-invoker';
import { LocalInvoker } from '../../lambda-src/tools/local-invoker';
import { RoutingInvoker } from '../../lambda-src/tools/routing-invoker';
import type { InvokeOptions, InvokeOutcome, ToolInvoker } from '../../lambda-src/tools/tool-invoker';
import { FakeLambdaEndpoint } from '../support/fake-lambda-endpoint';

const fixtures = join(__dirname, '..', 'tools', 'fixtures');

const config: HandlerConfig = {
  sessionTable: 'sessions',
  registryTable: 'registry',
  serverName: 'test-server',
  serverVersion: '9.9.9',
  sessionTtlSeconds: 3600,
  registryCacheSeconds: 30,
  authMode: 'none',
  allowedOrigins: [],
  maxBodyBytes: 1024 * 1024,
  toolTimeoutSeconds: 60,
};

const call: CallContext = {
  requestId: 'lambda-request-1',
  protocolVersion: '2025-11-25',
  sessionId: 'session-abc',
  principal: { kind: 'iam', id: 'arn:aws:iam::123456789012:user/alice', claims: { account: '123456789012' } },
};

/** Keeps the outcome of every invocation, so tests can see what the server side saw. */
class OutcomeLog implements ToolInvoker {
  readonly outcomes: InvokeOutcome[] = [];
  constructor(private readonly inner: ToolInvoker) {}
  async invoke(target: FunctionTarget, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome> {
    const outcome = await this.inner.invoke(target, event, options);
    this.outcomes.push(outcome);
    return outcome;
  }
}

let lambda: FakeLambdaEndpoint;
const releases: Array<() => void> = [];
let started: () => void = () => undefined;

beforeAll(async () => {
  lambda = await FakeLambdaEndpoint.start();
  lambda
    .register('echo', (event) => ({ echoed: (event as { arguments: unknown }).arguments }))
    .register('weather', () => ({ temperature: 21.5, conditions: 'sunny' }))
    .register('bad-weather', () => ({ temperature: 'warm', conditions: 'sunny' }))
    .register('fails', () => {
      throw new Error('the orders database is down');
    })
    .register('hangs', () => {
      started();
      return new Promise((resolve) => releases.push(() => resolve(null)));
    })
    .register('doc-reader', (event) => ({ contents: [{ text: `contents of ${(event as { uri: string }).uri}` }] }))
    .register('file-reader', (event) => {
      const { uri, variables } = event as { uri: string; variables: Record<string, string> };
      return { contents: [{ uri, text: `file ${variables.path}` }] };
    })
    .register('gateway-fn', (event) => ({ order: (event as { orderId: string }).orderId, status: 'shipped' }))
    .register('prompt-fn', (event) => {
      const { arguments: args } = event as { arguments: Record<string, string> };
      return { description: 'generated', messages: [{ role: 'user', content: { type: 'text', text: `review ${args.code}` } }] };
    });
});

afterAll(async () => {
  releases.forEach((release) => release());
  await lambda.close();
});

const objectSchema = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required });

const tools: RegistryItem[] = [
  {
    type: 'tool',
    name: 'echo',
    title: 'Echo',
    description: 'Echo a message',
    inputSchema: objectSchema({ message: { type: 'string' }, times: { type: 'integer', minimum: 1 } }, ['message']),
    annotations: { readOnlyHint: true },
    icons: [{ src: 'https://example.com/echo.png', mimeType: 'image/png' }],
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
  },
  {
    type: 'tool',
    name: 'weather',
    inputSchema: { type: 'object' },
    outputSchema: objectSchema({ temperature: { type: 'number' }, conditions: { type: 'string' } }, ['temperature', 'conditions']),
    lambdaArn: 'weather',
  },
  {
    type: 'tool',
    name: 'bad_weather',
    inputSchema: { type: 'object' },
    outputSchema: objectSchema({ temperature: { type: 'number' } }, ['temperature']),
    lambdaArn: 'bad-weather',
  },
  { type: 'tool', name: 'fails', inputSchema: { type: 'object' }, lambdaArn: 'fails' },
  { type: 'tool', name: 'hangs', inputSchema: { type: 'object' }, lambdaArn: 'hangs' },
  { type: 'tool', name: 'progress', inputSchema: { type: 'object' }, handler: './handlers.cjs#progress', baseDir: fixtures },
  { type: 'tool', name: 'logs', inputSchema: { type: 'object' }, handler: './handlers.cjs#logs', baseDir: fixtures },
  {
    type: 'tool',
    name: 'gateway_orders',
    contract: 'bedrock-agentcore-gateway',
    lambdaArn: 'gateway-fn',
    inputSchema: objectSchema({ orderId: { type: 'string' } }, ['orderId']),
  },
];

const resources: RegistryItem[] = [
  { type: 'resource', uri: 'test://static-text', name: 'static-text', mimeType: 'text/plain', text: 'hello resource' },
  { type: 'resource', uri: 'test://static-binary', name: 'static-binary', mimeType: 'image/png', blob: Buffer.from([1, 2, 3]).toString('base64') },
  { type: 'resource', uri: 'docs://readme', name: 'readme', mimeType: 'text/markdown', lambdaArn: 'doc-reader' },
  { type: 'resource', uri: 'docs://broken', name: 'broken', lambdaArn: 'fails' },
  { type: 'resource', uri: 'docs://wrong-shape', name: 'wrong-shape', lambdaArn: 'weather' },
  {
    type: 'resourceTemplate',
    uriTemplate: 'files://{path}',
    name: 'files',
    mimeType: 'text/plain',
    lambdaArn: 'file-reader',
    completions: { path: ['alpha.txt', 'beta.txt', 'alpine.txt'] },
  },
];

const prompts: RegistryItem[] = [
  {
    type: 'prompt',
    name: 'greet',
    description: 'Greets someone',
    arguments: [
      { name: 'who', required: true, completions: ['world', 'wendy', 'alice'] },
      { name: 'mood', description: 'optional mood' },
    ],
    messages: [{ role: 'user', content: { type: 'text', text: 'Say hello to {{who}} in a {{mood}} way.' } }],
  },
  { type: 'prompt', name: 'review', arguments: [{ name: 'code', required: true }], lambdaArn: 'prompt-fn' },
];

interface Connected {
  client: Client;
  log: OutcomeLog;
  records: InvocationRecord[];
}

/**
 * A 2025-era client talks to one instance over the in-process transport; a
 * 2026-07-28 client talks through the SDK's createMcpHandler (one instance per
 * request, as the protocol layer serves it), reached through the client's `fetch`
 * option without a socket: the HTTP layers are tested elsewhere.
 */
async function connect(items: RegistryItem[], mode: 'legacy' | { pin: string } = 'legacy', pageSize?: number, callContext: CallContext = call): Promise<Connected> {
  const store = new MemoryRegistryStore();
  for (const item of items) await store.put(item);
  const snapshot = await new RegistrySource(store).snapshot();
  const log = new OutcomeLog(
    new RoutingInvoker({ lambda: new LambdaInvoker({ clientConfig: lambda.clientConfig() }), local: new LocalInvoker() }),
  );
  const supportedProtocolVersions = ['2026-07-28', ...SUPPORTED_PROTOCOL_VERSIONS];
  const records: InvocationRecord[] = [];
  const onInvocation = (record: InvocationRecord) => records.push(record);
  const build = () => buildMcpServer(snapshot, { config, invoker: log, pageSize, supportedProtocolVersions, onInvocation }, callContext);
  const client = new Client({ name: 'test-client', version: '1.0.0' }, { versionNegotiation: { mode }, supportedProtocolVersions });
  if (mode === 'legacy') {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await build().connect(serverSide);
    await client.connect(clientSide);
  } else {
    const handler = createMcpHandler(build);
    await client.connect(new StreamableHTTPClientTransport(new URL('http://127.0.0.1/mcp'), {
      fetch: (url, init) => handler.fetch(new Request(url, init)),
    }));
  }
  return { client, log, records };
}

async function protocolError(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ProtocolError || (err && typeof (err as { code?: unknown }).code === 'number')) {
      return err as { code: number; message: string };
    }
    throw err;
  }
  throw new Error('expected a protocol error');
}

/** The one invocation of a function since index `since`. */
function sentTo(functionName: string, since: number) {
  const sent = lambda.invocations.slice(since).filter((i) => i.functionName === functionName);
  expect(sent).toHaveLength(1);
  return sent[0];
}

const textOf = (result: { content?: unknown }) => ((result.content as Array<{ text?: string }>)[0]?.text ?? '');

describe('capabilities', () => {
  test('a registry of tools only advertises tools, and nothing else', async () => {
    const { client } = await connect(tools);
    const caps = client.getServerCapabilities()!;
    expect(caps.tools).toBeDefined();
    expect(caps.resources).toBeUndefined();
    expect(caps.prompts).toBeUndefined();
    expect(caps.completions).toBeUndefined();
    expect(client.getServerVersion()).toMatchObject({ name: 'test-server', version: '9.9.9' });
    await client.close();
  });

  test('resources, prompts and completions are advertised when registered', async () => {
    const { client } = await connect([...resources, ...prompts]);
    const caps = client.getServerCapabilities()!;
    expect(caps.tools).toBeDefined();
    expect(caps.resources).toBeDefined();
    expect(caps.prompts).toBeDefined();
    expect(caps.completions).toBeDefined();
    expect((await client.listTools()).tools).toEqual([]);
    await client.close();
  });
});

describe.each([
  ['2025-11-25 (initialize)', 'legacy' as const],
  ['2026-07-28 (stateless)', { pin: '2026-07-28' }],
])('tools over %s', (_era, mode) => {
  let c: Connected;
  beforeAll(async () => {
    c = await connect([...tools, ...resources, ...prompts], mode);
  });
  afterAll(() => c.client.close());

  test('tools/list returns every tool exactly as registered, in registration order', async () => {
    const { tools: listed } = await c.client.listTools();
    expect(listed.map((t) => t.name)).toEqual(['echo', 'weather', 'bad_weather', 'fails', 'hangs', 'progress', 'logs', 'gateway_orders']);
    expect(listed[0]).toEqual({
      name: 'echo',
      title: 'Echo',
      description: 'Echo a message',
      inputSchema: objectSchema({ message: { type: 'string' }, times: { type: 'integer', minimum: 1 } }, ['message']),
      annotations: { readOnlyHint: true },
      icons: [{ src: 'https://example.com/echo.png', mimeType: 'image/png' }],
    });
    expect(listed[1].outputSchema).toEqual(objectSchema({ temperature: { type: 'number' }, conditions: { type: 'string' } }, ['temperature', 'conditions']));
  });

  test('tools/call invokes the function with the tool event and wraps its JSON result', async () => {
    const before = lambda.invocations.length;
    const result = await c.client.callTool({ name: 'echo', arguments: { message: 'hi', times: 2 } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ echoed: { message: 'hi', times: 2 } });
    expect(JSON.parse(textOf(result))).toEqual({ echoed: { message: 'hi', times: 2 } });
    const sent = lambda.invocations.slice(before).filter((i) => i.functionName.endsWith(':echo'));
    expect(sent).toHaveLength(1);
    expect(sent[0].functionName).toBe('arn:aws:lambda:us-east-1:123456789012:function:echo');
    expect(sent[0].payload).toEqual({
      tool: 'echo',
      arguments: { message: 'hi', times: 2 },
      context: {
        requestId: 'lambda-request-1',
        protocolVersion: '2025-11-25',
        sessionId: 'session-abc',
        principal: { kind: 'iam', id: 'arn:aws:iam::123456789012:user/alice', claims: { account: '123456789012' }, key: 'iam:arn:aws:iam::123456789012:user/alice' },
      },
    });
  });

  test('a tool in the AgentCore Gateway contract gets the arguments as its event and its name in the client context', async () => {
    const before = lambda.invocations.length;
    const result = await c.client.callTool({ name: 'gateway_orders', arguments: { orderId: 'o-42' } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ order: 'o-42', status: 'shipped' });
    const sent = lambda.invocations.slice(before).filter((i) => i.functionName === 'gateway-fn');
    expect(sent).toHaveLength(1);
    expect(sent[0].payload).toEqual({ orderId: 'o-42' });
    const clientContext = JSON.parse(Buffer.from(sent[0].clientContext!, 'base64').toString('utf8'));
    expect(clientContext.custom).toMatchObject({ bedrockAgentCoreToolName: 'mcp-lambda-server___gateway_orders' });
  });

  test('invalid arguments are an isError result naming the field, and nothing is invoked', async () => {
    const before = lambda.invocations.length;
    const result = await c.client.callTool({ name: 'echo', arguments: { times: 0 } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("invalid arguments for tool 'echo'");
    expect(textOf(result)).toContain("must have required property 'message'");
    expect(textOf(result)).toContain('arguments/times must be >= 1');
    expect(lambda.invocations.slice(before).filter((i) => i.functionName.endsWith(':echo'))).toEqual([]);
  });

  test('an unknown tool is a -32602 protocol error', async () => {
    const err = await protocolError(c.client.callTool({ name: 'no_such_tool', arguments: {} }));
    expect(err.code).toBe(-32602);
    expect(err.message).toContain('no_such_tool');
  });

  test('a function error is an isError result with the function\'s message', async () => {
    const result = await c.client.callTool({ name: 'fails', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe("tool 'fails' failed: the orders database is down");
    expect(c.records.at(-1)).toEqual({ requestId: 'lambda-request-1', kind: 'tool', name: 'fails', outcome: 'function_error', latencyMs: expect.any(Number) });
  });

  test('structured output is checked against the outputSchema', async () => {
    const ok = await c.client.callTool({ name: 'weather', arguments: {} });
    expect(ok.isError).toBeFalsy();
    expect(ok.structuredContent).toEqual({ temperature: 21.5, conditions: 'sunny' });
    const bad = await c.client.callTool({ name: 'bad_weather', arguments: {} });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('structuredContent/temperature must be number');
  });
});

describe('progress and cancellation', () => {
  let c: Connected;
  beforeAll(async () => {
    c = await connect(tools);
  });
  afterAll(() => c.client.close());

  test('a progressToken reaches the function, and its progress reaches the client', async () => {
    const seen: Array<{ progress: number; total?: number; message?: string }> = [];
    const result = await c.client.callTool({ name: 'progress', arguments: {} }, { onprogress: (p) => seen.push(p) });
    expect(result.structuredContent).toEqual({ steps: 3 });
    expect(seen.map((p) => p.progress)).toEqual([1, 2, 3]);
    expect(seen[0]).toMatchObject({ total: 3, message: 'first' });
  });

  test("a function's log messages reach the client as notifications/message, filtered by logging/setLevel", async () => {
    const messages: Array<{ level: string; data: unknown; logger?: string }> = [];
    c.client.setNotificationHandler('notifications/message', (n) => {
      messages.push(n.params as { level: string; data: unknown; logger?: string });
    });
    await c.client.setLoggingLevel('info');
    await c.client.callTool({ name: 'logs', arguments: {} });
    // debug is below the client's threshold; warning passes with its logger name.
    expect(messages).toEqual([{ level: 'warning', data: { disk: 'low' }, logger: 'storage' }]);
  });

  test('the client cancelling a call aborts the invocation', async () => {
    const controller = new AbortController();
    const running = new Promise<void>((resolve) => (started = resolve));
    const pending = c.client.callTool({ name: 'hangs', arguments: {} }, { signal: controller.signal });
    await running;
    const outcomes = c.log.outcomes.length;
    controller.abort('user pressed stop');
    await expect(pending).rejects.toThrow();
    // The server side learns of it through notifications/cancelled.
    while (c.log.outcomes.length === outcomes) await new Promise((r) => setImmediate(r));
    expect(c.log.outcomes.at(-1)).toMatchObject({ ok: false, kind: 'aborted' });
  });
});

describe('time limits', () => {
  test('a tool\'s timeoutSeconds bounds its invocation', async () => {
    const { client } = await connect([{ type: 'tool', name: 'hangs', inputSchema: { type: 'object' }, lambdaArn: 'hangs', timeoutSeconds: 0.05 }]);
    const result = await client.callTool({ name: 'hangs', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe("tool 'hangs' timed out: no response from hangs within 0.1 s");
    await client.close();
  });

  test('an invocation deadline too close to leave time for the tool ends it as a timeout', async () => {
    const { client, log } = await connect(tools, 'legacy', undefined, { ...call, deadline: Date.now() + 500 });
    const result = await client.callTool({ name: 'hangs', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("tool 'hangs' timed out");
    expect(log.outcomes.at(-1)).toMatchObject({ kind: 'timeout' });
    expect(textOf(result)).toContain('no time was left to invoke hangs');
    await client.close();
  });
});

describe('pagination', () => {
  const many: RegistryItem[] = ['t1', 't2', 't3', 't4', 't5'].map((name) => ({ type: 'tool', name, inputSchema: { type: 'object' }, lambdaArn: 'echo' }));
  let c: Connected;
  beforeAll(async () => {
    c = await connect([...many, ...prompts], 'legacy', 2);
  });
  afterAll(() => c.client.close());

  test('every page carries a cursor to the next; the last none', async () => {
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await c.client.request({ method: 'tools/list', params: cursor ? { cursor } : {} });
      names.push(...page.tools.map((t) => t.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(names).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(pages).toBe(3);
  });

  test('the client\'s own aggregation walks the cursors', async () => {
    expect((await c.client.listTools()).tools.map((t) => t.name)).toEqual(['t1', 't2', 't3', 't4', 't5']);
  });

  test('an invalid cursor, or one from another list, is -32602', async () => {
    expect((await protocolError(c.client.request({ method: 'tools/list', params: { cursor: 'not-a-cursor' } }))).code).toBe(-32602);
    const promptsPage = await c.client.request({ method: 'prompts/list', params: {} });
    expect(promptsPage.nextCursor).toBeUndefined();
    const toolsPage = await c.client.request({ method: 'tools/list', params: {} });
    const err = await protocolError(c.client.request({ method: 'prompts/list', params: { cursor: toolsPage.nextCursor! } }));
    expect(err.code).toBe(-32602);
    expect(err.message).toContain('issued by tools/list');
  });
});

describe('resources', () => {
  let c: Connected;
  beforeAll(async () => {
    c = await connect([...resources]);
  });
  afterAll(() => c.client.close());

  test('resources/list and resources/templates/list list what is registered, in order', async () => {
    const { resources: listed } = await c.client.listResources();
    expect(listed).toEqual([
      { uri: 'test://static-text', name: 'static-text', mimeType: 'text/plain', size: 14 },
      { uri: 'test://static-binary', name: 'static-binary', mimeType: 'image/png', size: 3 },
      { uri: 'docs://readme', name: 'readme', mimeType: 'text/markdown' },
      { uri: 'docs://broken', name: 'broken' },
      { uri: 'docs://wrong-shape', name: 'wrong-shape' },
    ]);
    const { resourceTemplates } = await c.client.listResourceTemplates();
    expect(resourceTemplates).toEqual([{ uriTemplate: 'files://{path}', name: 'files', mimeType: 'text/plain' }]);
  });

  test('static text and blob resources are read from the registry', async () => {
    expect(await c.client.readResource({ uri: 'test://static-text' })).toEqual({
      contents: [{ uri: 'test://static-text', mimeType: 'text/plain', text: 'hello resource' }],
    });
    const blob = await c.client.readResource({ uri: 'test://static-binary' });
    expect(blob.contents[0]).toEqual({ uri: 'test://static-binary', mimeType: 'image/png', blob: 'AQID' });
  });

  test('a function-backed resource gets { uri, context }; its contents default uri and mimeType', async () => {
    const before = lambda.invocations.length;
    const read = await c.client.readResource({ uri: 'docs://readme' });
    expect(read.contents).toEqual([{ uri: 'docs://readme', mimeType: 'text/markdown', text: 'contents of docs://readme' }]);
    expect(sentTo('doc-reader', before).payload).toMatchObject({ uri: 'docs://readme', context: { requestId: 'lambda-request-1' } });
  });

  test('a failing or misbehaving resource function is -32603 with what went wrong', async () => {
    const failed = await protocolError(c.client.readResource({ uri: 'docs://broken' }));
    expect(failed.code).toBe(-32603);
    expect(failed.message).toContain("resource 'docs://broken' failed: the orders database is down");
    const shape = await protocolError(c.client.readResource({ uri: 'docs://wrong-shape' }));
    expect(shape.code).toBe(-32603);
    expect(shape.message).toContain('it must return { "contents"');
  });

  test('a template match invokes its function with { uri, variables }', async () => {
    const before = lambda.invocations.length;
    const read = await c.client.readResource({ uri: 'files://notes.txt' });
    expect(read.contents).toEqual([{ uri: 'files://notes.txt', mimeType: 'text/plain', text: 'file notes.txt' }]);
    expect(sentTo('file-reader', before).payload).toMatchObject({ uri: 'files://notes.txt', variables: { path: 'notes.txt' } });
  });

  test('an unknown URI is a resource-not-found protocol error that names it', async () => {
    const err = await protocolError(c.client.readResource({ uri: 'nothing://here' }));
    // -32602 on the wire: see the report on the SDK's mapping of -32002.
    expect([-32602, -32002]).toContain(err.code);
    expect(err.message).toContain('nothing://here');
  });

  test('completions offer a template variable\'s values by prefix', async () => {
    const result = await c.client.complete({ ref: { type: 'ref/resource', uri: 'files://{path}' }, argument: { name: 'path', value: 'al' } });
    expect(result.completion).toEqual({ values: ['alpha.txt', 'alpine.txt'], total: 2, hasMore: false });
  });
});

describe('prompts', () => {
  let c: Connected;
  beforeAll(async () => {
    c = await connect([...prompts]);
  });
  afterAll(() => c.client.close());

  test('prompts/list lists name, description and arguments, without completions', async () => {
    const { prompts: listed } = await c.client.listPrompts();
    expect(listed).toEqual([
      { name: 'greet', description: 'Greets someone', arguments: [{ name: 'who', required: true }, { name: 'mood', description: 'optional mood' }] },
      { name: 'review', arguments: [{ name: 'code', required: true }] },
    ]);
  });

  test('static messages get their {{placeholders}} filled', async () => {
    const result = await c.client.getPrompt({ name: 'greet', arguments: { who: 'world', mood: 'cheerful' } });
    expect(result).toEqual({
      description: 'Greets someone',
      messages: [{ role: 'user', content: { type: 'text', text: 'Say hello to world in a cheerful way.' } }],
    });
    const noMood = await c.client.getPrompt({ name: 'greet', arguments: { who: 'world' } });
    expect((noMood.messages[0].content as { text: string }).text).toBe('Say hello to world in a  way.');
  });

  test('a missing required argument is -32602 naming it', async () => {
    const err = await protocolError(c.client.getPrompt({ name: 'greet', arguments: { mood: 'sad' } }));
    expect(err.code).toBe(-32602);
    expect(err.message).toContain("needs the argument 'who'");
  });

  test('an unknown prompt is -32602', async () => {
    expect((await protocolError(c.client.getPrompt({ name: 'nope' }))).code).toBe(-32602);
  });

  test('a function-backed prompt gets { prompt, arguments, context }', async () => {
    const before = lambda.invocations.length;
    const result = await c.client.getPrompt({ name: 'review', arguments: { code: 'x = 1' } });
    expect(result).toEqual({ description: 'generated', messages: [{ role: 'user', content: { type: 'text', text: 'review x = 1' } }] });
    expect(sentTo('prompt-fn', before).payload).toMatchObject({ prompt: 'review', arguments: { code: 'x = 1' }, context: { sessionId: 'session-abc' } });
  });

  test('completion of a prompt argument filters its values by prefix', async () => {
    const result = await c.client.complete({ ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'who', value: 'W' } });
    expect(result.completion.values).toEqual(['world', 'wendy']);
    const none = await c.client.complete({ ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'mood', value: '' } });
    expect(none.completion.values).toEqual([]);
    expect((await protocolError(c.client.complete({ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'x', value: '' } }))).code).toBe(-32602);
  });
});
