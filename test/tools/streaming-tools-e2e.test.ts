/**
 * Streaming tools end to end, in the deployed shape: the handler asset as scripts/bundle.mjs
 * builds it (assets/handler/index.mjs, run in a process of its own with nothing but
 * in-memory stores injected, test/tools/fixtures/bundled-handler-harness.ts), its own
 * bundled AWS SDK Lambda client calling InvokeWithResponseStream on a local endpoint that
 * speaks Lambda's eventstream framing (test/support/fake-lambda-endpoint.ts), and behind
 * that endpoint the example tools:
 * - Node.js: examples/streaming-tools/node/scan-table.ts (defineTool), run as Lambda's
 *   Node.js runtime runs a streamified handler;
 * - Python: examples/streaming-tools/python (scan_table.py under stream_runtime.py), run by
 *   python3 against a local Lambda Runtime API (test/support/fake-runtime-api.ts).
 * Official SDK clients receive the progress and log messages during the call: SDK v1 in
 * a 2025-11-25 session and SDK v2 pinned to 2026-07-28; the 2025-06-18 and 2025-03-26
 * eras (which neither SDK negotiates with this server) over plain HTTP and SSE.
 *
 * "During the call" is shown without timers: the gated tools write their first progress,
 * then wait until the client has received it (a promise in this process for Node.js, a
 * file for Python); if progress arrived only with the result, the call could not end.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as ClientV2, LOG_LEVEL_META_KEY, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// eslint-disable-next-line import/no-unresolved
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { createInvocationContext, ensureAwslambdaGlobal, invokeStreamingHandler } from '../../lambda-src/entry/awslambda-shim';
import type { ToolItem } from '../../lambda-src/model/registry-item';
import { defineTool, type ToolHandler } from '../../lambda-src/tool';
import { buildHarness, HANDLER_ASSET, startBundledHandler, type BundledHandler } from '../support/bundled-handler';
import { FakeLambdaEndpoint, type FakeResponseStream, sinkTo } from '../support/fake-lambda-endpoint';
import { FakeRuntimeApi } from '../support/fake-runtime-api';

jest.setTimeout(120_000);

const root = join(__dirname, '..', '..');
const ARN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

let fake: FakeLambdaEndpoint;
let scratch: string;
let harness: BundledHandler | undefined;
let url: URL;
const runtimes: FakeRuntimeApi[] = [];
/** Opens the gate of the gated Node.js tool's current call. */
let openNodeGate: () => void = () => undefined;


/** Runs a streamified Node.js handler as Lambda's Node.js runtime does, for InvokeWithResponseStream. */
function nodeRuntime(handler: ToolHandler) {
  return (event: unknown, stream: FakeResponseStream) =>
    invokeStreamingHandler(handler as never, event, sinkTo(stream), createInvocationContext({ timeoutMs: 60_000 }));
}

/** Runs a Python handler under stream_runtime.py, relaying each chunk it streams as it arrives. */
async function pythonRuntime(dir: string, handler: string) {
  const api = await FakeRuntimeApi.start();
  runtimes.push(api);
  api.spawnRuntime('python3', [join(root, 'examples', 'streaming-tools', 'python', 'stream_runtime.py')], {
    LAMBDA_TASK_ROOT: dir, _HANDLER: handler, PYTHONDONTWRITEBYTECODE: '1',
  });
  return async (event: unknown, stream: FakeResponseStream) => {
    const answer = await api.invoke(event, (chunk) => stream.write(chunk));
    if (answer.error) throw Object.assign(new Error(answer.error.errorMessage), { name: answer.error.errorType });
  };
}

const tool = (name: string, fn: string, extra: Partial<ToolItem> = {}): ToolItem => ({
  type: 'tool', name, inputSchema: { type: 'object' }, lambdaArn: ARN(fn), streaming: true, ...extra,
});

