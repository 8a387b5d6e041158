/**
 * The bundled handler (assets/handler, what the construct deploys) run by AWS's own
 * Runtime Interface Client (`aws-lambda-ric`, the client of the managed Node.js
 * runtime) on Node 22+, against a Lambda Runtime API emulator (runtime-api-emulator.ts)
 * and behind a Function URL front end (function-url.ts), with the tables on DynamoDB
 * Local and tools behind the real Lambda client on the local Invoke endpoint. Driven by
 * the official MCP clients: SDK v1 (a 2025-11-25 session) and SDK v2 (2026-07-28).
 *
 * This is the one test of the handler's contract with the runtime itself: the export
 * the runtime loads (`index.handler`, an ES module), `awslambda.streamifyResponse`
 * and `HttpResponseStream` as the runtime client provides them, the streamed response
 * (prelude, 8 zero bytes, body written as it goes) and the context it builds.
 *
 * The runtime client needs Node 22 or later and a native addon its install scripts
 * compile (cmake, make, g++). Where either is missing the suite is skipped, and says
 * why in its name; it never passes without running.
 *
 * MCP_RIC_NODE names another Node.js binary to run the runtime client with (Node 24:
 * `npx --yes node@24 -p process.execPath` prints one; `npm run
 * test:runtime-client:node24`). A binary named so must work: the suite fails otherwise.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
// The v1 SDK resolves through its package "exports" map, which eslint's import resolver does not read.
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startFunctionUrl, type FunctionUrl } from './function-url';
import { RuntimeApiEmulator } from './runtime-api-emulator';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbRegistryStore } from '../../lambda-src/store/dynamodb-registry-store';
import { snsEvent } from '../events/instances';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { FakeLambdaEndpoint } from '../support/fake-lambda-endpoint';
import { connectLoggingClientV1 } from '../support/logging-client-v1';
import { connectResourceUpdatesClientV2 } from '../support/resource-updates-client-v2';

const root = join(__dirname, '..', '..');
const ricDir = join(root, 'node_modules', 'aws-lambda-ric');
/** A binary named on purpose must be used: if it cannot run the suite, the suite fails. */
const explicitNode = process.env.MCP_RIC_NODE;
const node = explicitNode ?? join(root, 'node_modules', 'node', 'bin', 'node');
const handlerDir = join(root, 'assets', 'handler');

/** Why the runtime client cannot run here, or undefined when it can. */
function unavailable(): string | undefined {
  if (!existsSync(node)) return `no Node.js binary at ${node} (the node@22 devDependency; npm install)`;
  const version = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  const major = Number(version.stdout?.split('.')[0]);
  if (!(major >= 22)) return `aws-lambda-ric needs Node.js 22 or later, ${node} is ${version.stdout?.trim() || 'not runnable'}`;
  if (!existsSync(join(ricDir, 'index.mjs'))) return 'aws-lambda-ric is not installed (npm install)';
  const addon = join(ricDir, 'rapid-client.node');
  if (!existsSync(addon)) {
    return 'aws-lambda-ric has no native addon (rapid-client.node): its install scripts did not run or could not build it (they need cmake, make and g++, and package.json allowScripts)';
  }
  // The addon reads the Runtime API's address when it loads (nothing is sent to it).
  const load = spawnSync(node, ['-e', `require(${JSON.stringify(addon)})`], {
    encoding: 'utf8', env: { ...process.env, AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9' },
  });
  if (load.status !== 0) return `aws-lambda-ric's native addon does not load on Node ${major}: ${load.stderr.trim().split('\n').slice(0, 3).join(' ')}`;
  return undefined;
}

const reason = unavailable();
if (reason && explicitNode !== undefined) throw new Error(`MCP_RIC_NODE=${explicitNode}: ${reason}`);
if (reason) {
  // In the run's output too, not only in the skipped suite's name.
  console.warn(`runtime-client suite skipped: ${reason}`);
}
const suite = reason ? describe.skip : describe;
const nodeVersion = reason ? '' : spawnSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).stdout.trim();

// Starting DynamoDB Local and the first environment (a Node process loading the
// handler) take seconds idle and can take ten times as long on a busy machine.
jest.setTimeout(180_000);

const FUNCTION_TIMEOUT_MS = 30_000;
const WATCHED = 'file:///watched.txt';

