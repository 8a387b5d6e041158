/**
 * Cancellation made in another environment, at the endpoint (docs/endpoint.md,
 * "Cancellation"; protocol/cancellation-watch.ts): a `notifications/cancelled` or a
 * DELETE writes a marker, and a running function invocation of the session reads it
 * each interval and stops; the request gets no answer (2025-11-25
 * basic/utilities/cancellation, "Behavior Requirements", rule 4). The in-memory stores
 * stand in for the session table; test/events/cancel-across-instances.test.ts runs
 * the same across two processes on DynamoDB Local.
 */
import { ACCEPT_BOTH, context, initializeMessage, postRequest, sseMessages, testConfig, TOOLS } from './endpoint-fixture';
import type { FunctionTarget } from '../../lambda-src/model/registry-item';
import { CANCEL_MARKER_MARGIN_MS } from '../../lambda-src/protocol/cancellation-watch';
import type { ProtocolLogEntry } from '../../lambda-src/protocol/endpoint-options';
import { MAX_CANCELS_PER_POST } from '../../lambda-src/protocol/legacy-session-endpoint';
import { createMcpEndpoint, type McpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';
import { BATCH_PROTOCOL_VERSION } from '../../lambda-src/protocol/protocol-versions';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import type { CancellationRead, CancellationStore, CancelledRequestId } from '../../lambda-src/store/cancellation-store';
import { MemoryCancellationStore } from '../../lambda-src/store/memory-cancellation-store';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import type { InvokeOptions, InvokeOutcome, ToolInvoker } from '../../lambda-src/tools/tool-invoker';

const POLL_MS = 20;

/** Counts every call to a real in-memory store; can be made to fail its reads. */
class CountingStore implements CancellationStore {
  readonly inner = new MemoryCancellationStore();
  reads = 0;
  writes: Array<{ sessionId: string; requestId?: CancelledRequestId }> = [];
  failReads = 0;
  failWrites = 0;
  cancelRequest(sessionId: string, requestId: CancelledRequestId, at: number): Promise<void> {
    this.writes.push({ sessionId, requestId });
    if (this.failWrites > 0) {
      this.failWrites--;
      return Promise.reject(new Error('throttled'));
    }
    return this.inner.cancelRequest(sessionId, requestId, at);
  }
  endSession(sessionId: string, at: number): Promise<void> {
    this.writes.push({ sessionId });
    return this.inner.endSession(sessionId, at);
  }
  async read(sessionId: string, requestId: CancelledRequestId): Promise<CancellationRead> {
    this.reads++;
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('throttled');
    }
    return this.inner.read(sessionId, requestId);
  }
}

/** `echo` answers at once; `count` holds until `release()` or until its signal aborts. */
class HoldingInvoker implements ToolInvoker {
  aborted = 0;
  running = 0;
  private releases: Array<() => void> = [];
  async invoke(_target: FunctionTarget, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome> {
    const e = event as { tool: string; arguments: Record<string, unknown> };
    if (e.tool === 'echo') return { ok: true, payload: { content: [{ type: 'text', text: String(e.arguments.message) }] } };
    this.running++;
    try {
      return await new Promise<InvokeOutcome>((resolve) => {
        this.releases.push(() => resolve({ ok: true, payload: 'done' }));
        const abort = () => {
          this.aborted++;
          resolve({ ok: false, kind: 'aborted', message: 'aborted' });
        };
        if (options?.signal?.aborted) abort();
        else options?.signal?.addEventListener('abort', abort);
      });
    } finally {
      this.running--;
    }
  }
  release(): void {
    for (const r of this.releases.splice(0)) r();
  }
}

let store: CountingStore;
let invoker: HoldingInvoker;
let endpoint: McpEndpoint;
let logs: ProtocolLogEntry[];

beforeEach(async () => {
  store = new CountingStore();
  invoker = new HoldingInvoker();
  logs = [];
  const registryStore = new MemoryRegistryStore();
  for (const tool of TOOLS) await registryStore.put(tool);
  endpoint = createMcpEndpoint({
    config: testConfig(),
    sessions: new MemorySessionStore(),
    registry: new RegistrySource(registryStore),
    invoker,
    cancellations: store,
    options: { log: (entry) => logs.push(entry), keepAliveMs: 0, cancelPollMs: POLL_MS },
  });
});

async function initialize(version = '2025-11-25'): Promise<string> {
  const response = await endpoint.handle(postRequest(initializeMessage(version)), context());
  await response.text();
  return response.headers.get('mcp-session-id')!;
}

function inSession(sessionId: string, body: unknown, version = '2025-11-25'): Request {
  return postRequest(body, { 'mcp-session-id': sessionId, 'mcp-protocol-version': version });
}

const hold = (id: CancelledRequestId) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'count', arguments: { steps: 1 } } });
const cancel = (requestId: unknown) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'user' } });
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
};

