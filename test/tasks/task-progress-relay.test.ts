/**
 * A streaming tool run as a 2025-11-25 task: the task's invocation (the executor)
 * reads the tool's response stream through the real LambdaInvoker and the real AWS SDK
 * Lambda client, against a local endpoint speaking Lambda's eventstream framing, and
 * appends its progress and log messages to the creating session's partition of the
 * event log (tasks/task-notification-relay.ts): with the request's progressToken and the
 * related-task metadata, in order, before the task's terminal status; coalesced,
 * bounded, filtered by the session's level; nothing for a 2026-07-28 task, a gone
 * session or after a cancellation.
 */
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { MemoryTaskStore } from '../../lambda-src/store/memory-task-store';
import type { TaskEvent } from '../../lambda-src/tasks/task-event';
import { executeTask, type TaskExecutorDeps } from '../../lambda-src/tasks/task-executor';
import { MAX_QUEUED, TaskNotificationRelay } from '../../lambda-src/tasks/task-notification-relay';
import { TaskService } from '../../lambda-src/tasks/task-service';
import { LambdaInvoker } from '../../lambda-src/tools/lambda-invoker';
import { testConfig } from '../protocol/endpoint-fixture';
import { FakeLambdaEndpoint, type FakeResponseStream } from '../support/fake-lambda-endpoint';
import { RecordingEventLog } from '../support/recording-event-log';

const ARN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const RELATED = 'io.modelcontextprotocol/related-task';
const OWNER = 'iam:arn:aws:iam::123456789012:user/alice';
const line = (value: unknown) => `${JSON.stringify(value)}\n`;

let lambda: FakeLambdaEndpoint;
let registry: RegistrySource;
let store: MemoryTaskStore;
let sessions: MemorySessionStore;
/** The task events the service started (run by hand with executeTask). */
const started: TaskEvent[] = [];
let service: TaskService;
let releaseGated: (() => void) | undefined;
let gatedReached: (() => void) | undefined;

const streamingTool = (name: string, fn: (stream: FakeResponseStream) => Promise<void> | void) => {
  lambda.registerStreaming(name, (_event, stream) => fn(stream));
  return { type: 'tool' as const, name, inputSchema: { type: 'object' }, lambdaArn: ARN(name), streaming: true, taskSupport: 'optional' as const };
};

beforeAll(async () => {
  lambda = await FakeLambdaEndpoint.start();
  const registryStore = new MemoryRegistryStore();
  const tools = [
    streamingTool('steps', (stream) => {
      stream.write(line({ type: 'progress', progress: 1, total: 3, message: 'one' }));
      stream.write(line({ type: 'log', level: 'info', data: { step: 1 }, logger: 'steps' }));
      stream.write(line({ type: 'progress', progress: 2, total: 3 }));
      stream.write(line({ type: 'log', level: 'error', data: 'step 2 was slow' }));
      stream.write(line({ type: 'progress', progress: 3, total: 3, message: 'three' }));
      stream.write(line({ type: 'result', result: 'done' }));
    }),
    streamingTool('rapid', (stream) => {
      for (let i = 1; i <= 200; i++) stream.write(line({ type: 'progress', progress: i, total: 200 }));
      stream.write(line({ type: 'result', result: 'done' }));
    }),
    streamingTool('chatty', (stream) => {
      for (let i = 1; i <= 20; i++) stream.write(line({ type: 'log', level: 'info', data: i }));
      stream.write(line({ type: 'result', result: 'done' }));
    }),
    streamingTool('flood', (stream) => {
      // Written in one chunk: read in one go, faster than any append.
      let text = '';
      for (let i = 1; i <= 3 * MAX_QUEUED; i++) text += line({ type: 'log', level: 'info', data: i });
      stream.write(text + line({ type: 'result', result: 'done' }));
    }),
    streamingTool('large', (stream) => {
      stream.write(line({ type: 'log', level: 'info', data: 'x'.repeat(500 * 1024) }));
      stream.write(line({ type: 'log', level: 'info', data: 'small' }));
      stream.write(line({ type: 'result', result: 'done' }));
    }),
    streamingTool('gated', async (stream) => {
      stream.write(line({ type: 'progress', progress: 1 }));
      stream.write(line({ type: 'progress', progress: 2 }));
      await new Promise<void>((resolve) => {
        releaseGated = resolve;
        gatedReached?.();
      });
      stream.write(line({ type: 'progress', progress: 3 }));
      stream.write(line({ type: 'log', level: 'info', data: 'after the cancel' }));
      stream.write(line({ type: 'result', result: 'done' }));
    }),
  ];
  for (const tool of tools) await registryStore.put(tool);
  registry = new RegistrySource(registryStore);
  store = new MemoryTaskStore();
  sessions = new MemorySessionStore();
  service = new TaskService({ store, runner: { start: async (event) => void started.push(event) } });
});

