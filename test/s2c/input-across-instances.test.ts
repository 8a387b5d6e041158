/**
 * Tools that ask the client for input, and tasks, over real HTTP (127.0.0.1 sockets)
 * with the official clients, across TWO endpoint instances ("execution environments")
 * that share nothing but DynamoDB Local:
 *
 * - SDK v1's Client (2025-11-25 session) with `sampling/createMessage` and
 *   `elicitation/create` handlers: every request POST goes to instance A, every POST
 *   carrying the client's answers to instance B, so each answer reaches the waiting
 *   invocation on A only through the store.
 * - SDK v2's Client pinned to 2026-07-28: the same tool's `input_required` result,
 *   retried with `inputResponses` and the sealed `requestState`, alternating instances.
 * - 2025-11-25 tasks with SDK v1's Client: created on one instance, run in an
 *   invocation of their own, read and cancelled on the other.
 * - The 2026-07-28 tasks extension with raw requests (SDK v2's client has no runtime
 *   for it): server-directed task handles, tasks/get, tasks/update, tasks/cancel.
 *
 * Tools are real local handler modules (test/s2c/fixtures/ask-tools.js) run by the
 * real LocalInvoker: the tool contract exactly as a Lambda function sees it.
 */
import { join } from 'node:path';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema, CancelTaskResultSchema, CreateMessageRequestSchema, CreateTaskResultSchema,
  ElicitRequestSchema, GetTaskResultSchema, ListTasksResultSchema,
// eslint-disable-next-line import/no-unresolved
} from '@modelcontextprotocol/sdk/types.js';
import type { ToolItem } from '../../lambda-src/model/registry-item';
import { createMcpEndpoint, type McpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { RequestStateSeal } from '../../lambda-src/s2c/request-state-seal';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbPendingRequestStore } from '../../lambda-src/store/dynamodb-pending-request-store';
import { dynamoDbSealKey } from '../../lambda-src/store/dynamodb-seal-key';
import { DynamoDbSessionStore } from '../../lambda-src/store/dynamodb-session-store';
import { DynamoDbTaskStore } from '../../lambda-src/store/dynamodb-task-store';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import type { Principal } from '../../lambda-src/store/session-store';
import { LocalTaskRunner } from '../../lambda-src/tasks/local-task-runner';
import { executeTask } from '../../lambda-src/tasks/task-executor';
import { TaskService } from '../../lambda-src/tasks/task-service';
import { LocalInvoker } from '../../lambda-src/tools/local-invoker';
import { testConfig } from '../protocol/endpoint-fixture';
import { startWebRequestServer, type WebRequestServer } from '../protocol/web-request-server';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { postRawModern } from '../support/raw-modern-request';

const ALICE: Principal = { kind: 'iam', id: 'arn:aws:iam::123456789012:user/alice' };
const BOB: Principal = { kind: 'iam', id: 'arn:aws:iam::123456789012:user/bob' };
const FIXTURES = join(__dirname, 'fixtures');

const TOOLS: ToolItem[] = [
  { type: 'tool', name: 'deploy', inputSchema: { type: 'object', properties: { env: { type: 'string' } }, required: ['env'] }, handler: './ask-tools.js#deploy', baseDir: FIXTURES },
  { type: 'tool', name: 'bad_ask', inputSchema: { type: 'object' }, handler: './ask-tools.js#badAsk', baseDir: FIXTURES },
  {
    type: 'tool',
    name: 'report',
    inputSchema: { type: 'object', properties: { name: { type: 'string' }, fast: { type: 'boolean' } } },
    handler: './ask-tools.js#report',
    baseDir: FIXTURES,
    taskSupport: 'optional',
  },
  { type: 'tool', name: 'report_async', inputSchema: { type: 'object' }, handler: './ask-tools.js#report', baseDir: FIXTURES, taskSupport: 'required' },
  {
    type: 'tool',
    name: 'deploy_task',
    inputSchema: { type: 'object', properties: { env: { type: 'string' } }, required: ['env'] },
    handler: './ask-tools.js#deploy',
    baseDir: FIXTURES,
    taskSupport: 'required',
  },
  { type: 'tool', name: 'crash', inputSchema: { type: 'object' }, handler: './ask-tools.js#crash', baseDir: FIXTURES, taskSupport: 'optional' },
  {
    type: 'tool', name: 'admitted', inputSchema: { type: 'object' }, handler: './ask-tools.js#admitted', baseDir: FIXTURES, taskSupport: 'optional', inputBeforeTask: true,
  },
];