test('a cancel in a later POST stops the running invocation; the request gets an SSE stream that ends without an answer', async () => {
  const id = await initialize();
  const running = endpoint.handle(inSession(id, hold('call-1')), context());
  await until(() => invoker.running === 1);
  const accepted = await endpoint.handle(inSession(id, cancel('call-1')), context());
  expect(accepted.status).toBe(202);
  const response = await running;
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  expect(sseMessages(await response.text())).toEqual([]);
  expect(invoker.aborted).toBe(1);
  expect(logs).toEqual(expect.arrayContaining([
    expect.objectContaining({ level: 'info', message: 'the client cancelled a request', cancelledRequestId: 'call-1', reason: 'user' }),
    expect.objectContaining({ level: 'info', message: 'stopping a running request: cancelled' }),
  ]));
});

test('a DELETE stops the running invocation of the session', async () => {
  const id = await initialize();
  const running = endpoint.handle(inSession(id, hold(1)), context());
  await until(() => invoker.running === 1);
  const deleted = await endpoint.handle(new Request('http://127.0.0.1/mcp', { method: 'DELETE', headers: { 'mcp-session-id': id } }), context());
  expect(deleted.status).toBe(200);
  expect(sseMessages(await (await running).text())).toEqual([]);
  expect(invoker.aborted).toBe(1);
});

test('a cancel for another id, or of another session, does not stop the call; it ends with its result', async () => {
  const id = await initialize();
  const other = await initialize();
  const running = endpoint.handle(inSession(id, hold(1)), context());
  await until(() => invoker.running === 1);
  await endpoint.handle(inSession(id, cancel('1')), context()); // the string "1", not the number 1
  await endpoint.handle(inSession(other, cancel(1)), context());
  const readsBefore = store.reads;
  await until(() => store.reads >= readsBefore + 3);
  invoker.release();
  const response = await running;
  expect(await response.json()).toMatchObject({ id: 1, result: { content: [{ type: 'text', text: 'done' }] } });
  expect(invoker.aborted).toBe(0);
});

test('a marker older than the request (an earlier request with the same id) does not stop it', async () => {
  const id = await initialize();
  await store.inner.cancelRequest(id, 5, Date.now() - CANCEL_MARKER_MARGIN_MS - 5_000);
  const running = endpoint.handle(inSession(id, hold(5)), context());
  await until(() => invoker.running === 1);
  const readsBefore = store.reads;
  await until(() => store.reads >= readsBefore + 3);
  invoker.release();
  expect((await (await running).json()).id).toBe(5);
  expect(invoker.aborted).toBe(0);
});

test('a failed read is logged and read again; the cancel still lands', async () => {
  const id = await initialize();
  store.failReads = 2;
  const running = endpoint.handle(inSession(id, hold(2)), context());
  await until(() => invoker.running === 1);
  await endpoint.handle(inSession(id, cancel(2)), context());
  expect(sseMessages(await (await running).text())).toEqual([]);
  expect(logs.filter((l) => l.message === 'reading cancellation markers failed; retrying')).toHaveLength(2);
});

