/**
 * DynamoDB faults against the REAL AWS SDK DynamoDB client (lambda-src/store/dynamodb-client.ts:
 * 3 attempts, standard jittered backoff, a per-attempt request timeout), injected by a
 * proxy in front of DynamoDB Local (test/support/dynamodb-fault-proxy.ts), while a
 * 2025-era session or a 2026-07-28 client talks to the real handler over HTTP.
 *
 * What a user relies on, for every fault (throttling, 500, a hung connection, a
 * connection dropped before or after DynamoDB applied the write):
 * - the client's attempts are bounded (counted where they arrive, at the proxy);
 * - the client gets a clear answer before its own timeout: HTTP 503 with
 *   `Retry-After` (RFC 9110 section 15.6.4) and a JSON-RPC error body (-32603, or a
 *   -32000..-32099 server error), never a 500, never a stack trace;
 * - nothing is half-written: the tables read the same before and after (a direct Scan);
 * - the session goes on once the fault clears.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startHandlerServer, type HandlerServer } from './handler-server';
import {
  callTool, initializeBody, modernBody, modernHeaders, openSession, post, type RawAnswer, read, sessionHeaders,
} from './raw-client';
import { PROFILE, recordResult } from './reliability-profile';
import { scanTable } from './table-snapshot';
import type { HandlerConfig } from '../../lambda-src/model/config';
import type { RegistryItem } from '../../lambda-src/model/registry-item';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { createDocumentClient, DEFAULT_MAX_ATTEMPTS } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbRegistryStore } from '../../lambda-src/store/dynamodb-registry-store';
import { DynamoDbSessionStore } from '../../lambda-src/store/dynamodb-session-store';
import { MemoryEventLog } from '../../lambda-src/store/memory-event-log';
import type { InvokeOutcome, ToolInvoker } from '../../lambda-src/tools/tool-invoker';
import { type DynamoDbFault, DynamoDbFaultProxy } from '../support/dynamodb-fault-proxy';
import { createTestTables, localDynamoDbClient, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { handlerConfig } from '../support/handler-config';

const FAULTS: DynamoDbFault[] = ['provisioned-throughput', 'throttling', 'internal-error', 'hang', 'drop-before', 'drop-after'];

const ECHO: RegistryItem = {
  type: 'tool',
  name: 'echo',
  inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
  lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
};

/** The tool behind `echo`; the store is what is under test here, not the invoker. */
const echoInvoker: ToolInvoker = {
  async invoke(_target, event): Promise<InvokeOutcome> {
    const message = (event as { arguments: { message: string } }).arguments.message;
    return { ok: true, payload: { content: [{ type: 'text', text: message }] } };
  },
};

/**
 * The longest a client must wait: every attempt timing out, plus the SDK's largest
 * throttling backoffs (500 ms and 1 s), plus slack for a loaded machine. A request
 * still unanswered then has hung, and its fetch aborts (the test fails).
 */
const CLIENT_TIMEOUT_MS = DEFAULT_MAX_ATTEMPTS * PROFILE.storeRequestTimeoutMs + 1500 + 5000;

let ddb: DynamoDbLocal;
let proxy: DynamoDbFaultProxy;
let direct: DynamoDBClient;
let tables: { sessionTable: string; registryTable: string };
let config: HandlerConfig;
const servers: HandlerServer[] = [];
const storeClients: Array<{ destroy(): void }> = [];
const tally = { faultsInjected: 0, clearAnswers: 0, attemptsCounted: 0 };

/** A handler whose stores talk to DynamoDB through the proxy, with a cold registry cache. */
async function handlerServer(): Promise<HandlerServer> {
  const client = createDocumentClient({ endpoint: proxy.endpoint, requestTimeoutMs: PROFILE.storeRequestTimeoutMs });
  storeClients.push(client);
  const registryStore = new DynamoDbRegistryStore({ client, tableName: tables.registryTable });
  const server = await startHandlerServer({
    config,
    sessions: new DynamoDbSessionStore({ client, tableName: tables.sessionTable }),
    // An event source, so that GET streams are offered (without one GET is 405 before any read).
    eventLog: new MemoryEventLog(),
    registryStore,
    registry: new RegistrySource(registryStore, { ttlMs: 60_000 }),
    invoker: echoInvoker,
    log: () => undefined,
  });
  servers.push(server);
  return server;
}

async function snapshot(): Promise<unknown> {
  return { sessions: await scanTable(direct, tables.sessionTable), registry: await scanTable(direct, tables.registryTable) };
}