let ddb: DynamoDbLocal;
const servers: WebRequestServer[] = [];
let serverA: WebRequestServer;
let serverB: WebRequestServer;
let bobB: WebRequestServer;
let bufferedA: WebRequestServer;
let runner: LocalTaskRunner;
/** Which instance served each POST, and what it carried. */
let served: Array<{ instance: string; kind: string }>;
const ddbClients: Array<{ destroy(): void }> = [];

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  const { sessionTable } = await createTestTables(ddb.endpoint);
  const environment = async (responseMode: 'streaming' | 'buffered' = 'streaming'): Promise<{ endpoint: McpEndpoint; parts: Record<string, unknown> }> => {
    // Each instance: its own DynamoDB client, registry cache and invoker; the table is all they share.
    const client = createDocumentClient({ endpoint: ddb.endpoint });
    ddbClients.push(client);
    const registryStore = new MemoryRegistryStore();
    for (const tool of TOOLS) await registryStore.put(tool);
    const registry = new RegistrySource(registryStore);
    const invoker = new LocalInvoker();
    const taskStore = new DynamoDbTaskStore({ client, tableName: sessionTable });
    const endpoint = createMcpEndpoint({
      config: testConfig(),
      sessions: new DynamoDbSessionStore({ client, tableName: sessionTable }),
      registry,
      invoker,
      pending: new DynamoDbPendingRequestStore({ client, tableName: sessionTable }),
      inputSeal: new RequestStateSeal(dynamoDbSealKey({ client, tableName: sessionTable })),
      tasks: new TaskService({ store: taskStore, runner, resultPollMs: 25 }),
      options: { log: () => undefined },
      responseMode,
    });
    return { endpoint, parts: { taskStore, registry, invoker } };
  };
  // A third environment runs the tasks ("the task's own invocation").
  const runnerClient = createDocumentClient({ endpoint: ddb.endpoint });
  ddbClients.push(runnerClient);
  const runnerRegistry = new MemoryRegistryStore();
  for (const tool of TOOLS) await runnerRegistry.put(tool);
  const runnerDeps = {
    config: testConfig(),
    store: new DynamoDbTaskStore({ client: runnerClient, tableName: sessionTable }),
    registry: new RegistrySource(runnerRegistry),
    invoker: new LocalInvoker(),
    cancelPollMs: 25,
  };
  runner = new LocalTaskRunner({ execute: async (event) => void (await executeTask(runnerDeps, event, { requestId: 'task-invocation', deadline: Date.now() + 60_000 })) });
  const [a, b] = [await environment(), await environment()];
  const record = (name: string, endpoint: McpEndpoint) => async (request: Request, ctx: Parameters<McpEndpoint['handle']>[1]) => {
    if (request.method === 'POST') {
      const body = await request.clone().json().catch(() => undefined);
      served.push({ instance: name, kind: body?.method ?? (body && ('result' in body || 'error' in body) ? 'answer' : 'other') });
    }
    return endpoint.handle(request, ctx);
  };
  serverA = await startWebRequestServer(record('A', a.endpoint), { context: () => ({ principal: ALICE, deadline: Date.now() + 60_000 }) });
  serverB = await startWebRequestServer(record('B', b.endpoint), { context: () => ({ principal: ALICE, deadline: Date.now() + 60_000 }) });
  bobB = await startWebRequestServer(record('B', b.endpoint), { context: () => ({ principal: BOB, deadline: Date.now() + 60_000 }) });
  const buffered = (await environment('buffered')).endpoint;
  const asAlice = { context: () => ({ principal: ALICE, deadline: Date.now() + 60_000 }) };
  bufferedA = await startWebRequestServer((request, ctx) => buffered.handle(request, ctx), asAlice);
  servers.push(serverA, serverB, bobB, bufferedA);
}, 60_000);