suite(reason ? `the handler under aws-lambda-ric (skipped: ${reason})` : `the handler under aws-lambda-ric on Node ${nodeVersion}`, () => {
  let ddb: DynamoDbLocal;
  let lambda: FakeLambdaEndpoint;
  let emulator: RuntimeApiEmulator;
  let functionUrl: FunctionUrl;

  beforeAll(async () => {
    // `npm test` bundles the handler first: without the bundle there is nothing to test.
    expect(existsSync(join(handlerDir, 'index.mjs'))).toBe(true);
    ddb = await startDynamoDbLocal();
    const tables = await createTestTables(ddb.endpoint);
    lambda = await FakeLambdaEndpoint.start();
    lambda.register('echo', (event) => {
      const e = event as { arguments: { message: string } };
      return { content: [{ type: 'text', text: `echo: ${e.arguments.message}` }] };
    });
    const client = createDocumentClient({ endpoint: ddb.endpoint });
    const registry = new DynamoDbRegistryStore({ client, tableName: tables.registryTable });
    await registry.put({
      type: 'tool',
      name: 'echo',
      description: 'Echoes a message',
      inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
      lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
    });
    await registry.put({ type: 'resource', uri: WATCHED, name: 'watched', mimeType: 'text/plain', text: 'v1' });
    client.destroy();

    emulator = await RuntimeApiEmulator.start({
      node,
      ricEntry: join(ricDir, 'index.mjs'),
      taskRoot: handlerDir,
      handler: 'index.handler',
      // Two streams held open at once plus the requests beside them.
      maxEnvironments: 6,
      env: {
        MCP_SESSION_TABLE: tables.sessionTable,
        MCP_REGISTRY_TABLE: tables.registryTable,
        MCP_DYNAMODB_ENDPOINT: ddb.endpoint,
        MCP_AUTH_MODE: 'iam',
        MCP_SERVER_NAME: 'runtime-client-test',
        MCP_EVENT_POLL_INTERVAL_MS: '100',
        // The deployed invoker's real Lambda client, pointed at the local Invoke endpoint
        // (the SDK reads service endpoints from AWS_ENDPOINT_URL_<SERVICE>).
        AWS_ENDPOINT_URL_LAMBDA: lambda.url,
        AWS_ACCESS_KEY_ID: 'AKIDFAKE',
        AWS_SECRET_ACCESS_KEY: 'fake',
        AWS_SESSION_TOKEN: 'fake',
      },
    });
    functionUrl = await startFunctionUrl(emulator, { timeoutMs: FUNCTION_TIMEOUT_MS });
  });

  afterAll(async () => {
    await functionUrl?.close();
    await emulator?.close();
    await lambda?.close();
    await ddb?.stop();
  });

  afterEach(() => {
    // Nothing a test did may have stopped an environment from starting.
    expect({ initErrors: emulator.initErrors, initFailure: emulator.initFailure }).toEqual({ initErrors: [], initFailure: undefined });
  });

  /** Invokes the function with an SNS event, as the construct's topic subscription does; resolves with its output. */
  async function publish(message: string, attributes: Record<string, string> = {}): Promise<unknown> {
    const invocation = emulator.invoke(snsEvent(message, attributes), FUNCTION_TIMEOUT_MS);
    const chunks: Buffer[] = [];
    invocation.body.on('data', (c: Buffer) => chunks.push(c));
    const error = await invocation.done;
    if (error) throw new Error(`SNS invocation failed: ${error.errorType}: ${error.errorMessage}\n${emulator.logs().slice(-3000)}`);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  }

  /**
   * Publishes probes until `received()` holds: an SDK client opens its stream on its
   * own after connect, so the first event may be published before the stream is read.
   * Bounded by count: 100 probes, each waited on for up to a second.
   */
  async function untilReceived(probe: () => Promise<unknown>, received: () => boolean): Promise<void> {
    for (let round = 0; round < 100 && !received(); round++) {
      await probe();
      for (let i = 0; i < 20 && !received(); i++) await new Promise((r) => setTimeout(r, 50));
    }
    if (!received()) throw new Error(`no event reached the stream after 100 probes\n${emulator.logs().slice(-3000)}`);
  }

  test('SDK v1 (2025-11-25 session): initialize, list, call, an event on the GET stream, DELETE', async () => {
    const { client, logs, transport } = await connectLoggingClientV1(functionUrl.url, 'ric-v1');
    try {
      expect(client.getServerVersion()?.name).toBe('runtime-client-test');
      const sessionId = transport.sessionId;
      expect(sessionId).toMatch(/\S/);

      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['echo']);
      const result = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
      expect(result.content).toEqual([{ type: 'text', text: 'echo: hello' }]);
      expect(lambda.invocations.filter((i) => (i.payload as { arguments?: { message?: string } })?.arguments?.message === 'hello')).toHaveLength(1);

      // An SNS event, delivered to one environment, reaches the GET stream another
      // environment is still streaming: the body is passed on as it is written.
      await untilReceived(() => publish(`probe-${randomUUID()}`), () => logs.length > 0);
      const text = `hello-${randomUUID()}`;
      expect(await publish(text)).toEqual({ ok: true, appended: 1, duplicates: 0, refused: 0 });
      for (let i = 0; i < 200 && !logs.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      expect(logs).toContain(text);

      await transport.terminateSession();
      // The session is gone for every environment.
      const after = await fetch(functionUrl.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', 'mcp-session-id': sessionId!, 'mcp-protocol-version': '2025-11-25' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
      });
      expect(after.status).toBe(404);
      await after.arrayBuffer();
    } finally {
      await client.close();
    }
  });

  test('SDK v2 (2026-07-28): discover, list, call, resources/updated on a subscriptions/listen stream', async () => {
    const { client, updated } = await connectResourceUpdatesClientV2(functionUrl.url, 'ric-v2');
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['echo']);
      const result = await client.callTool({ name: 'echo', arguments: { message: 'v2' } });
      expect(result.content).toEqual([{ type: 'text', text: 'echo: v2' }]);
      const { resources } = await client.listResources();
      expect(resources.map((r) => r.uri)).toEqual([WATCHED]);

      const subscription = await client.listen({ resourceSubscriptions: [WATCHED] });
      try {
        expect(subscription.honoredFilter).toMatchObject({ resourceSubscriptions: [WATCHED] });
        await untilReceived(() => publish('', { method: 'notifications/resources/updated', uri: WATCHED }), () => updated.length > 0);
        expect(new Set(updated)).toEqual(new Set([WATCHED]));
      } finally {
        await subscription.close();
      }
    } finally {
      await client.close();
    }
  });

  test('bad input gets a JSON-RPC error with the right status, and the environment serves on', async () => {
    const headers = { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' };
    const notJson = await fetch(functionUrl.url, { method: 'POST', headers, body: '{"jsonrpc": "2.0", "id": 1, "method": ' });
    expect(notJson.status).toBe(400);
    expect((await notJson.json() as { error: { code: number } }).error.code).toBe(-32700);

    const unknownSession = await fetch(functionUrl.url, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': 'no-such-session', 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(unknownSession.status).toBe(404);
    await unknownSession.arrayBuffer();

    const wrongMethod = await fetch(functionUrl.url, { method: 'PUT', headers, body: '{}' });
    expect(wrongMethod.status).toBe(405);
    await wrongMethod.arrayBuffer();

    // Still serving: a fresh client gets its answers.
    const client = new ClientV1({ name: 'after-bad-input', version: '1.0.0' });
    await client.connect(new TransportV1(new URL(functionUrl.url)));
    try {
      expect((await client.listTools()).tools).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  test('every response was streamed with the prelude, by a few environments of the runtime client', () => {
    const methods = new Set(functionUrl.served.map((s) => s.method));
    expect(methods).toEqual(new Set(['GET', 'POST', 'DELETE', 'PUT']));
    expect(functionUrl.served.filter((s) => !s.streamedWithPrelude)).toEqual([]);
    // Streams held open make the emulator start more environments, never one per request.
    expect(emulator.environments.length).toBeGreaterThanOrEqual(2);
    expect(emulator.environments.length).toBeLessThan(functionUrl.served.length);
    // The handler's request log lines carry the request ids the Runtime API gave out:
    // the context came from the runtime client, which read them from its headers.
    const logged = emulator.logs().split('\n').filter((l) => l.includes('"message":"http request"'))
      .map((l) => JSON.parse(l) as { requestId: string; principalKind: string });
    expect(logged.length).toBeGreaterThanOrEqual(10);
    expect(logged.filter((l) => !emulator.requestIds.includes(l.requestId))).toEqual([]);
    // Requests past authentication carry the IAM caller the Function URL passed in.
    expect(logged.filter((l) => l.principalKind === 'iam').length).toBeGreaterThanOrEqual(8);
  });
});