afterAll(async () => {
  releaseGated?.();
  await lambda?.close();
});

async function session(id: string, logLevel?: string): Promise<string> {
  const now = Date.now();
  await sessions.create({
    id,
    protocolVersion: '2025-11-25',
    clientCapabilities: {},
    clientInfo: { name: 't', version: '1' },
    createdAt: now,
    expiresAt: Math.floor(now / 1000) + 3600,
    version: 1,
    ...(logLevel ? { logLevel } : {}),
  });
  return id;
}

/** Creates a task of `tool` and runs it as its own invocation would; what was appended, and the outcome. */
async function runTask(tool: string, options: {
  sessionId?: string; progressToken?: string | number; protocolVersion?: string; deps?: Partial<TaskExecutorDeps>;
} = {}) {
  const events = new RecordingEventLog();
  const { task } = await service.create({
    owner: OWNER,
    request: {
      method: 'tools/call',
      tool,
      arguments: {},
      protocolVersion: options.protocolVersion ?? '2025-11-25',
      requestId: '7',
      ...(options.sessionId !== undefined ? { sessionId: options.sessionId } : {}),
      ...(options.progressToken !== undefined ? { progressToken: options.progressToken } : {}),
    },
    runLimitMs: 30_000,
  });
  const event = started.at(-1)!;
  const run = executeTask(
    {
      config: testConfig(),
      store,
      registry,
      events,
      sessions,
      cancelPollMs: 25,
      invoker: new LambdaInvoker({ clientConfig: lambda.clientConfig() }),
      ...options.deps,
    },
    event,
    { requestId: 'task-invocation', deadline: Date.now() + 60_000 },
  );
  return { taskId: task.taskId, events, run };
}

const related = (taskId: string) => ({ [RELATED]: { taskId } });

test('progress and log lines reach the session\'s partition in order, with the token and related-task metadata, before the terminal status', async () => {
  const sessionId = await session('s-steps');
  const { taskId, events, run } = await runTask('steps', { sessionId, progressToken: 'tok-1' });
  expect(await run).toBe('completed');
  expect(events.appended).toEqual([
    { sessionId, method: 'notifications/progress', params: { progressToken: 'tok-1', progress: 1, total: 3, message: 'one', _meta: related(taskId) } },
    { sessionId, method: 'notifications/message', params: { level: 'info', data: { step: 1 }, logger: 'steps', _meta: related(taskId) } },
    { sessionId, method: 'notifications/progress', params: { progressToken: 'tok-1', progress: 2, total: 3, _meta: related(taskId) } },
    { sessionId, method: 'notifications/message', params: { level: 'error', data: 'step 2 was slow', _meta: related(taskId) } },
    { sessionId, method: 'notifications/progress', params: { progressToken: 'tok-1', progress: 3, total: 3, message: 'three', _meta: related(taskId) } },
    { sessionId, method: 'notifications/tasks/status', params: expect.objectContaining({ taskId, status: 'completed' }) },
  ]);
  // What the session's GET stream reads, in seq order.
  const read = await events.read({ sessionId }, [0]);
  expect(read.events.map((e) => e.method)).toEqual(events.appended.map((e) => e.method));
});

test('progress faster than the poll interval is coalesced: the first and the last value are appended', async () => {
  const sessionId = await session('s-rapid');
  const { events, run } = await runTask('rapid', { sessionId, progressToken: 9, deps: { progressIntervalMs: 60_000 } });
  expect(await run).toBe('completed');
  const progress = events.appended.filter((e) => e.method === 'notifications/progress').map((e) => e.params.progress);
  expect(progress).toEqual([1, 200]);
});

