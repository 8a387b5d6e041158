/**
 * Resource template variables and client strings in logs and traces, through the real
 * runtime (createRuntime: http app, protocol endpoint, instrumented invoker, Powertools
 * log lines), with in-memory stores and an invoker that records every event.
 *
 * Before: `%00`, `%0d%0a` or other control characters reached the function (it decoded
 * `"\u0000"`, `"\n"`); a 900 KB URI matching a template became one 900,288-character
 * log line and the X-Ray subsegment's name.
 */
import { createRuntime } from '../../lambda-src/entry/index';
import type { RegistryItem } from '../../lambda-src/model/registry-item';
import { createOperations } from '../../lambda-src/ops/operations';
import type { SubsegmentHandle, Tracing } from '../../lambda-src/ops/xray-tracing';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { initializeMessage, postRequest, sseMessages, testConfig } from '../protocol/endpoint-fixture';
import { RecordingInvoker } from '../reliability/handler-harness';

const ITEMS: RegistryItem[] = [
  { type: 'resourceTemplate', uriTemplate: 'file:///docs/{name}', name: 'docs', lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:docs' },
  { type: 'resourceTemplate', uriTemplate: 'file:///tree/{+path}', name: 'tree', lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:tree' },
];

/** Records the subsegments the instrumented invoker opens: names and annotations. */
class RecordingTracing implements Tracing {
  readonly names: string[] = [];
  readonly annotations: Array<[string, unknown]> = [];
  begin(name: string): SubsegmentHandle {
    this.names.push(name);
    return { annotate: (k, v) => this.annotations.push([k, v]), aws: () => undefined, close: () => undefined };
  }
}

let invoker: RecordingInvoker;
let tracing: RecordingTracing;
let lines: string[];
let read: (uri: string) => Promise<Record<string, any>>;
let handle: (request: Request) => Promise<Response>;

beforeAll(async () => {
  const registryStore = new MemoryRegistryStore();
  for (const item of ITEMS) await registryStore.put(item);
  invoker = new RecordingInvoker();
  tracing = new RecordingTracing();
  lines = [];
  const sink = (line: string) => lines.push(line);
  const runtime = createRuntime({
    config: testConfig({ maxBodyBytes: 2 * 1024 * 1024 }),
    sessions: new MemorySessionStore(),
    registryStore,
    registry: new RegistrySource(registryStore),
    invoker,
    log: sink,
    operations: { telemetry: createOperations({ serviceName: 'security', sink, metrics: false }).telemetry, tracing },
  });
  const ctx = () => ({ requestId: 'r', signal: new AbortController().signal, deadline: Date.now() + 60_000 });
  handle = async (request) => {
    const res = await runtime.app.handle(request, ctx());
    await res.clone().text();
    return res;
  };
  // A 2025-11-25 session: the URI travels in the body only (2026-07-28 mirrors it in a
  // header, which could carry neither a control character nor 900 KB).
  const init = await runtime.app.handle(postRequest(initializeMessage('2025-11-25')), ctx());
  const sessionId = init.headers.get('mcp-session-id')!;
  await init.text();
  const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
  await (await runtime.app.handle(postRequest({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers), ctx())).text();
  let id = 1;
  read = async (uri) => {
    const res = await runtime.app.handle(postRequest({ jsonrpc: '2.0', id: ++id, method: 'resources/read', params: { uri } }, headers), ctx());
    const text = await res.text();
    const message = res.headers.get('content-type')?.startsWith('text/event-stream') ? sseMessages(text).at(-1)! : JSON.parse(text);
    return { status: res.status, ...(message as Record<string, unknown>) };
  };
});

describe('control characters in template variables are refused with -32602', () => {
  test.each([
    ['file:///docs/a%00b', 'name', 'U+0000'],
    ['file:///docs/a%0d%0aSet-Cookie:x', 'name', 'U+000D'],
    ['file:///docs/tab%09', 'name', 'U+0009'],
    ['file:///docs/del%7F', 'name', 'U+007F'],
    ['file:///docs/nel%C2%85', 'name', 'U+0085'],
    ['file:///tree/guides/%00/x', 'path', 'U+0000'],
    ['file:///docs/raw\u0001', 'name', 'U+0001'],
  ])('%j', async (uri, variable, codePoint) => {
    const before = invoker.events.length;
    const answer = await read(uri);
    expect(answer.error).toMatchObject({ code: -32602 });
    expect(answer.error.message).toContain(`template variable '${variable}' a control character (${codePoint})`);
    expect(invoker.events.length).toBe(before);
  });

  test('regression: ordinary and percent-encoded printable values reach the function as matched', async () => {
    const answer = await read('file:///docs/a%20b%C3%A9.md');
    expect(answer.result).toBeDefined();
    expect(invoker.events.at(-1)!.event.variables).toEqual({ name: 'a%20b%C3%A9.md' });
  });

  test('regression: dot segments are still "not found", and the function is not invoked', async () => {
    const before = invoker.events.length;
    expect((await read('file:///docs/..%2fsecrets')).error).toMatchObject({ code: -32602 });
    expect(invoker.events.length).toBe(before);
  });
});

test('{+path}: the value keeps the slashes it matched, a leading one too (documented in docs/threat-model.md)', async () => {
  await read('file:///tree//etc/passwd');
  expect(invoker.events.at(-1)!.event.variables).toEqual({ path: '/etc/passwd' });
  await read('file:///tree/guides/intro.md');
  expect(invoker.events.at(-1)!.event.variables).toEqual({ path: 'guides/intro.md' });
});

test('a 900 KB URI matching a template: no log line or trace name carries it whole', async () => {
  lines.length = 0;
  tracing.names.length = 0;
  tracing.annotations.length = 0;
  const uri = `file:///docs/${'x'.repeat(900 * 1024)}`;
  const answer = await read(uri);
  expect(answer.result).toBeDefined();
  expect(lines.length).toBeGreaterThanOrEqual(2); // the invocation line and the request line
  for (const line of lines) expect(line.length).toBeLessThan(4096);
  expect(lines.join('\n')).toContain(`…(${uri.length} chars)`);
  for (const name of tracing.names) expect(name.length).toBeLessThan(400);
  for (const [, value] of tracing.annotations) expect(String(value).length).toBeLessThan(400);
});

test('a long path and a long MCP-Protocol-Version header are cut in the request line', async () => {
  lines.length = 0;
  const long = 'v'.repeat(10_000);
  const versioned = await handle(postRequest({ jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-protocol-version': long }));
  expect(versioned.status).toBe(400);
  const pathed = await handle(new Request(`http://localhost/mcp/${'p'.repeat(10_000)}`, { method: 'GET' }));
  expect(pathed.status).toBe(404);
  const requestLines = lines.filter((l) => l.includes('"http request"'));
  expect(requestLines).toHaveLength(2);
  for (const line of requestLines) {
    expect(line.length).toBeLessThan(4096);
    expect(line).toContain('…(');
  }
});
