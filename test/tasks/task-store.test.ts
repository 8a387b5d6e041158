/** The TaskStore contract, against DynamoDB (on DynamoDB Local) and memory alike. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { canTransition, sourcesOf, type TaskRecord, toWireTask } from '../../lambda-src/model/task-record';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbTaskStore } from '../../lambda-src/store/dynamodb-task-store';
import { ItemTooLargeError } from '../../lambda-src/store/item-size';
import { MemoryTaskStore } from '../../lambda-src/store/memory-task-store';
import { InvalidTaskCursorError, type TaskStore } from '../../lambda-src/store/task-store';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';

class Clock {
  ms = Date.now();
  readonly now = () => this.ms;
}

let emulator: DynamoDbLocal | undefined;
const clients: DynamoDBDocumentClient[] = [];
afterAll(async () => {
  for (const c of clients) c.destroy();
  await emulator?.stop();
});

const VARIANTS: Array<[string, (clock: Clock) => Promise<TaskStore>]> = [
  ['DynamoDB', async (clock) => {
    emulator ??= await startDynamoDbLocal();
    const { sessionTable } = await createTestTables(emulator.endpoint);
    const client = createDocumentClient({ endpoint: emulator.endpoint });
    clients.push(client);
    return new DynamoDbTaskStore({ client, tableName: sessionTable, now: clock.now });
  }],
  ['memory', async (clock) => new MemoryTaskStore({ now: clock.now })],
];

let seq = 0;
function task(clock: Clock, overrides: Partial<TaskRecord> = {}): TaskRecord {
  seq += 1;
  return {
    taskId: `${clock.ms.toString(36)}-${String(seq).padStart(6, '0')}`,
    owner: 'principal#iam#arn:aws:iam::1:user/alice',
    status: 'working',
    createdAt: clock.ms,
    lastUpdatedAt: clock.ms,
    ttlMs: 60_000,
    pollIntervalMs: 2000,
    runDeadline: clock.ms + 120_000,
    expiresAt: Math.ceil(clock.ms / 1000) + 60,
    request: { method: 'tools/call', tool: 'echo', arguments: { message: 'hi' }, protocolVersion: '2025-11-25', requestId: '1' },
    ...overrides,
  };
}

test('the state machine of 2025-11-25 tasks: terminal statuses never change', () => {
  expect(canTransition('working', 'input_required')).toBe(true);
  expect(canTransition('input_required', 'working')).toBe(true);
  expect(canTransition('working', 'completed')).toBe(true);
  expect(canTransition('completed', 'failed')).toBe(false);
  expect(canTransition('cancelled', 'completed')).toBe(false);
  expect(sourcesOf('cancelled')).toEqual(['working', 'input_required']);
});

test('the wire Task has ISO times, ttl, and pollInterval only while running', () => {
  const clock = new Clock();
  clock.ms = Date.UTC(2025, 10, 25, 10, 30);
  const wire = toWireTask(task(clock));
  expect(wire).toMatchObject({ status: 'working', createdAt: '2025-11-25T10:30:00.000Z', lastUpdatedAt: '2025-11-25T10:30:00.000Z', ttl: 60_000, pollInterval: 2000 });
  expect(toWireTask({ ...task(clock), status: 'completed' }).pollInterval).toBeUndefined();
});

describe.each(VARIANTS)('%s task store', (_name, make) => {
  let clock: Clock;
  let store: TaskStore;
  beforeEach(async () => {
    clock = new Clock();
    store = await make(clock);
  });

  test('a task is found by its owner only', async () => {
    const t = task(clock);
    await store.create(t);
    expect(await store.get(t.owner, t.taskId)).toEqual(t);
    expect(await store.get('principal#iam#arn:aws:iam::1:user/mallory', t.taskId)).toBeUndefined();
  });

  test('an update applies only from an allowed status, so a cancelled task stays cancelled', async () => {
    const t = task(clock);
    await store.create(t);
    clock.ms += 1000;
    const cancelled = await store.update(t.owner, t.taskId, { status: 'cancelled', statusMessage: 'by request' }, sourcesOf('cancelled'));
    expect(cancelled).toMatchObject({ status: 'cancelled', statusMessage: 'by request', lastUpdatedAt: clock.ms });
    const late = await store.update(t.owner, t.taskId, { status: 'completed', outcome: { result: { content: [] } } }, sourcesOf('completed'));
    expect(late).toBeUndefined();
    expect((await store.get(t.owner, t.taskId))?.status).toBe('cancelled');
    expect((await store.get(t.owner, t.taskId))?.outcome).toBeUndefined();
  });

  test('the outcome is kept exactly', async () => {
    const t = task(clock);
    await store.create(t);
    const result = { content: [{ type: 'text', text: 'ok' }], structuredContent: { deep: [1, { x: null }] }, isError: false };
    await store.update(t.owner, t.taskId, { status: 'completed', outcome: { result } }, sourcesOf('completed'));
    expect((await store.get(t.owner, t.taskId))?.outcome).toEqual({ result });
  });

  test('an outcome too large for an item is refused with a message naming the task', async () => {
    const t = task(clock);
    await store.create(t);
    const text = 'x'.repeat(400 * 1024);
    await expect(store.update(t.owner, t.taskId, { status: 'completed', outcome: { result: { content: [{ type: 'text', text }] } } }, sourcesOf('completed')))
      .rejects.toThrow(ItemTooLargeError);
  });

  test('a task is claimed once', async () => {
    const t = task(clock);
    await store.create(t);
    expect(await store.claim(t.owner, t.taskId)).toBe('claimed');
    expect(await store.claim(t.owner, t.taskId)).toBe('already-claimed');
    expect(await store.claim(t.owner, 'nope')).toBe('gone');
    expect((await store.get(t.owner, t.taskId))?.startedAt).toBe(clock.ms);
  });

  test('an input round is kept, replaced and removed; each resumed round is claimed once', async () => {
    const t = task(clock);
    await store.create(t);
    const input = { round: 1, pending: { '1.confirm': { method: 'elicitation/create', params: { message: 'ok?' } } }, answers: {}, requestState: 'mine' };
    const waiting = await store.update(t.owner, t.taskId, { status: 'input_required', input, runDeadline: t.expiresAt * 1000 }, ['working']);
    expect(waiting).toMatchObject({ status: 'input_required', input, runDeadline: t.expiresAt * 1000 });
    const answered = { ...input, answers: { '1.confirm': { action: 'accept' } } };
    await store.update(t.owner, t.taskId, { status: 'working', input: answered }, ['input_required']);
    expect((await store.get(t.owner, t.taskId))?.input).toEqual(answered);
    expect(await store.claimRound(t.owner, t.taskId, 1)).toBe('claimed');
    expect(await store.claimRound(t.owner, t.taskId, 1)).toBe('already-claimed');
    expect(await store.claimRound(t.owner, t.taskId, 2)).toBe('claimed');
    expect(await store.claimRound(t.owner, 'nope', 3)).toBe('gone');
    await store.update(t.owner, t.taskId, { status: 'completed', outcome: { result: { content: [] } }, input: null }, sourcesOf('completed'));
    const done = await store.get(t.owner, t.taskId);
    expect(done?.input).toBeUndefined();
    expect(done?.claimedRound).toBe(2);
  });

  test('an expired task is gone for every operation, before TTL deletes it', async () => {
    const t = task(clock);
    await store.create(t);
    clock.ms += 61_000;
    expect(await store.get(t.owner, t.taskId)).toBeUndefined();
    expect(await store.update(t.owner, t.taskId, { status: 'cancelled' }, sourcesOf('cancelled'))).toBeUndefined();
    expect(await store.claim(t.owner, t.taskId)).toBe('gone');
    expect((await store.list(t.owner, undefined, 10)).tasks).toEqual([]);
  });

  test('list pages through the owner\'s tasks in creation order, with an opaque cursor', async () => {
    const mine = [task(clock), task(clock), task(clock), task(clock), task(clock)];
    for (const t of mine) await store.create(t);
    await store.create(task(clock, { owner: 'someone-else' }));
    const first = await store.list(mine[0].owner, undefined, 2);
    expect(first.tasks.map((t) => t.taskId)).toEqual(mine.slice(0, 2).map((t) => t.taskId));
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await store.list(mine[0].owner, first.nextCursor, 2);
    const third = await store.list(mine[0].owner, second.nextCursor, 2);
    expect([...second.tasks, ...third.tasks].map((t) => t.taskId)).toEqual(mine.slice(2).map((t) => t.taskId));
    expect(third.nextCursor).toBeUndefined();
    await expect(store.list(mine[0].owner, 'not-a-cursor', 2)).rejects.toThrow(InvalidTaskCursorError);
  });
});