/** The clear answer every store outage must get (see the file comment). */
function expectServiceUnavailable(answer: RawAnswer): void {
  expect({ status: answer.status, body: answer.text }).toMatchObject({ status: 503 });
  const retryAfter = answer.headers.get('retry-after');
  expect(retryAfter).toMatch(/^[1-9]\d*$/);
  expect(answer.messages).toHaveLength(1);
  const [message] = answer.messages;
  expect(message.jsonrpc).toBe('2.0');
  const code = message.error?.code;
  expect(code === -32603 || (code <= -32000 && code >= -32099)).toBe(true);
  expect(typeof message.error.message).toBe('string');
  // No stack trace, no file path, no SDK internals.
  expect(answer.text).not.toMatch(/\n\s+at |\.ts:\d+|\.js:\d+|node_modules/);
}

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  tables = await createTestTables(ddb.endpoint);
  direct = localDynamoDbClient(ddb.endpoint);
  proxy = await DynamoDbFaultProxy.start(ddb.endpoint);
  config = handlerConfig({
    sessionTable: tables.sessionTable,
    registryTable: tables.registryTable,
    serverName: 'reliability',
    toolTimeoutSeconds: 10,
    dynamoDbEndpoint: proxy.endpoint,
  });
  const seed = createDocumentClient({ endpoint: ddb.endpoint });
  await new DynamoDbRegistryStore({ client: seed, tableName: tables.registryTable }).put(ECHO);
  seed.destroy();
}, 60_000);

afterAll(async () => {
  recordResult('dynamodb-faults', tally);
  for (const s of servers) await s.close();
  for (const c of storeClients) c.destroy();
  direct?.destroy();
  await proxy?.close();
  await ddb?.stop();
});

beforeEach(() => {
  proxy.clear().resetLog();
});

describe('a DynamoDB fault during a 2025-era session request (the session read)', () => {
  let server: HandlerServer;
  beforeAll(async () => {
    server = await handlerServer();
  });

  test.each(FAULTS)('%s: bounded retries, then 503 with Retry-After; nothing written; the session goes on', async (fault) => {
    const sessionId = await openSession(server.url);
    const before = await snapshot();
    proxy.resetLog().inject({ fault, operations: ['GetItem'], table: tables.sessionTable });
    tally.faultsInjected++;

    const answer = await post(server.url, callTool(7, 'echo', { message: 'during the fault' }), sessionHeaders(sessionId),
      AbortSignal.timeout(CLIENT_TIMEOUT_MS));

    expect(proxy.count({ operation: 'GetItem' })).toBe(DEFAULT_MAX_ATTEMPTS);
    tally.attemptsCounted += proxy.count({ operation: 'GetItem' });
    expect(await snapshot()).toEqual(before);
    expectServiceUnavailable(answer);
    tally.clearAnswers++;

    proxy.clear();
    const after = await post(server.url, callTool(8, 'echo', { message: 'after the fault' }), sessionHeaders(sessionId));
    expect(after.status).toBe(200);
    expect(after.messages[0]).toMatchObject({ id: 8, result: { content: [{ type: 'text', text: 'after the fault' }] } });
  });
});

describe('a DynamoDB fault while a session is created (initialize)', () => {
  let server: HandlerServer;
  beforeAll(async () => {
    server = await handlerServer();
    await post(server.url, initializeBody()); // warms the registry cache: only the session write is under test
  });

  test.each(FAULTS.filter((f) => f !== 'drop-after'))('%s on every attempt: 503, and no session item is written', async (fault) => {
    const before = await snapshot();
    proxy.resetLog().inject({ fault, operations: ['PutItem'], table: tables.sessionTable });
    tally.faultsInjected++;

    const answer = await post(server.url, initializeBody(1), {}, AbortSignal.timeout(CLIENT_TIMEOUT_MS));

    expect(proxy.count({ operation: 'PutItem' })).toBe(DEFAULT_MAX_ATTEMPTS);
    tally.attemptsCounted += proxy.count({ operation: 'PutItem' });
    expect(answer.headers.get('mcp-session-id')).toBeNull();
    expect(await snapshot()).toEqual(before);
    expectServiceUnavailable(answer);
    tally.clearAnswers++;
  });

  test('drop-after once (DynamoDB stored the session, its answer was lost): the client still gets that session, and only it', async () => {
    const before = await scanTable(direct, tables.sessionTable);
    proxy.inject({ fault: 'drop-after', operations: ['PutItem'], table: tables.sessionTable, times: 1 });
    tally.faultsInjected++;

    const answer = await post(server.url, initializeBody(2), {}, AbortSignal.timeout(CLIENT_TIMEOUT_MS));

    const after = await scanTable(direct, tables.sessionTable);
    const created = after.filter((item) => !before.some((b) => b.pk === item.pk));
    // The SDK retried the PutItem after the lost answer: the store must recognise its
    // own first attempt (the id is 32 random bytes) instead of calling it a conflict.
    expect({ status: answer.status, body: answer.text, created: created.length }).toEqual({ status: 200, body: expect.any(String), created: 1 });
    expect(created[0].pk).toBe(`SESSION#${answer.headers.get('mcp-session-id')}`);
    tally.clearAnswers++;
  });
});