afterAll(async () => {
  await runner?.idle();
  for (const s of servers) await s.close();
  for (const c of ddbClients) c.destroy();
  await ddb?.stop();
});

beforeEach(() => {
  served = [];
});

/** Requests (and the GET stream) to instance A; the client's answers to instance B. */
const answersElsewhere: typeof fetch = async (_input, init) => {
  const body = typeof init?.body === 'string' ? init.body : '';
  const isAnswer = body !== '' && !body.includes('"method"');
  return fetch(isAnswer ? serverB.url : serverA.url, init);
};

async function v1Client(capabilities: Record<string, unknown>, fetchImpl: typeof fetch = answersElsewhere) {
  const client = new ClientV1({ name: 'v1-client', version: '1.0.0' }, { capabilities });
  const transport = new TransportV1(serverA.url, { fetch: fetchImpl });
  await client.connect(transport);
  return { client, transport };
}

describe('2025-11-25 session: sampling and elicitation across instances', () => {
  test('a tool asks twice (elicitation, then sampling with its state); the answers reach it through the store', async () => {
    const { client } = await v1Client({ elicitation: {}, sampling: {} });
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(`elicit:${request.params.message}`);
      return { action: 'accept', content: { confirm: true } };
    });
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      asked.push(`sample:${(request.params.messages[0].content as { text: string }).text}`);
      return { role: 'assistant', content: { type: 'text', text: 'all green' }, model: 'test-model', stopReason: 'endTurn' };
    });
    const result = await client.callTool({ name: 'deploy', arguments: { env: 'prod' } });
    expect(asked).toEqual(['elicit:Deploy to prod?', 'sample:Summarise a deploy to prod']);
    expect(result.content).toEqual([{ type: 'text', text: 'deployed to prod (step 2): all green' }]);
    expect(result.structuredContent).toEqual({ env: 'prod', step: 2, session: true });
    // The call on A, both answers on B.
    expect(served.filter((s) => s.kind === 'tools/call').map((s) => s.instance)).toEqual(['A']);
    expect(served.filter((s) => s.kind === 'answer').map((s) => s.instance)).toEqual(['B', 'B']);
    await client.close();
  });

  test('a declined elicitation reaches the tool as declined', async () => {
    const { client } = await v1Client({ elicitation: {} });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' }));
    const result = await client.callTool({ name: 'deploy', arguments: { env: 'staging' } });
    expect(result.content).toEqual([{ type: 'text', text: 'not deployed (decline)' }]);
    await client.close();
  });

  test('a client without the capability gets an error result naming it, and is never asked', async () => {
    const { client } = await v1Client({});
    const result = await client.callTool({ name: 'deploy', arguments: { env: 'prod' } });
    expect(result.isError).toBe(true);
    expect((result.content as Array<{ text: string }>)[0].text).toMatch(/Cannot request input 'confirm' \(elicitation\/create\).*did not declare the required capability/);
    expect(served.some((s) => s.kind === 'answer')).toBe(false);
    await client.close();
  });

  test('in buffered mode the client cannot be asked mid-call: an error result says so at once', async () => {
    const client = new ClientV1({ name: 'v1-client', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    await client.connect(new TransportV1(bufferedA.url));
    let asked = false;
    client.setRequestHandler(ElicitRequestSchema, async () => {
      asked = true;
      return { action: 'accept', content: { confirm: true } };
    });
    const result = await client.callTool({ name: 'deploy', arguments: { env: 'prod' } });
    expect(result.isError).toBe(true);
    expect((result.content as Array<{ text: string }>)[0].text).toMatch(/cannot deliver requests to the client while a call runs \(buffered responses/);
    expect(asked).toBe(false);
    await client.close();
  });

  test('a malformed request for input is an error result the tool author can act on', async () => {
    const { client } = await v1Client({ elicitation: {} });
    const result = await client.callTool({ name: 'bad_ask', arguments: {} });
    expect(result).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringMatching(/returned an invalid input_required result: inputRequests.x.method "tools\/call" is not one of/) }] });
    await client.close();
  });
});

