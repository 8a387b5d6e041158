/**
 * EMF metrics on stdout, as CloudWatch reads them from a Lambda function's log: the
 * Lambda handler over real HTTP, its default log sink (stdout, captured here), a tool
 * invoker instrumented as the runtime wires it, and the official SDK client. Checks the
 * metric names, units, namespace, dimension sets, and that dimension values stay in a
 * bounded set whatever a client sends.
 */
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { type HandlerHttpServer, startHandlerHttpServer } from './handler-http-server';
import { consoleLogSink } from '../../lambda-src/http/request-log';
import type { FunctionTarget, ToolItem } from '../../lambda-src/model/registry-item';
import { InstrumentedInvoker } from '../../lambda-src/ops/instrumented-invoker';
import { createPowertoolsTelemetry } from '../../lambda-src/ops/powertools-telemetry';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import type { InvokeOptions, InvokeOutcome, ToolInvoker } from '../../lambda-src/tools/tool-invoker';
import { ACCEPT_BOTH, initializeMessage, testConfig } from '../protocol/endpoint-fixture';

const SERVICE = 'metrics-test-server';
const TOOLS: ToolItem[] = ['echo', 'fails', 'progress'].map((name) => ({
  type: 'tool', name, description: name, inputSchema: { type: 'object' }, lambdaArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
}));

class Tools implements ToolInvoker {
  async invoke(_target: FunctionTarget, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome> {
    const { tool } = event as { tool: string };
    if (tool === 'fails') return { ok: false, kind: 'function_error', message: 'it broke' };
    if (tool === 'progress') {
      for (let i = 1; i <= 3; i++) options?.onProgress?.({ progress: i, total: 3 });
    }
    return { ok: true, payload: { content: [{ type: 'text', text: tool }] } };
  }
}

interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: Array<{ Name: string; Unit: string }>;
}
interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: EmfDirective[] };
  [key: string]: unknown;
}

let server: HandlerHttpServer;
const stdout: string[] = [];
const realWrite = process.stdout.write.bind(process.stdout);

beforeAll(async () => {
  // Everything the handler writes to stdout, as the Lambda runtime would ship it.
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout.push(...String(chunk).split('\n').filter((l) => l.length > 0));
    return true;
  }) as typeof process.stdout.write;
  const registryStore = new MemoryRegistryStore();
  for (const tool of TOOLS) await registryStore.put(tool);
  server = await startHandlerHttpServer({
    config: testConfig({ serverName: SERVICE }),
    sessions: new MemorySessionStore(),
    registryStore,
    registry: new RegistrySource(registryStore),
    // As entry/index.ts wires it: the invoker reports to telemetry on the same sink.
    invoker: new InstrumentedInvoker(new Tools(), { telemetry: createPowertoolsTelemetry({ serviceName: SERVICE, sink: consoleLogSink }) }),
  });

  const client = new ClientV2({ name: 'metrics', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new TransportV2(server.url));
  await client.listTools();
  await client.callTool({ name: 'echo', arguments: {} });
  await client.callTool({ name: 'fails', arguments: {} });
  await client.close();

  // A method the spec does not define, and a tool name no registry holds.
  const post = (body: unknown, headers: Record<string, string> = {}) => fetch(server.url, {
    method: 'POST', headers: { 'content-type': 'application/json', 'accept': ACCEPT_BOTH, ...headers }, body: JSON.stringify(body),
  });
  await (await post({ jsonrpc: '2.0', id: 1, method: 'x-custom/anything-goes-here', params: {} }, { 'mcp-protocol-version': '2025-11-25' })).text();

  // A 2025-11-25 session whose tools/call streams progress: an event stream opens,
  // delivers four events (three progress notifications and the result) and closes.
  const init = await post(initializeMessage('2025-11-25'));
  const sessionId = init.headers.get('mcp-session-id')!;
  await init.text();
  const session = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session)).text();
  await (await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'nope-not-registered', arguments: {} } }, session)).text();
  const streamed = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'progress', arguments: {}, _meta: { progressToken: 'p' } } }, session);
  expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
  await streamed.text();
  // The stream's close is reported when its body ends, just after the client has read it.
  for (let i = 0; i < 100 && !stdout.some((l) => l.includes('"StreamsClosed"')); i++) await new Promise((r) => setImmediate(r));
}, 60_000);

afterAll(async () => {
  process.stdout.write = realWrite;
  await server?.close();
});

function blobs(): Emf[] {
  return stdout.filter((l) => l.startsWith('{') && l.includes('"_aws"')).map((l) => JSON.parse(l) as Emf);
}
function withMetric(name: string): Emf[] {
  return blobs().filter((b) => b._aws.CloudWatchMetrics[0].Metrics.some((m) => m.Name === name));
}