beforeAll(async () => {
  expect(existsSync(HANDLER_ASSET)).toBe(true); // built by `npx projen bundle:handler`
  scratch = mkdtempSync(join(tmpdir(), 'streaming-e2e-'));
  fake = await FakeLambdaEndpoint.start();

  // Lambda's Node.js runtime defines `awslambda` before it loads a handler; so does this.
  ensureAwslambdaGlobal();
  const { handler: scanTables } = await import('../../examples/streaming-tools/node/scan-table.js');
  expect((scanTables as unknown as Record<symbol, unknown>)[Symbol.for('aws.lambda.runtime.handler.streaming')]).toBe('response');
  const gatedNode = defineTool({
    name: 'gated_node',
    description: 'Reports progress, then waits for the test',
    inputSchema: { type: 'object' },
    async run(_args, call) {
      const gate = new Promise<void>((resolve) => (openNodeGate = resolve));
      call.progress(1, 2, 'waiting for the gate');
      call.log('notice', 'gate reached', 'gated_node');
      await gate;
      call.progress(2, 2, 'through');
      return 'gate passed';
    },
  });
  fake
    .registerStreaming('scan-node', nodeRuntime(scanTables))
    .registerStreaming('gated-node', nodeRuntime(gatedNode))
    .registerStreaming('scan-python', await pythonRuntime(join(root, 'examples', 'streaming-tools', 'python'), 'scan_table.handler'))
    .registerStreaming('gated-python', await pythonRuntime(join(__dirname, 'fixtures', 'python-stream'), 'gated_tool.gated'))
    .registerStreaming('failing-python', await pythonRuntime(join(__dirname, 'fixtures', 'python-stream'), 'gated_tool.fails_late'));

  const items: ToolItem[] = [
    { ...tool('scan_tables', 'scan-node'), inputSchema: scanTables.definition.inputSchema as Record<string, unknown>, outputSchema: scanTables.definition.outputSchema as Record<string, unknown> },
    tool('gated_node', 'gated-node'),
    tool('scan_table_py', 'scan-python'),
    tool('gated_py', 'gated-python', { inputSchema: { type: 'object', properties: { gate: { type: 'string' } }, required: ['gate'] } }),
    tool('failing_py', 'failing-python'),
  ];

  const built = await buildHarness();
  try {
    harness = await startBundledHandler(built.file, items, {
      // The asset's own Lambda client finds the local endpoint the way any AWS SDK v3 client does.
      AWS_ENDPOINT_URL_LAMBDA: fake.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  } finally {
    built.dispose();
  }
  url = harness.url;
});

afterAll(async () => {
  await harness?.stop();
  for (const api of runtimes) await api.close();
  await fake?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

afterEach(() => {
  expect(harness?.errors).toEqual([]);
});

type Progress = { progress: number; total?: number; message?: string };
type Log = { level: string; data: unknown; logger?: string };

async function v1Client(): Promise<{ client: ClientV1; logs: Log[] }> {
  const client = new ClientV1({ name: 'streaming-v1', version: '1.0.0' });
  await client.connect(new TransportV1(url));
  const logs: Log[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(n.params as Log);
  });
  return { client, logs };
}

describe('SDK v1 client, 2025-11-25 session', () => {
  test('the server declares logging, and lists the tools without their streaming flag', async () => {
    const { client } = await v1Client();
    expect(client.getServerCapabilities()?.logging).toEqual({});
    const listed = await client.listTools();
    expect(listed.tools.map((t) => t.name)).toEqual(['scan_tables', 'gated_node', 'scan_table_py', 'gated_py', 'failing_py']);
    for (const t of listed.tools) expect(t).not.toHaveProperty('streaming');
    await client.close();
  });

  test('Node.js example: progress and log messages, then the structured result; its session state operations are not shown', async () => {
    const { client, logs } = await v1Client();
    await client.setLoggingLevel('info');
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'scan_tables', arguments: { tables: ['orders', 'invoices'] } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    expect(progress).toEqual([
      { progress: 1, total: 2, message: 'scanned orders' },
      { progress: 2, total: 2, message: 'scanned invoices' },
    ]);
    expect(logs).toEqual([
      { level: 'info', data: { table: 'orders', rows: expect.any(Number) }, logger: 'scan_tables' },
      { level: 'info', data: { table: 'invoices', rows: expect.any(Number) }, logger: 'scan_tables' },
    ]);
    expect(result.isError).toBeUndefined();
    const count = expect.any(Number);
    expect(result.structuredContent).toEqual({ tables: 2, total: count, rows: { orders: count, invoices: count } });
    const calls = fake.invocations.filter((i) => i.functionName === ARN('scan-node'));
    expect(calls.at(-1)!.api).toBe('InvokeWithResponseStream');
    await client.close();
  });

  test('the session\'s log level is honoured: below it, nothing is sent', async () => {
    const { client, logs } = await v1Client();
    await client.setLoggingLevel('warning');
    await client.callTool({ name: 'scan_tables', arguments: { tables: ['orders'] } });
    expect(logs).toEqual([]);
    await client.close();
  });

  test('Node.js: the first progress and log message arrive while the tool is still running', async () => {
    const { client, logs } = await v1Client();
    await client.setLoggingLevel('debug');
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'gated_node', arguments: {} }, undefined, {
      onprogress: (p) => {
        progress.push(p);
        // The tool waits for this: the call can only end if progress came first.
        if (p.progress === 1) openNodeGate();
      },
    });
    expect(result.content).toEqual([{ type: 'text', text: 'gate passed' }]);
    expect(progress.map((p) => p.progress)).toEqual([1, 2]);
    expect(logs).toEqual([{ level: 'notice', data: 'gate reached', logger: 'gated_node' }]);
    await client.close();
  });

  test('Python example: progress and log messages, then the result', async () => {
    const { client, logs } = await v1Client();
    await client.setLoggingLevel('info');
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'scan_table_py', arguments: { tables: ['a', 'b', 'c'] } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    expect(progress.map((p) => p.message)).toEqual(['scanned a', 'scanned b', 'scanned c']);
    expect(logs.map((l) => l.logger)).toEqual(['scan_table', 'scan_table', 'scan_table']);
    const count = expect.any(Number);
    expect(result.structuredContent).toEqual({ tables: 3, rows: { a: count, b: count, c: count }, total: count });
    await client.close();
  });

  test('Python: the first progress arrives while the tool is still running', async () => {
    const { client } = await v1Client();
    const gate = join(scratch, 'gate-v1');
    const result = await client.callTool({ name: 'gated_py', arguments: { gate } }, undefined, {
      onprogress: (p) => {
        if (p.progress === 1) writeFileSync(gate, '');
      },
    });
    expect(result.content).toEqual([{ type: 'text', text: 'gate passed' }]);
    await client.close();
  });

  test('Python: an error after progress is an isError result naming it', async () => {
    const { client } = await v1Client();
    const progress: number[] = [];
    const result = await client.callTool({ name: 'failing_py', arguments: {} }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: 'text', text: "tool 'failing_py' failed: ValueError: row 7 is corrupt" }]);
    expect(progress).toEqual([1]);
    await client.close();
  });
});