describe('a DynamoDB fault while a session is written (logging/setLevel)', () => {
  let server: HandlerServer;
  beforeAll(async () => {
    server = await handlerServer();
  });

  test.each(FAULTS.filter((f) => f !== 'drop-after'))('%s: the client gets an error for its request and the stored level is unchanged', async (fault) => {
    const sessionId = await openSession(server.url);
    const before = await snapshot();
    proxy.resetLog().inject({ fault, operations: ['UpdateItem'], table: tables.sessionTable });
    tally.faultsInjected++;

    const answer = await post(server.url, { jsonrpc: '2.0', id: 3, method: 'logging/setLevel', params: { level: 'error' } },
      sessionHeaders(sessionId), AbortSignal.timeout(CLIENT_TIMEOUT_MS));

    expect(proxy.count({ operation: 'UpdateItem' })).toBe(DEFAULT_MAX_ATTEMPTS);
    tally.attemptsCounted += proxy.count({ operation: 'UpdateItem' });
    expect(await snapshot()).toEqual(before);
    // Either answer is clear: the transport-level 503, or (the SDK server has already
    // accepted the request) a JSON-RPC error for this very request.
    if (answer.status === 200) {
      expect(answer.messages).toEqual([{ jsonrpc: '2.0', id: 3, error: { code: -32603, message: expect.stringMatching(/log level could not be stored/) } }]);
    } else {
      expectServiceUnavailable(answer);
    }
    tally.clearAnswers++;
  });
});

describe('a DynamoDB fault during GET (the standalone stream) and DELETE of a session', () => {
  let server: HandlerServer;
  beforeAll(async () => {
    server = await handlerServer();
  });

  test.each(['throttling', 'internal-error', 'hang', 'drop-before'] as DynamoDbFault[])('%s: GET and DELETE get 503 with Retry-After; the session survives a failed DELETE', async (fault) => {
    const sessionId = await openSession(server.url);
    const before = await snapshot();
    proxy.resetLog().inject({ fault, operations: ['GetItem', 'DeleteItem'], table: tables.sessionTable });
    tally.faultsInjected += 2;

    const get = await fetch(server.url, { headers: { accept: 'text/event-stream', ...sessionHeaders(sessionId) }, signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) });
    expectServiceUnavailable(await read(get));
    const del = await fetch(server.url, { method: 'DELETE', headers: sessionHeaders(sessionId), signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) });
    expectServiceUnavailable(await read(del));
    expect(await snapshot()).toEqual(before);
    tally.clearAnswers += 2;

    proxy.clear();
    const after = await post(server.url, callTool(9, 'echo', { message: 'alive' }), sessionHeaders(sessionId));
    expect(after.messages[0]).toMatchObject({ id: 9, result: { content: [{ type: 'text', text: 'alive' }] } });
  });
});

describe('a DynamoDB fault while the registry is read (2026-07-28, cold cache)', () => {
  test.each(FAULTS)('%s: bounded retries, then 503 with Retry-After; the next request is served', async (fault) => {
    const server = await handlerServer();
    proxy.resetLog().inject({ fault, operations: ['Query'], table: tables.registryTable });
    tally.faultsInjected++;

    const answer = await post(server.url, modernBody(1, 'tools/list'), modernHeaders('tools/list'), AbortSignal.timeout(CLIENT_TIMEOUT_MS));

    expect(proxy.count({ operation: 'Query' })).toBe(DEFAULT_MAX_ATTEMPTS);
    tally.attemptsCounted += proxy.count({ operation: 'Query' });
    expectServiceUnavailable(answer);
    tally.clearAnswers++;

    proxy.clear();
    const after = await post(server.url, modernBody(2, 'tools/list'), modernHeaders('tools/list'));
    expect(after.status).toBe(200);
    expect(after.messages[0].result.tools.map((t: { name: string }) => t.name)).toEqual(['echo']);
  });
});

describe('a registry write whose answer is lost (drop-after), through the store with expectedVersion', () => {
  test('the retried write is recognised as its own: it succeeds at the next version, or fails and leaves the item unchanged', async () => {
    const client = createDocumentClient({ endpoint: proxy.endpoint, requestTimeoutMs: PROFILE.storeRequestTimeoutMs });
    storeClients.push(client);
    const store = new DynamoDbRegistryStore({ client, tableName: tables.registryTable });
    const created = await store.put({ ...ECHO, name: 'versioned', description: 'v1' }, 0);
    proxy.inject({ fault: 'drop-after', operations: ['UpdateItem'], table: tables.registryTable, times: 1 });
    tally.faultsInjected++;

    const outcome = await store.put({ ...ECHO, name: 'versioned', description: 'v2' }, created.version)
      .then((item) => ({ ok: true as const, version: item.version }), (error: Error) => ({ ok: false as const, error: error.message }));

    const stored = await new DynamoDbRegistryStore({ client: createDocumentClient({ endpoint: ddb.endpoint }), tableName: tables.registryTable })
      .get('tool', 'versioned');
    if (outcome.ok) {
      expect({ outcome, stored: { version: stored?.version, description: stored?.description } })
        .toEqual({ outcome: { ok: true, version: created.version + 1 }, stored: { version: created.version + 1, description: 'v2' } });
    } else {
      // The caller was told it failed: then the write must not have happened.
      expect({ outcome, stored: { version: stored?.version, description: stored?.description } })
        .toEqual({ outcome, stored: { version: created.version, description: 'v1' } });
    }
    tally.clearAnswers++;
  });
});