test('every blob: namespace McpLambdaServer, service dimension, the whole-server set and one breakdown', () => {
  const all = blobs();
  expect(all.length).toBeGreaterThan(8);
  for (const b of all) {
    expect(b._aws.CloudWatchMetrics).toHaveLength(1);
    const [cw] = b._aws.CloudWatchMetrics;
    expect(cw.Namespace).toBe('McpLambdaServer');
    expect(b.service).toBe(SERVICE);
    expect(cw.Dimensions).toHaveLength(2);
    expect(cw.Dimensions).toContainEqual(['service']);
    const breakdown = cw.Dimensions.find((d) => d.length === 2)!;
    expect(breakdown[0]).toBe('service');
    expect(['method', 'tool']).toContain(breakdown[1]);
    expect(typeof b._aws.Timestamp).toBe('number');
  }
});

test('request metrics: Requests, RequestErrors (Count), RequestLatency (Milliseconds), per MCP method', () => {
  const requests = withMetric('Requests');
  for (const b of requests) {
    expect(b._aws.CloudWatchMetrics[0].Metrics).toEqual([
      { Name: 'Requests', Unit: 'Count' },
      { Name: 'RequestErrors', Unit: 'Count' },
      { Name: 'RequestLatency', Unit: 'Milliseconds' },
    ]);
    expect(b.Requests).toBe(1);
    expect(b.RequestErrors).toBe(0);
    expect(typeof b.RequestLatency).toBe('number');
  }
  const methods = requests.map((b) => b.method);
  expect(methods).toEqual(expect.arrayContaining(['server/discover', 'tools/list', 'tools/call', 'initialize', 'notifications/initialized', 'other']));
});

test('dimension values are bounded: an unknown method is `other`, an unregistered tool has no metric', () => {
  const values = blobs().flatMap((b) => [b.method, b.tool]).filter((v) => v !== undefined);
  expect(values).not.toContain('x-custom/anything-goes-here');
  expect(values).not.toContain('nope-not-registered');
  expect(stdout.join('\n')).not.toMatch(/"(method|tool)":"x-custom/);
});

test('tool metrics: ToolCalls, ToolErrors (Count), ToolLatency (Milliseconds), per registered tool', () => {
  const tools = withMetric('ToolCalls');
  for (const b of tools) {
    expect(b._aws.CloudWatchMetrics[0].Metrics).toEqual([
      { Name: 'ToolCalls', Unit: 'Count' },
      { Name: 'ToolErrors', Unit: 'Count' },
      { Name: 'ToolLatency', Unit: 'Milliseconds' },
    ]);
  }
  const byTool = Object.fromEntries(tools.map((b) => [b.tool as string, b]));
  expect(Object.keys(byTool).sort()).toEqual(['echo', 'fails', 'progress']);
  expect(byTool.echo).toMatchObject({ ToolCalls: 1, ToolErrors: 0 });
  expect(byTool.fails).toMatchObject({ ToolCalls: 1, ToolErrors: 1 });
});

test('stream metrics: OpenStreams gauge, StreamsOpened, StreamsClosed and EventsDelivered', () => {
  const opened = withMetric('StreamsOpened');
  const closed = withMetric('StreamsClosed');
  expect(opened).toHaveLength(1);
  expect(closed).toHaveLength(1);
  expect(opened[0]).toMatchObject({ method: 'tools/call', StreamsOpened: 1, OpenStreams: 1 });
  expect(closed[0]).toMatchObject({ method: 'tools/call', StreamsClosed: 1, OpenStreams: 0, EventsDelivered: 4 });
  expect(closed[0]._aws.CloudWatchMetrics[0].Metrics).toEqual([
    { Name: 'StreamsClosed', Unit: 'Count' },
    { Name: 'OpenStreams', Unit: 'Count' },
    { Name: 'EventsDelivered', Unit: 'Count' },
  ]);
});

test('log lines and metric lines are separate JSON lines on the same stdout', () => {
  const requestLines = stdout.filter((l) => l.includes('"message":"http request"')).map((l) => JSON.parse(l));
  expect(requestLines.length).toBe(withMetric('Requests').length);
  for (const line of requestLines) {
    expect(line).toMatchObject({ level: expect.stringMatching(/^(INFO|ERROR)$/), service: SERVICE, requestId: expect.stringMatching(/^req-\d+$/) });
    expect(line._aws).toBeUndefined();
  }
  expect(stdout.filter((l) => l.includes('"message":"function invocation"')).map((l) => JSON.parse(l).name).sort()).toEqual(['echo', 'fails', 'progress']);
});
