/**
 * A streaming tool run as a 2025-11-25 task, end to end in the deployed shape: two
 * processes serving the handler asset as scripts/bundle.mjs builds it
 * (test/tools/fixtures/bundled-handler-harness.ts), sharing nothing but DynamoDB Local
 * (sessions, the event log, tasks), hiding a client's hang-up as Lambda does. Their own
 * bundled AWS SDK Lambda clients talk to a local endpoint speaking Lambda's wire format
 * (test/support/fake-lambda-endpoint.ts): the asset's LambdaTaskRunner invokes "this
 * function" asynchronously there, the endpoint hands the task event to instance A as
 * Lambda would start a new invocation, and A's LambdaInvoker calls the tool with
 * InvokeWithResponseStream, whose eventstream-framed lines come from a `defineTool`
 * handler run as Lambda's Node.js runtime runs a streamified one.
 *
 * SDK v1's client, in a 2025-11-25 session, POSTs to instance A and holds its GET stream
 * on instance B: every progress and log message reaches it from A's task invocation
 * through the event log only. "While the task runs" is shown without timers: the tool
 * waits after each step until the client has received that step's progress.
 */
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// eslint-disable-next-line import/no-unresolved
import { CallToolResultSchema, CreateTaskResultSchema, GetTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { createInvocationContext, ensureAwslambdaGlobal, invokeStreamingHandler } from '../../lambda-src/entry/awslambda-shim';
import type { ToolItem } from '../../lambda-src/model/registry-item';
import { isTaskEvent } from '../../lambda-src/tasks/task-event';
import { defineTool, type ToolHandler } from '../../lambda-src/tool';
import { buildHarness, startBundledHandler, type BundledHandler } from '../support/bundled-handler';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { FakeLambdaEndpoint, sinkTo } from '../support/fake-lambda-endpoint';

jest.setTimeout(120_000);

const RELATED = 'io.modelcontextprotocol/related-task';
const SELF = 'mcp-server';
const STEPS = 3;

let ddb: DynamoDbLocal;
let lambda: FakeLambdaEndpoint;
let a: BundledHandler;
let b: BundledHandler;
let disposeHarness: () => void = () => undefined;
/** What instance A answered the task invocations Lambda would have run. */
const taskRuns: Array<Promise<unknown>> = [];
/** Gates of the tool's steps, opened by the test once the client has that step's progress. */
const gates = new Map<number, () => void>();


beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  const tables = await createTestTables(ddb.endpoint);
  lambda = await FakeLambdaEndpoint.start();
  ensureAwslambdaGlobal();
  const longScan = defineTool({
    name: 'long_scan',
    description: 'Scans in steps, waiting after each',
    inputSchema: { type: 'object' },
    async run(_args, call) {
      for (let step = 1; step <= STEPS; step++) {
        const gate = new Promise<void>((resolve) => gates.set(step, resolve));
        call.progress(step, STEPS, `step ${step}`);
        call.log('info', { step }, 'long_scan');
        // Below the session's level (info): never relayed.
        call.log('debug', { step, detail: true }, 'long_scan');
        await gate;
      }
      return `scanned ${STEPS} steps`;
    },
  });
  lambda
    .registerStreaming('long-scan', (event, stream) =>
      invokeStreamingHandler(longScan as ToolHandler as never, event, sinkTo(stream), createInvocationContext({ timeoutMs: 60_000 })))
    .register(SELF, (event) => {
      // Lambda queues an 'Event' invocation and answers 202 at once; the run is a new invocation, on A.
      if (!isTaskEvent(event)) throw new Error('not a task event');
      taskRuns.push(fetch(`${a.base}/control/invoke`, { method: 'POST', body: JSON.stringify(event) }).then((r) => r.json()));
      return null;
    });

  const items: ToolItem[] = [{
    type: 'tool',
    name: 'long_scan',
    inputSchema: { type: 'object' },
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:long-scan',
    streaming: true,
    taskSupport: 'optional',
  }];
  const harness = await buildHarness();
  disposeHarness = harness.dispose;
  const env = {
    // The asset's own clients find the local endpoints the way any AWS SDK v3 client does.
    AWS_ENDPOINT_URL_LAMBDA: lambda.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake',
    AWS_EC2_METADATA_DISABLED: 'true',
    // In Lambda: tasks start with an asynchronous Invoke of this function.
    AWS_LAMBDA_FUNCTION_NAME: SELF,
    MCP_EVENT_POLL_INTERVAL_MS: '100',
  };
  const options = { table: { ...tables, dynamoDbEndpoint: ddb.endpoint }, hangUps: 'hidden' as const };
  [a, b] = await Promise.all([startBundledHandler(harness.file, items, env, options), startBundledHandler(harness.file, items, env, options)]);
});