test('a marker that cannot be written is logged; what was posted beside it is still served', async () => {
  const id = await initialize(BATCH_PROTOCOL_VERSION);
  store.failWrites = 1;
  const echo = { jsonrpc: '2.0', id: 'e', method: 'tools/call', params: { name: 'echo', arguments: { message: 'still here' } } };
  const response = await endpoint.handle(inSession(id, [cancel('elsewhere'), echo], BATCH_PROTOCOL_VERSION), context());
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual([expect.objectContaining({ id: 'e', result: expect.objectContaining({ content: [{ type: 'text', text: 'still here' }] }) })]);
  expect(logs).toEqual(expect.arrayContaining([
    expect.objectContaining({ level: 'warn', message: 'a cancellation could not be recorded; the request runs on', error: 'Error: throttled' }),
  ]));
  store.failWrites = 1;
  expect((await endpoint.handle(inSession(id, cancel('elsewhere'), BATCH_PROTOCOL_VERSION), context())).status).toBe(202);
});

test('a call that ends before one interval reads no marker', async () => {
  const id = await initialize();
  for (let i = 0; i < 10; i++) {
    const response = await endpoint.handle(inSession(id, { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } }), context());
    expect((await response.json()).result.content[0].text).toBe('hi');
  }
  expect(store.reads).toBe(0);
});

test('malformed cancels are ignored; a batch writes at most MAX_CANCELS_PER_POST markers, one per id', async () => {
  const id = await initialize(BATCH_PROTOCOL_VERSION);
  const batch = [
    cancel({ an: 'object' }), cancel(null), cancel(undefined), cancel(true), cancel([1]),
    cancel(1), cancel(1), cancel('1'),
    ...Array.from({ length: 20 }, (_, i) => cancel(`id-${i}`)),
  ];
  const response = await endpoint.handle(inSession(id, batch, BATCH_PROTOCOL_VERSION), context());
  expect(response.status).toBe(202);
  expect(store.writes.map((w) => w.requestId)).toEqual([1, '1', 'id-0', 'id-1'].slice(0, MAX_CANCELS_PER_POST));
});

test('a cancel of a request in the same batch is the SDK\'s: no marker, no answer for it, the others answered', async () => {
  const id = await initialize(BATCH_PROTOCOL_VERSION);
  const echo = (n: number) => ({ jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'echo', arguments: { message: `m${n}` } } });
  const response = await endpoint.handle(inSession(id, [hold(9), cancel(9), echo(10)], BATCH_PROTOCOL_VERSION), context());
  const body = await response.text();
  const answers = response.headers.get('content-type')?.includes('json') ? JSON.parse(body) : sseMessages(body);
  expect(answers).toEqual([expect.objectContaining({ id: 10 })]);
  expect(store.writes).toEqual([]);
  await until(() => invoker.aborted === 1);
  // All cancelled: the POST's stream ends with no answer.
  const alone = await endpoint.handle(inSession(id, [hold(11), cancel(11)], BATCH_PROTOCOL_VERSION), context());
  expect(sseMessages(await alone.text())).toEqual([]);
  // A cancel placed before its request: the SDK, which delivers notifications a tick
  // after requests, cancels that request too; the exchange does not wait for it.
  const before = await endpoint.handle(inSession(id, [cancel(12), echo(12), echo(13)], BATCH_PROTOCOL_VERSION), context());
  expect(await before.json()).toEqual([expect.objectContaining({ id: 13 })]);
});

test('without a session no marker is written: 2026-07-28 cancels by closing the stream', async () => {
  // 2026-07-28 basic/patterns/cancellation, "Transport-Specific Cancellation": over
  // Streamable HTTP, closing the request's stream is the signal; there is no session.
  const response = await endpoint.handle(postRequest({ ...cancel(1) }, { 'mcp-protocol-version': '2026-07-28', 'accept': ACCEPT_BOTH }), context());
  await response.text();
  expect(store.writes).toEqual([]);
});
