/**
 * X-Ray tracing of tool invocations and store calls. A UDP socket on 127.0.0.1 stands
 * in for the X-Ray daemon (AWS_XRAY_DAEMON_ADDRESS), the environment is that of a
 * Lambda function with active tracing (LAMBDA_TASK_ROOT, AWS_EXECUTION_ENV, a sampled
 * `_X_AMZN_TRACE_ID`), sessions live in DynamoDB Local behind the real document client,
 * and the SDK client drives the Lambda handler over HTTP. The segment documents the
 * daemon receives are checked: names, namespaces, annotations, the `aws` block, trace
 * and parent ids. Without a sampled trace header nothing is sent and the X-Ray SDK is
 * never loaded.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type HandlerHttpServer, startHandlerHttpServer } from './handler-http-server';
import { traceAwsClient } from '../../lambda-src/ops/aws-client-tracing';
import { InstrumentedInvoker } from '../../lambda-src/ops/instrumented-invoker';
import { silentTelemetry } from '../../lambda-src/ops/telemetry';
import { isInvocationSampled, XRayTracing } from '../../lambda-src/ops/xray-tracing';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbSessionStore } from '../../lambda-src/store/dynamodb-session-store';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { testConfig, TestToolInvoker, TOOLS } from '../protocol/endpoint-fixture';
import { createTestTables, type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';

const ROOT = '1-6761a0f0-0123456789abcdef01234567';
const PARENT = '53995c3f42cd8ad8';

interface SegmentDocument {
  name: string;
  id: string;
  trace_id: string;
  parent_id?: string;
  type?: string;
  namespace?: string;
  start_time: number;
  end_time?: number;
  annotations?: Record<string, unknown>;
  aws?: Record<string, unknown>;
  fault?: boolean;
  error?: boolean;
}

let daemon: Socket;
const documents: SegmentDocument[] = [];
let ddb: DynamoDbLocal;
let sessionTable: string;
let server: HandlerHttpServer;
const savedEnv = { ...process.env };

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (message) => {
    // Each datagram: a JSON header line, then the segment document.
    const [header, body] = message.toString('utf8').split('\n');
    expect(JSON.parse(header)).toEqual({ format: 'json', version: 1 });
    documents.push(JSON.parse(body) as SegmentDocument);
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  const { port } = daemon.address() as AddressInfo;
  Object.assign(process.env, {
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
    LAMBDA_TASK_ROOT: '/var/task',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: 'mcp-traced',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    _X_AMZN_TRACE_ID: `Root=${ROOT};Parent=${PARENT};Sampled=1`,
  });

  ddb = await startDynamoDbLocal();
  ({ sessionTable } = await createTestTables(ddb.endpoint));
  const tracing = new XRayTracing({ serviceName: 'traced' });
  const client = createDocumentClient({ endpoint: ddb.endpoint });
  traceAwsClient(client, tracing);
  const registryStore = new MemoryRegistryStore();
  for (const tool of TOOLS) await registryStore.put(tool);
  server = await startHandlerHttpServer({
    config: testConfig({ serverName: 'traced' }),
    sessions: new DynamoDbSessionStore({ client, tableName: sessionTable }),
    registryStore,
    registry: new RegistrySource(registryStore),
    invoker: new InstrumentedInvoker(new TestToolInvoker(), { telemetry: silentTelemetry, tracing }),
    log: () => undefined,
  });
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await server?.close();
  daemon?.close();
  await ddb?.stop();
});

test('tool invocations and DynamoDB calls reach the daemon as subsegments of the invocation', async () => {
  const transport = new TransportV1(server.url);
  const client = new ClientV1({ name: 'traced-client', version: '1.0.0' });
  await client.connect(transport);
  try {
    expect((await client.callTool({ name: 'echo', arguments: { message: 'traced' } })).content).toEqual([{ type: 'text', text: 'traced' }]);
    // A tool whose invocation reports progress (the fixture answers echo and count).
    await client.callTool({ name: 'count', arguments: { steps: 1 } });
  } finally {
    await transport.terminateSession().catch(() => undefined);
    await client.close();
  }
  // UDP datagrams to localhost arrive at once, but on the event loop's next turns.
  for (let i = 0; i < 200 && !documents.some((d) => d.name === 'tool count'); i++) await new Promise((r) => setImmediate(r));

  for (const d of documents) {
    expect(d).toMatchObject({ type: 'subsegment', trace_id: ROOT, parent_id: PARENT });
    expect(d.end_time).toBeGreaterThanOrEqual(d.start_time);
  }
  const echo = documents.find((d) => d.name === 'tool echo');
  expect(echo).toMatchObject({ namespace: 'remote', annotations: { mcp_kind: 'tool', mcp_name: 'echo', outcome: 'ok' } });
  expect(echo!.fault).toBeUndefined();

  const dynamo = documents.filter((d) => d.name === 'DynamoDB');
  expect(dynamo.length).toBeGreaterThanOrEqual(3);
  for (const d of dynamo) {
    expect(d.namespace).toBe('aws');
    expect(d.aws).toMatchObject({ table_name: sessionTable, retries: 0 });
    expect(typeof d.aws!.operation).toBe('string');
  }
  const operations = new Set(dynamo.map((d) => d.aws!.operation));
  // initialize stores the session; later requests read it; DELETE removes it.
  expect([...operations]).toEqual(expect.arrayContaining(['PutItem', 'GetItem']));
});

test('a failed invocation is marked on its subsegment', async () => {
  const tracing = new XRayTracing({ serviceName: 'traced' });
  // The Tracer module is imported when the tracing is built (the daemon's address is set).
  await tracing.ready();
  const failing = new InstrumentedInvoker(new TestToolInvoker(), { telemetry: silentTelemetry, tracing });
  const outcome = await failing.invoke(TOOLS[0], { tool: 'not-behind-a-function', arguments: {}, context: { requestId: 'r', protocolVersion: '2025-11-25' } });
  expect(outcome).toMatchObject({ ok: false, kind: 'not_found' });
  for (let i = 0; i < 200 && !documents.some((d) => d.name === 'tool not-behind-a-function'); i++) await new Promise((r) => setImmediate(r));
  const doc = documents.find((d) => d.name === 'tool not-behind-a-function');
  expect(doc).toMatchObject({ fault: true, annotations: { outcome: 'not_found' } });
});

describe('without a sampled trace header', () => {
  test.each([
    [{}],
    [{ AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000', _X_AMZN_TRACE_ID: `Root=${ROOT};Parent=${PARENT};Sampled=0` }],
    [{ _X_AMZN_TRACE_ID: `Root=${ROOT};Parent=${PARENT};Sampled=1` }],
  ])('%j: no subsegment, and the X-Ray SDK is never loaded', (env) => {
    let loads = 0;
    const tracing = new XRayTracing({
      serviceName: 'untraced',
      env: env as NodeJS.ProcessEnv,
      load: () => {
        loads += 1;
        return jest.requireActual('@aws-lambda-powertools/tracer');
      },
    });
    expect(isInvocationSampled(env as NodeJS.ProcessEnv)).toBe(false);
    expect(tracing.begin('tool echo')).toBeUndefined();
    expect(loads).toBe(0);
  });

  test('the sampled header is recognised wherever Sampled=1 sits', () => {
    expect(isInvocationSampled({ AWS_XRAY_DAEMON_ADDRESS: 'x:1', _X_AMZN_TRACE_ID: 'Sampled=1;Root=1-2-3' })).toBe(true);
    expect(isInvocationSampled({ AWS_XRAY_DAEMON_ADDRESS: 'x:1', _X_AMZN_TRACE_ID: 'Root=1-2-3;Parent=4;Sampled=1;Lineage=a:1' })).toBe(true);
    expect(isInvocationSampled({ AWS_XRAY_DAEMON_ADDRESS: 'x:1', _X_AMZN_TRACE_ID: 'Root=1-2-3;Sampled=10' })).toBe(false);
  });
});