afterAll(async () => {
  for (const gate of gates.values()) gate();
  await Promise.all([a?.stop(), b?.stop()]);
  await lambda?.close();
  await ddb?.stop();
  disposeHarness();
});

afterEach(() => {
  expect([...a.errors, ...b.errors]).toEqual([]);
});

type Wire = { method?: string; params?: Record<string, any>; id?: unknown };

test("a task's progress and log messages reach the client on its GET stream, from another instance, while the task runs", async () => {
  let streamOpen!: () => void;
  const opened = new Promise<void>((resolve) => (streamOpen = resolve));
  const instances: string[] = [];
  // POSTs to A; the standalone GET stream on B.
  const route: typeof fetch = async (_input, init) => {
    const isGet = (init?.method ?? 'GET') === 'GET';
    instances.push(isGet ? 'B:GET' : 'A:POST');
    const response = await fetch(isGet ? b.url : a.url, init);
    // B opens the stream's cursor before it answers: from here on nothing appended is missed.
    if (isGet && response.ok) streamOpen();
    return response;
  };
  const client = new ClientV1({ name: 'task-progress', version: '1.0.0' });
  const transport = new TransportV1(a.url, { fetch: route });
  await client.connect(transport);
  // Every message as it came off the wire, in order.
  const wire: Wire[] = [];
  const deliver = transport.onmessage!.bind(transport) as (...args: unknown[]) => void;
  transport.onmessage = ((message: Wire, ...rest: unknown[]) => {
    wire.push(message);
    deliver(message, ...rest);
  }) as typeof transport.onmessage;
  await client.setLoggingLevel('info');
  await opened;

  const progress: Array<Record<string, any>> = [];
  const seen = new Map<number, () => void>();
  const arrived = new Map<number, Promise<void>>();
  for (let step = 1; step <= STEPS; step++) arrived.set(step, new Promise<void>((resolve) => seen.set(step, resolve)));
  const created = await client.request(
    { method: 'tools/call', params: { name: 'long_scan', arguments: {}, task: { ttl: 60_000 } } },
    CreateTaskResultSchema,
    {
      // SDK v1 sends `_meta.progressToken` (the request's id) and keeps the handler for the task's life.
      onprogress: (p) => {
        progress.push(p);
        seen.get(p.progress)?.();
      },
    },
  );
  const taskId = created.task.taskId;
  const call = wire.find((m) => m.id !== undefined && (m as { result?: { task?: unknown } }).result?.task !== undefined);
  const progressToken = Number(call!.id);

  for (let step = 1; step <= STEPS; step++) {
    await arrived.get(step);
    if (step === 1) {
      // The task is still running: its tool waits for this test.
      const got = await client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
      expect(got.status).toBe('working');
    }
    gates.get(step)!();
  }
  // notifications/tasks/status comes after the last progress (progress stops before the task is terminal).
  for (let i = 0; i < 600 && !wire.some((m) => m.method === 'notifications/tasks/status'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  const result = await client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema);
  expect(result.content).toEqual([{ type: 'text', text: `scanned ${STEPS} steps` }]);

  expect(progress.map((p) => [p.progress, p.total, p.message])).toEqual([[1, 3, 'step 1'], [2, 3, 'step 2'], [3, 3, 'step 3']]);
  const notifications = wire.filter((m) => m.method !== undefined && m.id === undefined);
  expect(notifications.map((m) => m.method)).toEqual([
    'notifications/progress', 'notifications/message',
    'notifications/progress', 'notifications/message',
    'notifications/progress', 'notifications/message',
    'notifications/tasks/status',
  ]);
  for (const m of notifications.slice(0, -1)) expect(m.params!._meta).toEqual({ [RELATED]: { taskId } });
  for (const m of notifications.filter((n) => n.method === 'notifications/progress')) expect(m.params!.progressToken).toBe(progressToken);
  expect(notifications.filter((n) => n.method === 'notifications/message').map((m) => m.params!.data)).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }]);
  expect(notifications.at(-1)!.params).toMatchObject({ taskId, status: 'completed' });
  expect(notifications.at(-1)!.params!._meta).toBeUndefined();

  // The task ran in an invocation of its own, on A; the tool through InvokeWithResponseStream.
  expect(await Promise.all(taskRuns)).toEqual([{ ok: true, status: 'completed' }]);
  expect(lambda.invocations.filter((i) => i.functionName === SELF).map((i) => i.invocationType)).toEqual(['Event']);
  expect(lambda.invocations.filter((i) => i.functionName.endsWith(':long-scan')).map((i) => i.api)).toEqual(['InvokeWithResponseStream']);
  expect(instances).toContain('B:GET');

  // Ends the session, and so B's stream (a hang-up alone would not: it is hidden, as on Lambda).
  await transport.terminateSession();
  await client.close();
});

