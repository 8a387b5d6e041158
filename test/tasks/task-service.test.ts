/**
 * Tasks end to end below the protocol layer: the TaskService creates a task and starts
 * it with a real asynchronous Lambda Invoke (the real @aws-sdk/client-lambda against
 * a local endpoint speaking Lambda's wire format); the "self" function there runs
 * the executor as a separate invocation would, on a store shared through DynamoDB
 * Local by separate clients (separate environments). Tools are Lambda functions on
 * the same endpoint, invoked by the real LambdaInvoker.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ProtocolError } from '@modelcontextprotocol/server';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbTaskStore } from '../../lambda-src/store/dynamodb-task-store';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemoryTaskStore } from '../../lambda-src/store/memory-task-store';
import { LambdaTaskRunner } from '../../lambda-src/tasks/lambda-task-runner';
import { LocalTaskRunner } from '../../lambda-src/tasks/local-task-runner';
import { isTaskEvent, TASK_EVENT_KEY, type TaskEvent } from '../../lambda-src/tasks/task-event';
import { executeTask, type TaskRunOutcome } from '../../lambda-src/tasks/task-executor';
import { taskOwner } from '../../lambda-src/tasks/task-owner';
import { TaskService } from '../../lambda-src/tasks/task-service';
import { LambdaInvoker } from '../../lambda-src/tools/lambda-invoker';
import { testConfig } from '../protocol/endpoint-fixture';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { FakeLambdaEndpoint } from '../support/fake-lambda-endpoint';

const ALICE = taskOwner({ kind: 'iam', id: 'arn:aws:iam::1:user/alice' }, undefined);
const MALLORY = taskOwner({ kind: 'iam', id: 'arn:aws:iam::1:user/mallory' }, undefined);
const FN = 'arn:aws:lambda:us-east-1:123456789012:function';

let emulator: DynamoDbLocal;
let lambda: FakeLambdaEndpoint;
const clients: DynamoDBDocumentClient[] = [];
/** Runs of the executor started by the "self" function, by task id. */
const runs = new Map<string, Promise<TaskRunOutcome>>();
let releaseSlow: (() => void) | undefined;
let echoCalls = 0;
let service: TaskService;
let serviceStore: DynamoDbTaskStore;

beforeAll(async () => {
  emulator = await startDynamoDbLocal();
  lambda = await FakeLambdaEndpoint.start();
  const { sessionTable } = await createTestTables(emulator.endpoint);
  const envA = createDocumentClient({ endpoint: emulator.endpoint });
  const envB = createDocumentClient({ endpoint: emulator.endpoint });
  clients.push(envA, envB);
  serviceStore = new DynamoDbTaskStore({ client: envA, tableName: sessionTable });
  const registryStore = new MemoryRegistryStore();
  for (const name of ['echo', 'slow', 'broken']) {
    await registryStore.put({ type: 'tool', name, inputSchema: { type: 'object' }, lambdaArn: `${FN}:${name}` });
  }
  const executorDeps = {
    config: testConfig(),
    store: new DynamoDbTaskStore({ client: envB, tableName: sessionTable }),
    registry: new RegistrySource(registryStore),
    invoker: new LambdaInvoker({ clientConfig: lambda.clientConfig() }),
    cancelPollMs: 50,
  };
  lambda
    .register('mcp-server', (event) => {
      // An asynchronous invocation: queued, answered at once, run on its own.
      if (!isTaskEvent(event)) throw new Error('not a task event');
      runs.set(event[TASK_EVENT_KEY].taskId, executeTask(executorDeps, event, { requestId: 'async-1', deadline: Date.now() + 60_000 }));
      return null;
    })
    .register('echo', (event) => {
      echoCalls += 1;
      return { content: [{ type: 'text', text: `echo ${JSON.stringify((event as { arguments: unknown }).arguments)}` }] };
    })
    .register('slow', () => new Promise((resolve) => {
      releaseSlow = () => resolve({ content: [{ type: 'text', text: 'slow done' }] });
    }))
    .register('broken', () => {
      throw new Error('disk full');
    });
  service = new TaskService({
    store: serviceStore,
    runner: new LambdaTaskRunner({ functionName: 'mcp-server', clientConfig: lambda.clientConfig() }),
    resultPollMs: 20,
  });
});

afterAll(async () => {
  releaseSlow?.();
  await lambda?.close();
  for (const c of clients) c.destroy();
  await emulator?.stop();
});

function create(tool: string, args: Record<string, unknown> = {}, owner = ALICE) {
  return service.create({
    owner,
    request: { method: 'tools/call', tool, arguments: args, protocolVersion: '2025-11-25', requestId: '7' },
    requestedTtlMs: 120_000,
    runLimitMs: 10_000,
  });
}

function release(): void {
  releaseSlow?.();
}

