/**
 * The whole task path through the Lambda entry: a task-augmented `tools/call` served
 * by the real streaming handler starts an asynchronous Invoke of "this function" (the
 * real @aws-sdk/client-lambda against a local endpoint speaking Lambda's wire format);
 * that endpoint hands the event to the SAME handler, as Lambda would in a new
 * invocation; the entry classifies it as a task event and runs the tool; a later
 * `tasks/result` on the Function URL reads the outcome. State lives in DynamoDB Local.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { CollectingSink, createInvocationContext, invokeStreamingHandler } from '../../lambda-src/entry/awslambda-shim';
import { createHandler, type StreamingHandler } from '../../lambda-src/entry/index';
import type { HandlerConfig } from '../../lambda-src/model/config';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { LambdaTaskRunner } from '../../lambda-src/tasks/lambda-task-runner';
import { isTaskEvent } from '../../lambda-src/tasks/task-event';
import { LambdaInvoker } from '../../lambda-src/tools/lambda-invoker';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { FakeLambdaEndpoint } from '../support/fake-lambda-endpoint';

let ddb: DynamoDbLocal;
let lambda: FakeLambdaEndpoint;
let handler: StreamingHandler;
/** The task invocations Lambda would have run, with what the handler answered them. */
const taskInvocations: Array<Promise<string>> = [];

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  lambda = await FakeLambdaEndpoint.start();
  const tables = await createTestTables(ddb.endpoint);
  const config: HandlerConfig = {
    ...tables,
    serverName: 'tasks',
    serverVersion: '1.0.0',
    sessionTtlSeconds: 3600,
    registryCacheSeconds: 30,
    authMode: 'iam',
    allowedOrigins: [],
    maxBodyBytes: 1024 * 1024,
    toolTimeoutSeconds: 30,
    dynamoDbEndpoint: ddb.endpoint,
  };
  const registryStore = new MemoryRegistryStore();
  await registryStore.put({
    type: 'tool', name: 'report', inputSchema: { type: 'object' }, taskSupport: 'optional', lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:report',
  });
  handler = createHandler({
    config,
    registryStore,
    invoker: new LambdaInvoker({ clientConfig: lambda.clientConfig() }),
    taskRunner: new LambdaTaskRunner({ functionName: 'mcp-server', clientConfig: lambda.clientConfig() }),
    log: () => undefined,
  });
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

function urlEvent(body: unknown, sessionId?: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/mcp',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      'accept': 'application/json, text/event-stream',
      'host': 'fn.lambda-url.eu-west-1.on.aws',
      ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' } : {}),
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'fn',
      authorizer: { iam: { accountId: '123456789012', callerId: 'AIDA:bob', userArn: 'arn:aws:iam::123456789012:user/bob', userId: 'AIDA' } },
      domainName: 'fn.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'fn',
      http: { method: 'POST', path: '/mcp', protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
      requestId: 'url-req',
      routeKey: '$default',
      stage: '$default',
      time: 'now',
      timeEpoch: 0,
    } as APIGatewayProxyEventV2['requestContext'],
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

async function post(body: unknown, sessionId?: string): Promise<{ sink: CollectingSink; json: any }> {
  const sink = new CollectingSink();
  await invokeStreamingHandler(handler, urlEvent(body, sessionId), sink, createInvocationContext({ timeoutMs: 60_000 }));
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
  const registryStore = new MemoryRegistryStore();
  await registryStore.put({
    type: 'tool', name: 'report', inputSchema: { type: 'object' }, taskSupport: 'required', lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:report',
  });
  const tables = await createTestTables(ddb.endpoint);
  const local = createHandler({
    config: {
      ...tables,
      serverName: 'tasks',
      serverVersion: '1.0.0',
      sessionTtlSeconds: 3600,
      registryCacheSeconds: 30,
      authMode: 'iam',
      allowedOrigins: [],
      maxBodyBytes: 1024 * 1024,
      toolTimeoutSeconds: 30,
      dynamoDbEndpoint: ddb.endpoint,
    },
    registryStore,
    invoker: new LambdaInvoker({ clientConfig: lambda.clientConfig() }),
    log: () => undefined,
  });
  const call = async (body: unknown, sessionId?: string) => {
    const sink = new CollectingSink();
    await invokeStreamingHandler(local, urlEvent(body, sessionId), sink, createInvocationContext({ timeoutMs: 60_000 }));
    return { sink, json: JSON.parse(sink.body()) };
  };
  const init = await call({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
  const sessionId = init.sink.header('mcp-session-id')!;
  const selfInvokesBefore = lambda.invocations.filter((i) => i.functionName === 'mcp-server').length;
  const created = await call({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'report', arguments: {}, task: {} } }, sessionId);
  const taskId = created.json.result.task.taskId as string;
  const result = await call({ jsonrpc: '2.0', id: 2, method: 'tasks/result', params: { taskId } }, sessionId);
  expect(result.json.result.content).toEqual([{ type: 'text', text: `quarterly report for {"taskId":"${taskId}"}` }]);
  expect(lambda.invocations.filter((i) => i.functionName === 'mcp-server').length).toBe(selfInvokesBefore);
});