describe('SDK v2 client, 2026-07-28 (no session)', () => {
  async function v2Client(): Promise<{ client: ClientV2; logs: Log[] }> {
    const client = new ClientV2({ name: 'streaming-v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new TransportV2(url));
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    const logs: Log[] = [];
    client.setNotificationHandler('notifications/message', (n: { params: Log }) => {
      logs.push(n.params);
    });
    return { client, logs };
  }

  test('Node.js and Python: progress arrives during the call, then the result', async () => {
    const { client } = await v2Client();
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'gated_node', arguments: {} }, {
      onprogress: (p: Progress) => {
        progress.push(p);
        if (p.progress === 1) openNodeGate();
      },
    });
    expect(result.content).toEqual([{ type: 'text', text: 'gate passed' }]);
    expect(progress.map((p) => p.progress)).toEqual([1, 2]);

    const gate = join(scratch, 'gate-v2');
    const py = await client.callTool({ name: 'gated_py', arguments: { gate } }, {
      onprogress: (p: Progress) => {
        if (p.progress === 1) writeFileSync(gate, '');
      },
    });
    expect(py.content).toEqual([{ type: 'text', text: 'gate passed' }]);
    await client.close();
  });

  test("log messages honour the request's log level (_meta, 2026-07-28 has no logging/setLevel)", async () => {
    const { client, logs } = await v2Client();
    await client.callTool({ name: 'scan_table_py', arguments: { tables: ['x'] }, _meta: { [LOG_LEVEL_META_KEY]: 'info' } });
    expect(logs).toEqual([{ level: 'info', data: { table: 'x', rows: expect.any(Number) }, logger: 'scan_table' }]);
    logs.length = 0;
    await client.callTool({ name: 'scan_table_py', arguments: { tables: ['x'] }, _meta: { [LOG_LEVEL_META_KEY]: 'error' } });
    expect(logs).toEqual([]);
    await client.close();
  });
});

