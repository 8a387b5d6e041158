/**
 * Amplification: what one POST can make the server do.
 *
 * - A 2025-03-26 batch has at most MAX_BATCH_MESSAGES (100) elements; a larger one is
 *   refused whole (400, -32600) before any element runs. Before: a batch of 1,000
 *   `tools/call` was served.
 * - One request runs at most MAX_CONCURRENT_INVOCATIONS_PER_REQUEST (10) function
 *   invocations at once; the rest get -32000 and invoke nothing. Before: every element
 *   of a batch invoked its function at once.
 * - A batch of `logging/setLevel` is one session write; a batch of answers to requests
 *   that were never sent is a few conditional writes at a time. Before: one write per
 *   element, all at once, exhausting the DynamoDB pool (503, some setLevels -32603).
 *   End to end on DynamoDB Local: no 5xx, every element answered.
 */
import type { RegistryItem, FunctionTarget } from '../../lambda-src/model/registry-item';
import { MAX_BATCH_MESSAGES } from '../../lambda-src/protocol/json-rpc-message';
import { MAX_CONCURRENT_INVOCATIONS_PER_REQUEST } from '../../lambda-src/protocol/server-builder';
import { MAX_CONCURRENT_ANSWER_WRITES, storeClientAnswers } from '../../lambda-src/s2c/client-answers';
import { MemoryPendingRequestStore } from '../../lambda-src/store/memory-pending-request-store';
import type { ClientAnswer } from '../../lambda-src/store/pending-request-store';
import type { InvokeOptions, InvokeOutcome } from '../../lambda-src/tools/tool-invoker';
import { testConfig, TestToolInvoker, TOOLS } from '../protocol/endpoint-fixture';
import type { WebRequestServer } from '../protocol/web-request-server';
import { createHarness, type Harness, openHarnessSession, RecordingInvoker, urlEvent } from '../reliability/handler-harness';
import { post } from '../reliability/raw-client';
import { createTestTables, type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';
import { startRuntimeServer } from '../support/runtime-server';

const SLOW: RegistryItem = {
  type: 'tool',
  name: 'slow',
  inputSchema: { type: 'object' },
  lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:slow',
};

/** Holds every invocation until `release()`, counting how many run at once. */
class GatedInvoker extends RecordingInvoker {
  active = 0;
  maxActive = 0;
  private readonly waiting: Array<() => void> = [];
  async invoke(target: FunctionTarget, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome> {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active--;
    return super.invoke(target, event, options);
  }
  release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

function batchOf(size: number, message: (i: number) => Record<string, unknown>): string {
  return JSON.stringify(Array.from({ length: size }, (_, i) => ({ jsonrpc: '2.0', ...message(i) })));
}

describe('in process (the real handler, in-memory stores)', () => {
  let harness: Harness;
  let invoker: GatedInvoker;
  let session: string;
  const headers = () => ({ 'mcp-session-id': session, 'mcp-protocol-version': '2025-03-26' });

  beforeAll(async () => {
    invoker = new GatedInvoker();
    harness = await createHarness([SLOW], { maxBodyBytes: 1024 * 1024 }, invoker);
    session = await openHarnessSession(harness, '2025-03-26');
  });

  test.each([MAX_BATCH_MESSAGES + 1, 1_000, 3_000])('a batch of %d messages is refused whole: 400, -32600, nothing runs or is written', async (size) => {
    const before = await harness.sessions.snapshot();
    const writes = harness.sessions.writes;
    const answer = await harness.send(urlEvent({ body: batchOf(size, (i) => ({ id: i, method: 'tools/call', params: { name: 'slow', arguments: {} } })), headers: headers() }));
    expect(answer.status).toBe(400);
    expect(answer.messages?.[0]).toMatchObject({ id: null, error: { code: -32600, message: expect.stringContaining(`at most ${MAX_BATCH_MESSAGES}`) } });
    expect(invoker.events).toHaveLength(0);
    expect(harness.sessions.writes).toBe(writes);
    expect(await harness.sessions.snapshot()).toEqual(before);
  });

  test(`a batch of ${MAX_BATCH_MESSAGES} tools/call invokes at most ${MAX_CONCURRENT_INVOCATIONS_PER_REQUEST} at once; the rest get -32000`, async () => {
    const sent = harness.send(urlEvent({ body: batchOf(MAX_BATCH_MESSAGES, (i) => ({ id: i, method: 'tools/call', params: { name: 'slow', arguments: {} } })), headers: headers() }));
    // Let every element reach its handler before the gate opens (bounded by count, not time).
    for (let spins = 0; spins < 1000 && invoker.active < MAX_BATCH_MESSAGES; spins++) await new Promise((resolve) => setImmediate(resolve));
    invoker.release();
    const answer = await sent;
    expect(answer.status).toBe(200);
    expect(invoker.maxActive).toBe(MAX_CONCURRENT_INVOCATIONS_PER_REQUEST);
    const messages = answer.messages!;
    expect(messages).toHaveLength(MAX_BATCH_MESSAGES);
    const refused = messages.filter((m) => m.error?.code === -32000);
    expect(refused).toHaveLength(MAX_BATCH_MESSAGES - MAX_CONCURRENT_INVOCATIONS_PER_REQUEST);
    expect(refused[0].error.message).toMatch(/Too many function invocations in one request: at most 10/);
    expect(messages.filter((m) => m.result !== undefined)).toHaveLength(MAX_CONCURRENT_INVOCATIONS_PER_REQUEST);
    expect(invoker.events).toHaveLength(MAX_CONCURRENT_INVOCATIONS_PER_REQUEST);
  });

  test('regression: one tools/call per POST, repeated, is never refused by the bound', async () => {
    invoker.events.length = 0;
    for (let i = 0; i < MAX_CONCURRENT_INVOCATIONS_PER_REQUEST + 2; i++) {
      const sent = harness.send(urlEvent({ body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'slow', arguments: {} } }), headers: headers() }));
      for (let spins = 0; spins < 1000 && invoker.active < 1; spins++) await new Promise((resolve) => setImmediate(resolve));
      invoker.release();
      expect((await sent).messages?.[0]).toMatchObject({ id: i, result: expect.anything() });
    }
  });

  test(`a batch of ${MAX_BATCH_MESSAGES} logging/setLevel is one session write, and the last level holds`, async () => {
    const writes = harness.sessions.writes;
    const levels = ['debug', 'info', 'warning', 'error'];
    const answer = await harness.send(urlEvent({ body: batchOf(MAX_BATCH_MESSAGES, (i) => ({ id: i, method: 'logging/setLevel', params: { level: levels[i % 4] } })), headers: headers() }));
    expect(answer.status).toBe(200);
    expect(answer.messages!.every((m) => m.result !== undefined)).toBe(true);
    expect(harness.sessions.writes - writes).toBe(1);
    expect((await harness.sessions.get(session))?.logLevel).toBe('error');
  });

  test('an invalid level later in the batch does not replace the last valid one', async () => {
    const answer = await harness.send(urlEvent({ body: batchOf(2, (i) => ({ id: i, method: 'logging/setLevel', params: { level: i === 0 ? 'notice' : 'loud' } })), headers: headers() }));
    expect(answer.messages!.find((m) => m.id === 1)).toMatchObject({ error: { code: -32602 } });
    expect((await harness.sessions.get(session))?.logLevel).toBe('notice');
  });
});