/** Until the slow tool is running in the task's invocation. */
async function untilToolRuns(): Promise<void> {
  while (!releaseSlow) await new Promise((r) => setTimeout(r, 10));
}

async function protocolError(promise: Promise<unknown>): Promise<ProtocolError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('expected a ProtocolError');
}

test('a task-augmented call returns a working task at once and runs in an asynchronous self-invocation', async () => {
  const before = lambda.invocations.length;
  const { task } = await create('echo', { message: 'hi' });
  expect(task).toMatchObject({ status: 'working', ttl: 120_000, pollInterval: 2000 });
  const invoke = lambda.invocations[before];
  expect(invoke.functionName).toBe('mcp-server');
  expect(invoke.invocationType).toBe('Event');
  expect(invoke.payload).toEqual({ mcpLambdaServerTask: { version: 1, owner: ALICE, taskId: task.taskId } });

  const result = await service.result(ALICE, task.taskId, { deadline: Date.now() + 30_000 });
  expect(result).toEqual({
    content: [{ type: 'text', text: 'echo {"message":"hi"}' }],
    _meta: { 'io.modelcontextprotocol/related-task': { taskId: task.taskId } },
  });
  expect(await service.get(ALICE, task.taskId)).toMatchObject({ status: 'completed' });
  expect(await runs.get(task.taskId)).toBe('completed');
  // The tool got the task's id beside the usual tool event.
  const toolCall = lambda.invocations.find((i) => i.functionName.endsWith(':echo') && (i.payload as { task?: { taskId: string } }).task?.taskId === task.taskId);
  expect(toolCall?.invocationType).toBe('RequestResponse');
});

test('another principal finds none of it', async () => {
  const { task } = await create('echo', { message: 'secret' });
  await runs.get(task.taskId);
  const calls = [
    service.get(MALLORY, task.taskId),
    service.result(MALLORY, task.taskId, { deadline: Date.now() + 5000 }),
    service.cancel(MALLORY, task.taskId),
  ];
  for (const call of calls) {
    const error = await protocolError(call);
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/Task not found/);
  }
  expect((await service.list(MALLORY, undefined)).tasks).toEqual([]);
  expect((await service.list(ALICE, undefined)).tasks.map((t) => t.taskId)).toContain(task.taskId);
});

test('a tool error fails the task, and tasks/result returns the isError result', async () => {
  const { task } = await create('broken');
  const result = await service.result(ALICE, task.taskId, { deadline: Date.now() + 30_000 });
  expect(result).toMatchObject({ isError: true, content: [{ type: 'text', text: "tool 'broken' failed: disk full" }] });
  expect((await service.get(ALICE, task.taskId)).status).toBe('failed');
});

test('cancel reaches the running invocation, which stops waiting for the tool; the task stays cancelled', async () => {
  const { task } = await create('slow');
  await untilToolRuns();
  const cancelled = await service.cancel(ALICE, task.taskId);
  expect(cancelled).toMatchObject({ status: 'cancelled', statusMessage: 'The task was cancelled by request.' });
  expect(await runs.get(task.taskId)).toBe('cancelled');
  releaseSlow?.();
  expect((await service.get(ALICE, task.taskId)).status).toBe('cancelled');
  const again = await protocolError(service.cancel(ALICE, task.taskId));
  expect(again.code).toBe(-32602);
  expect(again.message).toMatch(/already cancelled/);
  const result = await protocolError(service.result(ALICE, task.taskId, { deadline: Date.now() + 5000 }));
  expect(result.message).toMatch(/was cancelled before it produced a result/);
});

test('Lambda retrying a task invocation does not run the tool twice', async () => {
  const calls = echoCalls;
  const { task } = await create('echo', { message: 'once' });
  expect(await runs.get(task.taskId)).toBe('completed');
  // The same event delivered again (Lambda's retry of an asynchronous invocation).
  const deps = { config: testConfig(), store: serviceStore, registry: new RegistrySource(new MemoryRegistryStore()), invoker: new LambdaInvoker() };
  const retried = executeTask(deps,
    { [TASK_EVENT_KEY]: { version: 1, owner: ALICE, taskId: task.taskId } }, { requestId: 'retry', deadline: Date.now() + 10_000 });
  expect(await retried).toBe('completed'); // terminal already: stays as it was
  expect(echoCalls).toBe(calls + 1);
});

test('tasks/result gives up before the invocation must end, saying to ask again', async () => {
  releaseSlow = undefined;
  const { task } = await create('slow');
  const error = await protocolError(service.result(ALICE, task.taskId, { deadline: Date.now() + 150, endMarginMs: 100 }));
  expect(error.code).toBe(-32603);
  expect(error.message).toMatch(/still working; .* call tasks\/result again/);
  await untilToolRuns();
  release();
  expect(await runs.get(task.taskId)).toBe('completed');
});

