/**
 * The whole task path through the Lambda entry: a task-augmented `tools/call` served
 * by the real streaming handler starts an asynchronous Invoke of "this function" (the
 * real @aws-sdk/client-lambda against a local endpoint speaking Lambda's wire format);
 * that endpoint hands the event to the SAME handler, as Lambda would in a new
 * invocation; the entry classifies it as a task event and runs the tool; a later
 * `tasks/result` on the Function URL reads the outcome. State lives in DynamoDB Local.
 */
import { CollectingSink, createInvocationContext, invokeStreamingHandler } from '../../lambda-src/entry/awslambda-shim';
import { createHandler, type StreamingHandler } from '../../lambda-src/entry/index';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { LambdaTaskRunner } from '../../lambda-src/tasks/lambda-task-runner';
import { isTaskEvent } from '../../lambda-src/tasks/task-event';
import { LambdaInvoker } from '../../lambda-src/tools/lambda-invoker';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { FakeLambdaEndpoint } from '../support/fake-lambda-endpoint';
import { FUNCTION_URL_HOST, functionUrlEvent } from '../support/function-url-event';
import { handlerConfig } from '../support/handler-config';

let ddb: DynamoDbLocal;
let lambda: FakeLambdaEndpoint;
let handler: StreamingHandler;
/** The task invocations Lambda would have run, with what the handler answered them. */
const taskInvocations: Array<Promise<string>> = [];

/**
 * The real handler on fresh tables, serving one task tool `report` (a Lambda function
 * on the fake endpoint); `taskRunner` as in production, or the default when absent.
 */
async function taskHandler(taskSupport: 'optional' | 'required', taskRunner?: LambdaTaskRunner): Promise<StreamingHandler> {
  const registryStore = new MemoryRegistryStore();
  await registryStore.put({
    type: 'tool', name: 'report', inputSchema: { type: 'object' }, taskSupport, lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:report',
  });
  return createHandler({
    config: handlerConfig({
      ...await createTestTables(ddb.endpoint),
      serverName: 'tasks',
      registryCacheSeconds: 30,
      authMode: 'iam',
      dynamoDbEndpoint: ddb.endpoint,
    }),
    registryStore,
    invoker: new LambdaInvoker({ clientConfig: lambda.clientConfig() }),
    taskRunner,
    log: () => undefined,
  });
}

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  lambda = await FakeLambdaEndpoint.start();
  handler = await taskHandler('optional', new LambdaTaskRunner({ functionName: 'mcp-server', clientConfig: lambda.clientConfig() }));
  lambda
    .register('mcp-server', (event) => {
      // Lambda queues an 'Event' invocation and answers 202 at once; the run is separate.
      const sink = new CollectingSink();
      taskInvocations.push(invokeStreamingHandler(handler, event, sink, createInvocationContext({ requestId: 'task-invocation' })).then(() => sink.body()));
      return null;
    })
    .register('report', (event) => ({ content: [{ type: 'text', text: `quarterly report for ${JSON.stringify((event as { task?: unknown }).task)}` }] }));
}, 60_000);

afterAll(async () => {
  await lambda?.close();
  await ddb?.stop();
});

/** A JSON-RPC message POSTed to the Function URL, as a 2025-11-25 client sends it. */
function urlEvent(body: unknown, sessionId?: string) {
  return functionUrlEvent({
    headers: {
      'content-type': 'application/json',
      'accept': 'application/json, text/event-stream',
      'host': FUNCTION_URL_HOST,
      ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' } : {}),
    },
    body: JSON.stringify(body),
  });
}

async function post(body: unknown, sessionId?: string, to: StreamingHandler = handler): Promise<{ sink: CollectingSink; json: any }> {
  const sink = new CollectingSink();
  await invokeStreamingHandler(to, urlEvent(body, sessionId), sink, createInvocationContext({ timeoutMs: 60_000 }));
  const text = sink.body();
  return { sink, json: text ? JSON.parse(text) : undefined };
}

test('a task runs in an asynchronous invocation of the same function, classified by the entry', async () => {
  const init = await post({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
  const sessionId = init.sink.header('mcp-session-id')!;
  expect(init.json.result.capabilities.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId);

  const created = await post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'report', arguments: {}, task: { ttl: 60_000 } } }, sessionId);
  const taskId = created.json.result.task.taskId as string;
  expect(created.json.result.task).toMatchObject({ status: 'working', ttl: 60_000 });
  const selfInvoke = lambda.invocations.find((i) => i.functionName === 'mcp-server')!;
  expect(selfInvoke.invocationType).toBe('Event');
  expect(isTaskEvent(selfInvoke.payload)).toBe(true);

  // The task's invocation ran after the creating request had been answered.
  expect(JSON.parse(await taskInvocations[0])).toEqual({ ok: true, status: 'completed' });
  const result = await post({ jsonrpc: '2.0', id: 2, method: 'tasks/result', params: { taskId } }, sessionId);
  expect(result.json.result).toEqual({
    content: [{ type: 'text', text: `quarterly report for {"taskId":"${taskId}"}` }],
    _meta: { 'io.modelcontextprotocol/related-task': { taskId } },
  });
});

test('outside Lambda (the dev server) a task runs in process, after its creating request', async () => {
  expect(process.env.AWS_LAMBDA_FUNCTION_NAME).toBeUndefined();
  const local = await taskHandler('required');
  const call = (body: unknown, sessionId?: string) => post(body, sessionId, local);
  const init = await call({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
  const sessionId = init.sink.header('mcp-session-id')!;
  const selfInvokesBefore = lambda.invocations.filter((i) => i.functionName === 'mcp-server').length;
  const created = await call({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'report', arguments: {}, task: {} } }, sessionId);
  const taskId = created.json.result.task.taskId as string;
  const result = await call({ jsonrpc: '2.0', id: 2, method: 'tasks/result', params: { taskId } }, sessionId);
  expect(result.json.result.content).toEqual([{ type: 'text', text: `quarterly report for {"taskId":"${taskId}"}` }]);
  expect(lambda.invocations.filter((i) => i.functionName === 'mcp-server').length).toBe(selfInvokesBefore);
});
