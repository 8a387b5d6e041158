/**
 * The PendingRequestStore contract, against DynamoDB (on DynamoDB Local) and memory
 * alike, and the relay across two "environments" that share only the store.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { storeClientAnswers } from '../../lambda-src/s2c/client-answers';
import { RELAY_TIMEOUT_CODE, RELAYED_ID_PREFIX, ServerRequestRelay } from '../../lambda-src/s2c/server-request-relay';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbPendingRequestStore } from '../../lambda-src/store/dynamodb-pending-request-store';
import { MemoryPendingRequestStore } from '../../lambda-src/store/memory-pending-request-store';
import { MAX_ANSWER_BYTES, type PendingRequestStore } from '../../lambda-src/store/pending-request-store';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';

class Clock {
  ms = Date.now();
  readonly now = () => this.ms;
  get seconds() {
    return Math.floor(this.ms / 1000);
  }
}

interface Variant {
  store: PendingRequestStore;
  /** A second store on the same backing data: another execution environment. */
  other: PendingRequestStore;
  clock: Clock;
}

let emulator: DynamoDbLocal | undefined;
const clients: DynamoDBDocumentClient[] = [];

const VARIANTS: Array<[string, () => Promise<Variant>]> = [
  ['DynamoDB', async () => {
    emulator ??= await startDynamoDbLocal();
    const { sessionTable } = await createTestTables(emulator.endpoint);
    const clock = new Clock();
    const a = createDocumentClient({ endpoint: emulator.endpoint });
    const b = createDocumentClient({ endpoint: emulator.endpoint });
    clients.push(a, b);
    return {
      store: new DynamoDbPendingRequestStore({ client: a, tableName: sessionTable, now: clock.now }),
      other: new DynamoDbPendingRequestStore({ client: b, tableName: sessionTable, now: clock.now }),
      clock,
    };
  }],
  ['memory', async () => {
    const clock = new Clock();
    const store = new MemoryPendingRequestStore({ now: clock.now });
    return { store, other: store, clock };
  }],
];

afterAll(async () => {
  for (const c of clients) c.destroy();
  await emulator?.stop();
});

const sessionId = () => randomBytes(32).toString('base64url').slice(0, 43);