describe('2026-07-28: the same tool through input_required and a retry', () => {
  /** Alternates instances, request by request: the retry lands on the other one. */
  let flip = 0;
  const alternate: typeof fetch = async (_input, init) => fetch(flip++ % 2 === 0 ? serverA.url : serverB.url, init);

  test('the client fulfils each round and retries with inputResponses and the sealed requestState', async () => {
    const client = new ClientV2({ name: 'v2-client', version: '2.0.0' }, { capabilities: { elicitation: {}, sampling: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { confirm: true } }));
    client.setRequestHandler('sampling/createMessage', async () => ({ role: 'assistant', content: { type: 'text', text: 'ok from v2' }, model: 'm', stopReason: 'endTurn' }));
    await client.connect(new TransportV2(serverA.url, { fetch: alternate }));
    const result = await client.callTool({ name: 'deploy', arguments: { env: 'dev' } });
    expect(result.content).toEqual([{ type: 'text', text: 'deployed to dev (step 2): ok from v2' }]);
    expect(result.structuredContent).toEqual({ env: 'dev', step: 2, session: false });
    expect(new Set(served.filter((s) => s.kind === 'tools/call').map((s) => s.instance))).toEqual(new Set(['A', 'B']));
    await client.close();
  });

  test('a requestState the server did not seal is refused with -32602', async () => {
    const client = new ClientV2({ name: 'v2-client', version: '2.0.0' }, { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new TransportV2(serverB.url));
    const forged = `mls1.${Buffer.from(JSON.stringify({ s: JSON.stringify({ step: 2, env: 'prod' }), t: 'deploy', c: null, e: 9e9 })).toString('base64url')}.AAAA`;
    await expect(client.request({ method: 'tools/call', params: { name: 'deploy', arguments: { env: 'prod' }, requestState: forged, inputResponses: {} } }))
      .rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/Invalid or expired requestState/) });
    await client.close();
  });
});