test(`answers to requests never sent are written at most ${MAX_CONCURRENT_ANSWER_WRITES} at a time, once per id`, async () => {
  let active = 0;
  let maxActive = 0;
  let calls = 0;
  const inner = new MemoryPendingRequestStore();
  const store = Object.assign(Object.create(inner) as MemoryPendingRequestStore, {
    async answer(sessionId: string, wireId: string, answer: ClientAnswer): Promise<boolean> {
      calls++;
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setImmediate(resolve));
      active--;
      return inner.answer(sessionId, wireId, answer);
    },
  });
  const messages = Array.from({ length: MAX_BATCH_MESSAGES }, (_, i) => ({ jsonrpc: '2.0' as const, id: `s2c-${i % 50}`, result: {} }));
  expect(await storeClientAnswers(store, 'session', messages)).toBe(0);
  expect(calls).toBe(50);
  expect(maxActive).toBe(MAX_CONCURRENT_ANSWER_WRITES);
});

describe('end to end on DynamoDB Local: large batches never get a 5xx', () => {
  let ddb: DynamoDbLocal;
  let server: WebRequestServer;

  beforeAll(async () => {
    ddb = await startDynamoDbLocal();
    const { sessionTable } = await createTestTables(ddb.endpoint);
    const readme: RegistryItem = { type: 'resource', uri: 'file:///readme.md', name: 'readme', mimeType: 'text/markdown', text: '# hi' };
    server = await startRuntimeServer([...TOOLS, readme], {
      config: testConfig({ sessionTable, dynamoDbEndpoint: ddb.endpoint, maxBodyBytes: 1024 * 1024 }),
      invoker: new TestToolInvoker(),
      log: () => undefined,
    });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await ddb?.stop();
  });

  async function legacySession(): Promise<Record<string, string>> {
    const init = await post(server.url.href, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'a', version: '1' } } });
    const id = init.headers.get('mcp-session-id')!;
    const h = { 'mcp-session-id': id, 'mcp-protocol-version': '2025-03-26' };
    await post(server.url.href, { jsonrpc: '2.0', method: 'notifications/initialized' }, h);
    return h;
  }

  test(`${MAX_BATCH_MESSAGES} logging/setLevel and ${MAX_BATCH_MESSAGES} stray answers: every element answered, no 5xx`, async () => {
    const h = await legacySession();
    const levels = await post(server.url.href, batchOf(MAX_BATCH_MESSAGES, (i) => ({ id: i, method: 'logging/setLevel', params: { level: 'info' } })), h);
    expect(levels.status).toBe(200);
    expect(levels.messages).toHaveLength(MAX_BATCH_MESSAGES);
    expect(levels.messages.every((m) => m.result !== undefined)).toBe(true);
    const answers = await post(server.url.href, batchOf(MAX_BATCH_MESSAGES, (i) => ({ id: `s2c-never-sent-${i}`, result: {} })), h);
    expect(answers.status).toBe(202);
  });

  test(`${MAX_BATCH_MESSAGES} resources/subscribe and ${MAX_BATCH_MESSAGES} tools/call in batches: every element answered, no 5xx`, async () => {
    const h = await legacySession();
    const subscribed = await post(server.url.href, batchOf(MAX_BATCH_MESSAGES, (i) => ({ id: i, method: 'resources/subscribe', params: { uri: `file:///readme.md?v=${i}` } })), h);
    expect(subscribed.status).toBe(200);
    expect(subscribed.messages).toHaveLength(MAX_BATCH_MESSAGES);
    expect(subscribed.messages.every((m) => m.result !== undefined)).toBe(true);
    const calls = await post(server.url.href, batchOf(MAX_BATCH_MESSAGES, (i) => ({ id: i, method: 'tools/call', params: { name: 'echo', arguments: { message: `m${i}` } } })), h);
    expect(calls.status).toBe(200);
    expect(calls.messages).toHaveLength(MAX_BATCH_MESSAGES);
    const served = calls.messages.filter((m) => m.result !== undefined).length;
    const refused = calls.messages.filter((m) => m.error?.code === -32000).length;
    expect(served + refused).toBe(MAX_BATCH_MESSAGES);
    expect(served).toBeGreaterThanOrEqual(MAX_CONCURRENT_INVOCATIONS_PER_REQUEST);
  });

  test('a batch of 3,000 is a 400, not a 5xx', async () => {
    const h = await legacySession();
    const big = await post(server.url.href, batchOf(3_000, (i) => ({ id: i, method: 'logging/setLevel', params: { level: 'info' } })), h);
    expect(big.status).toBe(400);
    expect(big.messages[0]).toMatchObject({ error: { code: -32600 } });
  });

  test('regression: a small batch works as before', async () => {
    const h = await legacySession();
    const small = await post(server.url.href, batchOf(3, (i) => ({ id: i, method: 'ping' })), h);
    expect(small.status).toBe(200);
    expect(small.messages.map((m) => m.id).sort()).toEqual([0, 1, 2]);
  });
});