describe.each(VARIANTS)('%s pending request store', (_name, make) => {
  let v: Variant;
  beforeEach(async () => {
    v = await make();
  });

  test('an answer written by another environment is read back', async () => {
    const s = sessionId();
    await v.store.open(s, 's2c-1', v.clock.seconds + 60);
    expect(await v.store.read(s, 's2c-1')).toEqual({ state: 'waiting' });
    expect(await v.other.answer(s, 's2c-1', { result: { action: 'accept', content: { name: 'x' } } })).toBe(true);
    expect(await v.store.read(s, 's2c-1')).toEqual({ state: 'answered', answer: { result: { action: 'accept', content: { name: 'x' } } } });
  });

  test('a second answer, an unknown id and another session are refused', async () => {
    const s = sessionId();
    await v.store.open(s, 's2c-2', v.clock.seconds + 60);
    expect(await v.other.answer(s, 's2c-2', { result: { n: 1 } })).toBe(true);
    expect(await v.other.answer(s, 's2c-2', { result: { n: 2 } })).toBe(false);
    expect(await v.other.answer(s, 's2c-unknown', { result: {} })).toBe(false);
    expect(await v.other.answer(sessionId(), 's2c-2', { result: {} })).toBe(false);
    expect(await v.store.read(s, 's2c-2')).toEqual({ state: 'answered', answer: { result: { n: 1 } } });
  });

  test('an expired request takes no answer and reads as gone', async () => {
    const s = sessionId();
    await v.store.open(s, 's2c-3', v.clock.seconds + 5);
    v.clock.ms += 6_000;
    expect(await v.other.answer(s, 's2c-3', { result: {} })).toBe(false);
    expect(await v.store.read(s, 's2c-3')).toEqual({ state: 'gone' });
  });

  test('close forgets the request', async () => {
    const s = sessionId();
    await v.store.open(s, 's2c-4', v.clock.seconds + 60);
    await v.store.close(s, 's2c-4');
    expect(await v.store.read(s, 's2c-4')).toEqual({ state: 'gone' });
    expect(await v.other.answer(s, 's2c-4', { result: {} })).toBe(false);
  });

  test('an answer too large to keep becomes an error that says so', async () => {
    const s = sessionId();
    await v.store.open(s, 's2c-5', v.clock.seconds + 60);
    const huge = 'x'.repeat(MAX_ANSWER_BYTES + 1);
    expect(await v.other.answer(s, 's2c-5', { result: { content: { type: 'text', text: huge } } })).toBe(true);
    const read = await v.store.read(s, 's2c-5');
    expect(read.state).toBe('answered');
    expect(read.state === 'answered' && 'error' in read.answer && read.answer.error.message).toMatch(/over the 358400-byte limit/);
  });

  test('the relay hands the SDK the answering POST\'s response under the SDK\'s own id', async () => {
    const s = sessionId();
    const relay = new ServerRequestRelay({ store: v.store, sessionId: s, deadline: Date.now() + 60_000, firstPollMs: 5, maxPollIntervalMs: 20 });
    const sent = await relay.dispatch({ jsonrpc: '2.0', id: 0, method: 'elicitation/create', params: { message: 'hi', requestedSchema: { type: 'object', properties: {} } } });
    expect(typeof sent.wire.id).toBe('string');
    expect(String(sent.wire.id).startsWith(RELAYED_ID_PREFIX)).toBe(true);
    expect(sent.wire.method).toBe('elicitation/create');
    // The client answers on another POST, served by another environment.
    const posted: JSONRPCMessage[] = [
      { jsonrpc: '2.0', id: sent.wire.id, result: { action: 'decline' } } as JSONRPCMessage,
      { jsonrpc: '2.0', id: 7, result: {} } as JSONRPCMessage, // not a relayed id: ignored
    ];
    expect(await storeClientAnswers(v.other, s, posted)).toBe(1);
    await expect(sent.response).resolves.toEqual({ jsonrpc: '2.0', id: 0, result: { action: 'decline' } });
  });

  test('a client\'s error response reaches the SDK as that error', async () => {
    const s = sessionId();
    const relay = new ServerRequestRelay({ store: v.store, sessionId: s, deadline: Date.now() + 60_000, firstPollMs: 5, maxPollIntervalMs: 20 });
    const sent = await relay.dispatch({ jsonrpc: '2.0', id: 3, method: 'sampling/createMessage', params: { messages: [], maxTokens: 5 } });
    await storeClientAnswers(v.other, s, [{ jsonrpc: '2.0', id: sent.wire.id, error: { code: -1, message: 'User rejected sampling request' } } as JSONRPCMessage]);
    await expect(sent.response).resolves.toEqual({ jsonrpc: '2.0', id: 3, error: { code: -1, message: 'User rejected sampling request' } });
  });

  test('without an answer the wait ends before the deadline with a timeout error', async () => {
    const s = sessionId();
    const relay = new ServerRequestRelay({
      store: v.store, sessionId: s, deadline: Date.now() + 150, endMarginMs: 100, firstPollMs: 5, maxPollIntervalMs: 10,
    });
    const sent = await relay.dispatch({ jsonrpc: '2.0', id: 1, method: 'elicitation/create', params: { message: 'x', requestedSchema: { type: 'object', properties: {} } } });
    const response = await sent.response as { error?: { code: number; message: string } };
    expect(response.error?.code).toBe(RELAY_TIMEOUT_CODE);
    expect(response.error?.message).toMatch(/did not answer before this invocation had to end/);
  });

  test('when the exchange ends the wait delivers nothing and forgets the request', async () => {
    const s = sessionId();
    const ended = new AbortController();
    const relay = new ServerRequestRelay({
      store: v.store, sessionId: s, deadline: Date.now() + 60_000, signal: ended.signal, firstPollMs: 5, maxPollIntervalMs: 10,
    });
    const sent = await relay.dispatch({ jsonrpc: '2.0', id: 2, method: 'roots/list' });
    ended.abort();
    await expect(sent.response).resolves.toBeUndefined();
    // The record is closed in the background; a late answer then finds nothing.
    for (let i = 0; i < 50 && (await v.store.read(s, String(sent.wire.id))).state !== 'gone'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await v.other.answer(s, String(sent.wire.id), { result: { roots: [] } })).toBe(false);
  });
});