describe('2025-11-25 tasks', () => {
  test('the server declares tasks, and tools list their taskSupport', async () => {
    const { client } = await v1Client({});
    expect(client.getServerCapabilities()?.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === 'report')?.execution).toEqual({ taskSupport: 'optional' });
    expect(tools.find((t) => t.name === 'deploy')?.execution).toBeUndefined();
    await client.close();
  });

  test('a task-augmented call returns a task at once; the result is read on another instance after the creating request ended', async () => {
    const { client } = await v1Client({});
    const created = await client.request({ method: 'tools/call', params: { name: 'report', arguments: { name: 'q3', fast: true }, task: { ttl: 60_000 } } }, CreateTaskResultSchema);
    expect(created.task).toMatchObject({ status: 'working', ttl: 60_000 });
    // Another instance, another POST: the task lives in the store, not in the invocation that created it.
    const readB = new ClientV1({ name: 'same-principal', version: '1' });
    await readB.connect(new TransportV1(serverB.url));
    const result = await readB.request({ method: 'tasks/result', params: { taskId: created.task.taskId } }, CallToolResultSchema);
    expect(result.content).toEqual([{ type: 'text', text: `report for q3 (task ${created.task.taskId})` }]);
    expect(result._meta).toEqual({ 'io.modelcontextprotocol/related-task': { taskId: created.task.taskId } });
    const got = await readB.request({ method: 'tasks/get', params: { taskId: created.task.taskId } }, GetTaskResultSchema);
    expect(got.status).toBe('completed');
    const listed = await readB.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    expect(listed.tasks.map((t) => t.taskId)).toContain(created.task.taskId);
    await readB.close();
    await client.close();
  });

  test('cancel on one instance stops the run; the task stays cancelled; another principal sees nothing', async () => {
    const { client } = await v1Client({});
    const created = await client.request({ method: 'tools/call', params: { name: 'report_async', arguments: { name: 'slow', ms: 20_000 }, task: {} } }, CreateTaskResultSchema);
    const bob = new ClientV1({ name: 'bob', version: '1' });
    await bob.connect(new TransportV1(bobB.url));
    await expect(bob.request({ method: 'tasks/get', params: { taskId: created.task.taskId } }, GetTaskResultSchema))
      .rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/Task not found/) });
    await expect(bob.request({ method: 'tasks/cancel', params: { taskId: created.task.taskId } }, CancelTaskResultSchema)).rejects.toMatchObject({ code: -32602 });
    expect((await bob.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema)).tasks).toEqual([]);
    await bob.close();

    const cancelled = await client.request({ method: 'tasks/cancel', params: { taskId: created.task.taskId } }, CancelTaskResultSchema);
    expect(cancelled.status).toBe('cancelled');
    await runner.idle(); // the run saw the cancellation and stopped waiting for the tool
    const got = await client.request({ method: 'tasks/get', params: { taskId: created.task.taskId } }, GetTaskResultSchema);
    expect(got.status).toBe('cancelled');
    await expect(client.request({ method: 'tasks/cancel', params: { taskId: created.task.taskId } }, CancelTaskResultSchema))
      .rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/already cancelled/) });
    await client.close();
  });

  test('a function that answers with a JSON-RPC error: a plain call gets the error, a task fails and tasks/result returns it', async () => {
    const { client } = await v1Client({});
    await expect(client.callTool({ name: 'crash', arguments: { name: 'sync' } }))
      .rejects.toMatchObject({ code: -32603, message: expect.stringMatching(/backend down for sync/) });
    const created = await client.request({ method: 'tools/call', params: { name: 'crash', arguments: { name: 'task' }, task: {} } }, CreateTaskResultSchema);
    await expect(client.request({ method: 'tasks/result', params: { taskId: created.task.taskId } }, CallToolResultSchema))
      .rejects.toMatchObject({ code: -32603, message: expect.stringMatching(/backend down for task/), data: { retryAfter: 30 } });
    const got = await client.request({ method: 'tasks/get', params: { taskId: created.task.taskId } }, GetTaskResultSchema);
    expect(got.status).toBe('failed');
    await client.close();
  });

  test('a task whose tool asks for input goes input_required; tasks/result relays each request (related-task) and the task resumes', async () => {
    const { client } = await v1Client({ elicitation: {}, sampling: {} });
    const asked: Array<{ what: string; related: unknown }> = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push({ what: `elicit:${request.params.message}`, related: request.params._meta?.['io.modelcontextprotocol/related-task'] });
      return { action: 'accept', content: { confirm: true } };
    });
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      asked.push({ what: `sample:${(request.params.messages[0].content as { text: string }).text}`, related: request.params._meta?.['io.modelcontextprotocol/related-task'] });
      return { role: 'assistant', content: { type: 'text', text: 'all green' }, model: 'test-model', stopReason: 'endTurn' };
    });
    const created = await client.request({ method: 'tools/call', params: { name: 'deploy_task', arguments: { env: 'prod' }, task: {} } }, CreateTaskResultSchema);
    const taskId = created.task.taskId;
    let status = created.task.status;
    for (let i = 0; i < 400 && status !== 'input_required'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = (await client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema)).status;
    }
    expect(status).toBe('input_required');
    // "the requestor SHOULD preemptively call tasks/result": it carries both rounds' requests.
    const result = await client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema);
    expect(asked).toEqual([
      { what: 'elicit:Deploy to prod?', related: { taskId } },
      { what: 'sample:Summarise a deploy to prod', related: { taskId } },
    ]);
    expect(result.content).toEqual([{ type: 'text', text: 'deployed to prod (step 2): all green' }]);
    expect(served.filter((s) => s.kind === 'answer').map((s) => s.instance)).toEqual(['B', 'B']);
    expect((await client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema)).status).toBe('completed');
    await client.close();
  });

  test('a task cancelled while its request waits for the client: tasks/result ends, and the request is withdrawn', async () => {
    const { client } = await v1Client({ elicitation: {} });
    const other = new ClientV1({ name: 'same-principal', version: '1' });
    await other.connect(new TransportV1(serverB.url));
    let withdrawn = false;
    let taskId = '';
    client.setRequestHandler(ElicitRequestSchema, async (_request, extra) => {
      // The person is still thinking when the task is cancelled elsewhere.
      await other.request({ method: 'tasks/cancel', params: { taskId } }, CancelTaskResultSchema);
      await new Promise<void>((resolve) => {
        if (extra.signal.aborted) resolve();
        extra.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      withdrawn = true;
      return { action: 'cancel' };
    });
    const created = await client.request({ method: 'tools/call', params: { name: 'deploy_task', arguments: { env: 'qa' }, task: {} } }, CreateTaskResultSchema);
    taskId = created.task.taskId;
    await expect(client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema))
      .rejects.toMatchObject({ code: -32603, message: expect.stringMatching(/was cancelled before it produced a result/) });
    expect(withdrawn).toBe(true);
    expect((await other.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema)).status).toBe('cancelled');
    await other.close();
    await client.close();
  });

  test('a task asking a client that lacks the capability fails with a result naming it; the client is never asked', async () => {
    const { client } = await v1Client({ sampling: {} });
    const created = await client.request({ method: 'tools/call', params: { name: 'deploy_task', arguments: { env: 'dev' }, task: {} } }, CreateTaskResultSchema);
    const result = await client.request({ method: 'tasks/result', params: { taskId: created.task.taskId } }, CallToolResultSchema);
    expect(result.isError).toBe(true);
    expect((result.content as Array<{ text: string }>)[0].text).toMatch(/elicitation\/create\) could not be answered: the client did not declare the elicitation capability/);
    expect((await client.request({ method: 'tasks/get', params: { taskId: created.task.taskId } }, GetTaskResultSchema)).status).toBe('failed');
    expect(served.some((s) => s.kind === 'answer')).toBe(false);
    await client.close();
  });

  test('taskSupport is enforced with -32601 both ways', async () => {
    const { client } = await v1Client({});
    await expect(client.request({ method: 'tools/call', params: { name: 'deploy', arguments: { env: 'x' }, task: {} } }, CreateTaskResultSchema))
      .rejects.toMatchObject({ code: -32601, message: expect.stringMatching(/does not support task-augmented calls/) });
    await expect(client.callTool({ name: 'report_async', arguments: {} }))
      .rejects.toMatchObject({ code: -32601, message: expect.stringMatching(/must be called as a task/) });
    await client.close();
  });
});