describe('without a working invocation', () => {
  test('a task stuck past its limit reads as failed', async () => {
    let now = Date.now();
    const store = new MemoryTaskStore({ now: () => now });
    const stuck = new TaskService({ store, runner: { start: async () => undefined }, now: () => now });
    const { task } = await stuck.create({ owner: ALICE, request: { method: 'tools/call', tool: 'echo', arguments: {}, protocolVersion: '2025-11-25', requestId: '1' }, runLimitMs: 1000 });
    expect((await stuck.get(ALICE, task.taskId)).status).toBe('working');
    now += 1000 + 60_000 + 1;
    expect(await stuck.get(ALICE, task.taskId)).toMatchObject({ status: 'failed', statusMessage: expect.stringMatching(/did not finish within its time limit/) });
  });

  test('a refused input request fails the task only while that request of that round is unanswered', async () => {
    const store = new MemoryTaskStore();
    const tasks = new TaskService({ store, runner: { start: async () => undefined } });
    const refuse = (taskId: string, round: number) => (tasks as unknown as {
      failForRefusal(owner: string, taskId: string, round: number, key: string, method: string, refused: string): Promise<void>;
    }).failForRefusal(ALICE, taskId, round, 'k', 'elicitation/create', 'the client declined');
    const asking = (round: number) => ({ round, pending: { k: { method: 'elicitation/create' } }, answers: {} });
    const request = { method: 'tools/call' as const, tool: 'echo', arguments: {}, protocolVersion: '2025-11-25', requestId: '1' };

    // Answered through another tasks/result, and the tool asked again in round 2 under the same key.
    const moved = (await tasks.create({ owner: ALICE, request, runLimitMs: 60_000 })).task;
    await store.update(ALICE, moved.taskId, { status: 'input_required', input: asking(2) }, ['working']);
    await refuse(moved.taskId, 1);
    expect((await tasks.get(ALICE, moved.taskId)).status).toBe('input_required');

    // Still the round it was asked in, unanswered: the task fails, saying why.
    const waiting = (await tasks.create({ owner: ALICE, request, runLimitMs: 60_000 })).task;
    await store.update(ALICE, waiting.taskId, { status: 'input_required', input: asking(1) }, ['working']);
    await refuse(waiting.taskId, 1);
    expect(await tasks.get(ALICE, waiting.taskId)).toMatchObject({ status: 'failed', statusMessage: expect.stringMatching(/the client declined/) });
  });

  test('a task whose invocation cannot be started is failed at once', async () => {
    const store = new MemoryTaskStore();
    const failing = new TaskService({ store, runner: new LambdaTaskRunner({ functionName: 'missing', clientConfig: lambda.clientConfig() }) });
    const { task } = await failing.create({ owner: ALICE, request: { method: 'tools/call', tool: 'echo', arguments: {}, protocolVersion: '2025-11-25', requestId: '1' }, runLimitMs: 1000 });
    expect(task).toMatchObject({ status: 'failed', statusMessage: expect.stringMatching(/could not be started: .*Function not found/) });
  });

  test('a task already claimed by an invocation that died is failed, not run again', async () => {
    const store = new MemoryTaskStore();
    const svc = new TaskService({ store, runner: { start: async () => undefined } });
    const { task } = await svc.create({ owner: ALICE, request: { method: 'tools/call', tool: 'echo', arguments: {}, protocolVersion: '2025-11-25', requestId: '1' }, runLimitMs: 1000 });
    expect(await store.claim(ALICE, task.taskId)).toBe('claimed'); // the first attempt, which then died
    const calls = echoCalls;
    const registryStore = new MemoryRegistryStore();
    await registryStore.put({ type: 'tool', name: 'echo', inputSchema: { type: 'object' }, lambdaArn: `${FN}:echo` });
    const invoker = new LambdaInvoker({ clientConfig: lambda.clientConfig() });
    const deps = { config: testConfig(), store, registry: new RegistrySource(registryStore), invoker };
    const outcome = await executeTask(deps,
      { [TASK_EVENT_KEY]: { version: 1, owner: ALICE, taskId: task.taskId } }, { requestId: 'retry', deadline: Date.now() + 10_000 });
    expect(outcome).toBe('failed');
    expect(echoCalls).toBe(calls);
    expect(await svc.get(ALICE, task.taskId)).toMatchObject({ status: 'failed', statusMessage: expect.stringMatching(/not run a second time/) });
  });

  test('the local runner runs the task after the call returns, outside the caller\'s async context', async () => {
    const requestScope = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    const runner = new LocalTaskRunner({ execute: async (event: TaskEvent) => { seen.push(requestScope.getStore() ?? `fresh:${event[TASK_EVENT_KEY].taskId}`); } });
    await requestScope.run('request-1', () => runner.start({ [TASK_EVENT_KEY]: { version: 1, owner: ALICE, taskId: 't1' } }));
    expect(seen).toEqual([]);
    await runner.idle();
    expect(seen).toEqual(['fresh:t1']);
  });
});