test('at most maxNotifications messages of a run are appended: the first ones', async () => {
  const sessionId = await session('s-chatty');
  const { events, run } = await runTask('chatty', { sessionId, deps: { maxNotifications: 5 } });
  expect(await run).toBe('completed');
  expect(events.appended.filter((e) => e.method === 'notifications/message').map((e) => e.params.data)).toEqual([1, 2, 3, 4, 5]);
  expect(events.appended.at(-1)!.method).toBe('notifications/tasks/status');
});

test('a flood of lines read faster than they can be appended is dropped past the queue, not buffered', async () => {
  const sessionId = await session('s-flood');
  const { events, run } = await runTask('flood', { sessionId });
  expect(await run).toBe('completed');
  const logs = events.appended.filter((e) => e.method === 'notifications/message').map((e) => e.params.data as number);
  expect(logs.length).toBeGreaterThanOrEqual(MAX_QUEUED);
  expect(logs.length).toBeLessThan(3 * MAX_QUEUED);
  expect(logs.slice(0, MAX_QUEUED)).toEqual(Array.from({ length: MAX_QUEUED }, (_, i) => i + 1));
});

test('a log message over the event log\'s item limit is dropped; the next one is relayed', async () => {
  const sessionId = await session('s-large');
  const { events, run } = await runTask('large', { sessionId });
  expect(await run).toBe('completed');
  expect(events.appended.map((e) => e.params.data ?? e.params.status)).toEqual(['small', 'completed']);
});

test('the session\'s log level filters log lines; without a progressToken no progress is sent', async () => {
  const sessionId = await session('s-level', 'warning');
  const { events, run } = await runTask('steps', { sessionId });
  expect(await run).toBe('completed');
  expect(events.appended.map((e) => [e.method, e.params.level])).toEqual([
    ['notifications/message', 'error'],
    ['notifications/tasks/status', undefined],
  ]);
});

test('nothing is relayed for a gone session, nor for a 2026-07-28 task (the extension defines no such messages)', async () => {
  const gone = await runTask('steps', { sessionId: 'never-created', progressToken: 1 });
  expect(await gone.run).toBe('completed');
  expect(gone.events.appended.map((e) => e.method)).toEqual(['notifications/tasks/status']);

  const modern = await runTask('steps', { protocolVersion: '2026-07-28', progressToken: 1 });
  expect(await modern.run).toBe('completed');
  expect(modern.events.appended).toEqual([]);
});

test('after a cancellation nothing more of the run is relayed: a progress held back is dropped', async () => {
  const sessionId = await session('s-cancel');
  const reached = new Promise<void>((resolve) => (gatedReached = resolve));
  // Progress 2 comes within the interval after 1: it is held back, and would be appended when the run ends.
  const { taskId, events, run } = await runTask('gated', { sessionId, progressToken: 'c', deps: { progressIntervalMs: 60_000 } });
  await reached;
  for (let i = 0; i < 400 && events.appended.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  // Time for the second line to be read too (it is written before the gate).
  await new Promise((resolve) => setTimeout(resolve, 200));
  await service.cancel(OWNER, taskId);
  expect(await run).toBe('cancelled');
  releaseGated!();
  expect(events.appended.map((e) => [e.method, e.params.progress ?? e.params.status])).toEqual([
    ['notifications/progress', 1],
    ['notifications/tasks/status', 'cancelled'],
  ]);
});

test('an append that stalls (a DynamoDB brown-out) holds neither close nor abandon past its budget', async () => {
  // A log whose appends never answer: the relay must still let the executor store the outcome.
  const stalled = new RecordingEventLog();
  stalled.append = () => new Promise(() => undefined);
  const logged: Array<Record<string, unknown>> = [];
  const relay = new TaskNotificationRelay({ events: stalled, sessionId: 's', taskId: 't', log: (e) => logged.push(e) });
  relay.log({ level: 'info', data: 'first' });
  relay.log({ level: 'info', data: 'second' });
  await relay.close(50);
  expect(logged).toEqual([expect.objectContaining({ message: 'some progress or log messages of the task were not relayed', relayed: 0, dropped: 1 })]);

  const cancelled = new TaskNotificationRelay({ events: stalled, sessionId: 's', taskId: 't' });
  cancelled.log({ level: 'info', data: 'x' });
  await cancelled.abandon(50);
});
