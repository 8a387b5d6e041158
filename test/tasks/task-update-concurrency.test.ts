/**
 * `tasks/update` answers that arrive at the same time on different environments
 * (2026-07-28 tasks extension, "Task Update Requests": a client MAY answer a round in
 * several partial updates). Each environment is a TaskService with its own DynamoDB
 * client on one DynamoDB Local table; every answer must be kept, and exactly one of the
 * writers must resume the task.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TaskRecord } from '../../lambda-src/model/task-record';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbTaskStore } from '../../lambda-src/store/dynamodb-task-store';
import { MemoryTaskStore } from '../../lambda-src/store/memory-task-store';
import type { TaskStore } from '../../lambda-src/store/task-store';
import { TASK_EVENT_KEY, type TaskEvent } from '../../lambda-src/tasks/task-event';
import type { TaskRunner } from '../../lambda-src/tasks/task-runner';
import { TaskService } from '../../lambda-src/tasks/task-service';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';

const OWNER = 'principal#iam#arn:aws:iam::1:user/alice';
/** As many keys as one round may hold (s2c/input-required-contract.ts MAX_INPUT_REQUESTS). */
const KEYS = Array.from({ length: 8 }, (_, i) => `1.q${i}`);
const ROUNDS = 6;

let emulator: DynamoDbLocal;
let tableName: string;
const clients: DynamoDBDocumentClient[] = [];

beforeAll(async () => {
  emulator = await startDynamoDbLocal();
  tableName = (await createTestTables(emulator.endpoint)).sessionTable;
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await emulator?.stop();
});

class RecordingRunner implements TaskRunner {
  readonly started: TaskEvent[] = [];
  async start(event: TaskEvent): Promise<void> {
    this.started.push(event);
  }
}

let seq = 0;
function waitingTask(): TaskRecord {
  const now = Date.now();
  seq += 1;
  const ask = { method: 'elicitation/create', params: { message: 'value?', requestedSchema: { type: 'object', properties: {} } } };
  return {
    taskId: `${now.toString(36)}-${String(seq).padStart(6, '0')}`,
    owner: OWNER,
    status: 'input_required',
    createdAt: now,
    lastUpdatedAt: now,
    ttlMs: 600_000,
    pollIntervalMs: 2000,
    runDeadline: now + 600_000,
    expiresAt: Math.ceil(now / 1000) + 600,
    request: { method: 'tools/call', tool: 'multi', arguments: {}, protocolVersion: '2026-07-28', requestId: '1' },
    input: { round: 1, pending: Object.fromEntries(KEYS.map((k) => [k, ask])), answers: {}, requestState: 'kept' },
  };
}

/** One TaskService per environment, each on its own client. */
function environments(count: number, runner: TaskRunner): Array<{ service: TaskService; store: TaskStore }> {
  return Array.from({ length: count }, () => {
    const client = createDocumentClient({ endpoint: emulator.endpoint });
    clients.push(client);
    const store = new DynamoDbTaskStore({ client, tableName });
    return { store, service: new TaskService({ store, runner }) };
  });
}

test('eight partial updates at once on eight environments: every answer is kept and the task resumes once', async () => {
  const runner = new RecordingRunner();
  const envs = environments(KEYS.length, runner);
  for (let round = 0; round < ROUNDS; round++) {
    const task = waitingTask();
    await envs[0].store.create(task);
    await Promise.all(KEYS.map((key, i) => envs[i].service.provideInput(OWNER, task.taskId, { [key]: { action: 'accept', content: { i } } })));
    const stored = await envs[0].store.get(OWNER, task.taskId);
    expect(stored?.status).toBe('working');
    expect(Object.keys(stored!.input!.answers).sort()).toEqual([...KEYS].sort());
    KEYS.forEach((key, i) => expect(stored!.input!.answers[key]).toEqual({ action: 'accept', content: { i } }));
    expect(stored!.input!.requestState).toBe('kept');
    const resumes = runner.started.filter((e) => e[TASK_EVENT_KEY].taskId === task.taskId);
    expect(resumes.map((e) => e[TASK_EVENT_KEY].round)).toEqual([1]);
  }
}, 120_000);

test('the same key answered twice at once: the first answer stands, the other is ignored', async () => {
  const runner = new RecordingRunner();
  const envs = environments(4, runner);
  const task = waitingTask();
  await envs[0].store.create(task);
  await Promise.all(envs.map((env, i) => env.service.provideInput(OWNER, task.taskId, { [KEYS[0]]: { action: 'accept', content: { i } } })));
  const stored = await envs[0].store.get(OWNER, task.taskId);
  expect(stored?.status).toBe('input_required');
  expect(Object.keys(stored!.input!.answers)).toEqual([KEYS[0]]);
  expect(runner.started).toHaveLength(0);
});

test('an update after a cancel keeps nothing and resumes nothing', async () => {
  const runner = new RecordingRunner();
  const [env] = environments(1, runner);
  const task = waitingTask();
  await env.store.create(task);
  await env.service.requestCancel(OWNER, task.taskId);
  await env.service.provideInput(OWNER, task.taskId, Object.fromEntries(KEYS.map((k) => [k, { action: 'decline' }])));
  const stored = await env.store.get(OWNER, task.taskId);
  expect(stored?.status).toBe('cancelled');
  expect(stored?.input?.answers).toEqual({});
  expect(runner.started).toHaveLength(0);
});

test('the memory store makes the same compare-and-set', async () => {
  const store = new MemoryTaskStore();
  const task = waitingTask();
  await store.create(task);
  const read = (await store.get(OWNER, task.taskId))!.input!;
  const first = await store.update(OWNER, task.taskId, { status: 'input_required', input: { ...read, answers: { [KEYS[0]]: 1 } } }, ['input_required'], { input: read });
  expect(first?.input?.answers).toEqual({ [KEYS[0]]: 1 });
  // A second writer that read the same round loses.
  const second = await store.update(OWNER, task.taskId, { status: 'input_required', input: { ...read, answers: { [KEYS[1]]: 2 } } }, ['input_required'], { input: read });
  expect(second).toBeUndefined();
  expect((await store.get(OWNER, task.taskId))?.input?.answers).toEqual({ [KEYS[0]]: 1 });
});