/** The JSON-RPC messages of an SSE response, handed to `onMessage` as each arrives. */
async function readSse(response: Response, onMessage: (message: Record<string, any>) => void): Promise<void> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      if (data) onMessage(JSON.parse(data));
    }
  }
}

describe.each(['2025-06-18', '2025-03-26'])('a %s session over plain HTTP (the SDKs negotiate 2025-11-25)', (version) => {
  const headers = (sessionId?: string) => ({
    'content-type': 'application/json',
    'accept': 'application/json, text/event-stream',
    ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': version } : {}),
  });
  let sessionId: string;

  beforeAll(async () => {
    const init = await fetch(url, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    expect(init.status).toBe(200);
    sessionId = init.headers.get('mcp-session-id')!;
    const messages: Array<Record<string, any>> = [];
    await (init.headers.get('content-type')?.startsWith('text/event-stream') ? readSse(init, (m) => messages.push(m)) : init.json().then((m) => messages.push(m)));
    expect(messages[0].result.protocolVersion).toBe(version);
    expect(messages[0].result.capabilities.logging).toEqual({});
    await fetch(url, { method: 'POST', headers: headers(sessionId), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    const setLevel = await fetch(url, { method: 'POST', headers: headers(sessionId), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'logging/setLevel', params: { level: 'notice' } }) });
    expect(setLevel.status).toBe(200);
    await setLevel.text();
  });

  test('on the POST response stream: progress and the log message during the call, the result last', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: headers(sessionId),
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'gated_node', arguments: {}, _meta: { progressToken: `p-${version}` } } }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const messages: Array<Record<string, any>> = [];
    await readSse(response, (m) => {
      messages.push(m);
      if (m.method === 'notifications/progress' && m.params.progress === 1) openNodeGate();
    });
    expect(messages.map((m) => m.method ?? 'result')).toEqual(['notifications/progress', 'notifications/message', 'notifications/progress', 'result']);
    expect(messages[0].params).toEqual({ progressToken: `p-${version}`, progress: 1, total: 2, message: 'waiting for the gate' });
    expect(messages[1].params).toEqual({ level: 'notice', data: 'gate reached', logger: 'gated_node' });
    expect(messages[3]).toMatchObject({ id: 3, result: { content: [{ type: 'text', text: 'gate passed' }] } });
  });

  test('the session level filters: info lines from the Python tool are not sent at notice', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: headers(sessionId),
      body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'scan_table_py', arguments: { tables: ['a', 'b'] }, _meta: { progressToken: 7 } } }),
    });
    const messages: Array<Record<string, any>> = [];
    await readSse(response, (m) => messages.push(m));
    expect(messages.map((m) => m.method ?? 'result')).toEqual(['notifications/progress', 'notifications/progress', 'result']);
    expect(messages.slice(0, 2).map((m) => m.params.progressToken)).toEqual([7, 7]);
  });
});