describe('2026-07-28 tasks extension (io.modelcontextprotocol/tasks)', () => {
  let nextId = 100;
  /** A raw 2026-07-28 request with the per-request envelope, optionally declaring the extension. */
  type RawOptions = { name?: string; extension?: boolean; elicitation?: boolean };
  async function modern(server: WebRequestServer, method: string, params: Record<string, unknown>, options: RawOptions = {}) {
    return postRawModern<{ result?: Record<string, any>; error?: { code: number; message: string; data?: unknown } }>(server.url, method, params, {
      id: nextId++,
      name: options.name,
      clientCapabilities: {
        ...(options.extension === false ? {} : { extensions: { 'io.modelcontextprotocol/tasks': {} } }),
        ...(options.elicitation ? { elicitation: {} } : {}),
      },
    });
  }

  test('server/discover advertises the extension', async () => {
    const discovered = await modern(serverA, 'server/discover', {});
    expect(discovered.result?.capabilities.extensions).toEqual({ 'io.modelcontextprotocol/tasks': {} });
  });

  test('a declaring client gets a task handle, polls it on the other instance, and reads the result inline', async () => {
    const created = await modern(serverA, 'tools/call', { name: 'report', arguments: { name: 'q4', fast: true } }, { name: 'report' });
    expect(created.result).toMatchObject({ resultType: 'task', status: 'working', ttlMs: 3_600_000, pollIntervalMs: 2000 });
    const taskId = created.result!.taskId as string;
    let task = await modern(serverB, 'tasks/get', { taskId }, { name: taskId });
    while (task.result?.status === 'working') {
      await runner.idle();
      task = await modern(serverB, 'tasks/get', { taskId }, { name: taskId });
    }
    expect(task.result).toMatchObject({
      resultType: 'complete', taskId, status: 'completed', result: { content: [{ type: 'text', text: `report for q4 (task ${taskId})` }] },
    });
    expect(await modern(serverB, 'tasks/update', { taskId, inputResponses: { nothing: { action: 'accept' } } }, { name: taskId }))
      .toMatchObject({ result: { resultType: 'complete' } });
    const bob = await modern(bobB, 'tasks/get', { taskId }, { name: taskId });
    expect(bob.error).toMatchObject({ code: -32602, message: expect.stringMatching(/Task not found/) });
  });

  test('a client that does not declare it gets the plain result, or -32021 for a tool that only runs as a task', async () => {
    const plain = await modern(serverA, 'tools/call', { name: 'report', arguments: { name: 'now', fast: true } }, { name: 'report', extension: false });
    expect(plain.result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'report for now (task none)' }] });
    const refused = await modern(serverA, 'tools/call', { name: 'report_async', arguments: {} }, { name: 'report_async', extension: false });
    expect(refused.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } } });
  });

  test("tasks/get, tasks/update and tasks/cancel without the extension in the request's capabilities are -32021", async () => {
    const created = await modern(serverA, 'tools/call', { name: 'report_async', arguments: { name: 'gate', fast: true } }, { name: 'report_async' });
    const taskId = created.result!.taskId as string;
    for (const [method, params] of [
      ['tasks/get', { taskId }],
      ['tasks/update', { taskId, inputResponses: {} }],
      ['tasks/cancel', { taskId }],
    ] as const) {
      const refused = await modern(serverB, method, params, { name: taskId, extension: false });
      expect(refused.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } } });
    }
    // The same request declaring it is served.
    expect((await modern(serverB, 'tasks/get', { taskId }, { name: taskId })).result).toMatchObject({ taskId });
  });

  test('a task whose tool asks for input waits in input_required, and resumes on another instance when tasks/update answers', async () => {
    const created = await modern(serverA, 'tools/call', { name: 'deploy_task', arguments: { env: 'prod' } }, { name: 'deploy_task' });
    const taskId = created.result!.taskId as string;
    const poll = async (server: WebRequestServer, status: string) => {
      for (let i = 0; i < 400; i++) {
        const got = await modern(server, 'tasks/get', { taskId }, { name: taskId });
        if (got.result?.status === status) return got.result;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`task ${taskId} never reached ${status}`);
    };
    // Round 1: the elicitation, under a key unique to the task's lifetime.
    const waiting = await poll(serverB, 'input_required');
    expect(waiting.inputRequests).toEqual({ '1.confirm': expect.objectContaining({ method: 'elicitation/create', params: expect.objectContaining({ message: 'Deploy to prod?' }) }) });
    // An unknown key is ignored: the task keeps waiting.
    expect((await modern(serverA, 'tasks/update', { taskId, inputResponses: { confirm: { action: 'accept' } } }, { name: taskId })).result).toMatchObject({ resultType: 'complete' });
    expect((await modern(serverB, 'tasks/get', { taskId }, { name: taskId })).result).toMatchObject({ status: 'input_required' });
    await modern(serverA, 'tasks/update', { taskId, inputResponses: { '1.confirm': { action: 'accept', content: { confirm: true } } } }, { name: taskId });
    // Round 2: the tool resumed with the answer and now asks for a sampling; its requestState stays server-side.
    const second = await poll(serverB, 'input_required');
    expect(Object.keys(second.inputRequests)).toEqual(['2.summary']);
    expect(JSON.stringify(second)).not.toContain('step');
    await modern(serverB, 'tasks/update', {
      taskId, inputResponses: { '2.summary': { role: 'assistant', content: { type: 'text', text: 'all green' }, model: 'm' } },
    }, { name: taskId });
    const done = await poll(serverA, 'completed');
    expect(done.result).toMatchObject({ content: [{ type: 'text', text: 'deployed to prod (step 2): all green' }] });
    expect(done.inputRequests).toBeUndefined();
  });

  /** Polls tasks/get on `server` until the task is terminal. */
  async function terminal(server: WebRequestServer, taskId: string) {
    for (let i = 0; i < 400; i++) {
      const got = await modern(server, 'tasks/get', { taskId }, { name: taskId });
      if (['completed', 'failed', 'cancelled'].includes(got.result?.status)) return got.result!;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`task ${taskId} never ended`);
  }

  test('a function that answers with a JSON-RPC error fails its task with that error, and no result', async () => {
    const created = await modern(serverA, 'tools/call', { name: 'crash', arguments: { name: 'ext' } }, { name: 'crash' });
    expect(created.result).toMatchObject({ resultType: 'task' });
    const done = await terminal(serverB, created.result!.taskId);
    expect(done).toMatchObject({ status: 'failed', error: { code: -32603, message: 'backend down for ext', data: { retryAfter: 30 } } });
    expect(done.result).toBeUndefined();
    // Synchronously (no extension), the call itself is answered with the error.
    const plain = await modern(serverA, 'tools/call', { name: 'crash', arguments: { name: 'plain' } }, { name: 'crash', extension: false });
    expect(plain.error).toMatchObject({ code: -32603, message: 'backend down for plain' });
  });

  test('inputBeforeTask: input is gathered on the tools/call itself, then the task is made and its run gets the answer', async () => {
    // Round 1: input_required, no task yet.
    const first = await modern(serverA, 'tools/call', { name: 'admitted', arguments: {} }, { name: 'admitted', elicitation: true });
    expect(first.result).toMatchObject({ resultType: 'input_required', inputRequests: { region: expect.objectContaining({ method: 'elicitation/create' }) } });
    expect(first.result!.taskId).toBeUndefined();
    const requestState = first.result!.requestState as string;
    expect(requestState).not.toContain('asked-region'); // sealed
    // Round 2 on the other instance: the function asks for the task.
    const second = await modern(serverB, 'tools/call', {
      name: 'admitted', arguments: {}, inputResponses: { region: { action: 'accept', content: { region: 'eu' } } }, requestState,
    }, { name: 'admitted', elicitation: true });
    expect(second.result).toMatchObject({ resultType: 'task', status: 'working' });
    expect(second.result!.requestState).toBeUndefined();
    expect(second.result!.inputRequests).toBeUndefined();
    const done = await terminal(serverA, second.result!.taskId);
    expect(done).toMatchObject({ status: 'completed', result: { content: [{ type: 'text', text: 'built in eu (state asked-region, task yes)' }] } });
    // The function may also answer at once: then there is no task.
    const now = await modern(serverA, 'tools/call', {
      name: 'admitted', arguments: {}, inputResponses: { region: { action: 'accept', content: { region: 'now' } } }, requestState,
    }, { name: 'admitted', elicitation: true });
    expect(now.result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'answered at once' }] });
    // A state not sealed by this server is refused before anything runs.
    const forged = await modern(serverA, 'tools/call', {
      name: 'admitted', arguments: {}, inputResponses: { region: { action: 'accept', content: { region: 'eu' } } }, requestState: 'asked-region',
    }, { name: 'admitted', elicitation: true });
    expect(forged.error).toMatchObject({ code: -32602 });
  });

  test('inputBeforeTask without the extension: a plain call, the same rounds, no admission', async () => {
    const first = await modern(serverA, 'tools/call', { name: 'admitted', arguments: {} }, { name: 'admitted', extension: false, elicitation: true });
    expect(first.result).toMatchObject({ resultType: 'input_required' });
    const second = await modern(serverB, 'tools/call', {
      name: 'admitted', arguments: {}, inputResponses: { region: { action: 'accept', content: { region: 'us' } } }, requestState: first.result!.requestState,
    }, { name: 'admitted', extension: false, elicitation: true });
    expect(second.result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'built in us (state asked-region, task no)' }] });
  });

  test('tasks/cancel acknowledges and cancels a running task', async () => {
    const created = await modern(serverA, 'tools/call', { name: 'report_async', arguments: { name: 'slow', ms: 20_000 } }, { name: 'report_async' });
    const taskId = created.result!.taskId as string;
    expect(await modern(serverB, 'tasks/cancel', { taskId }, { name: taskId })).toMatchObject({ result: { resultType: 'complete' } });
    await runner.idle();
    expect((await modern(serverA, 'tasks/get', { taskId }, { name: taskId })).result).toMatchObject({ status: 'cancelled' });
  });
});
