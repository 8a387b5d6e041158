/**
 * Load, bounded and on 127.0.0.1: hundreds of concurrent 2025-11-25 sessions (200 in
 * CI, 1000 with MCP_RELIABILITY_PROFILE=heavy) over TWO handler instances, two
 * "execution environments" that share nothing but the DynamoDB Local tables: each has
 * its own DynamoDB client, registry cache, Lambda client and HTTP server. Every session
 * is created on one instance and used on both, alternately, as a Function URL would
 * spread it. Tools run behind the real Lambda client on the fake Invoke endpoint. In
 * the heavy profile each instance runs in a process of its own (load-instance.ts).
 *
 * What must hold, exactly: every response is correct and carries the id of its own
 * request; every tool call invoked its function exactly once; the session table holds
 * exactly the sessions created minus those deleted, each initialized; a deleted
 * session answers 404 on both instances. Durations are recorded, never asserted.
 *
 * Bounded by work and count, not by the clock: every session runs at once and their
 * requests interleave, but at most PROFILE.requestsInFlight are on the wire together.
 * Unbounded, 200 clients queued hundreds of requests in front of the instances' DynamoDB
 * and Lambda connections, and on a busy machine a request could wait there longer than
 * the handler's own timeouts (the 30 s tool timeout), which measured the machine, not
 * the handler. A Lambda execution environment serves one request at a time, so a few
 * dozen in flight over two instances is already far more than one sees. The test's time
 * limit scales with the number of requests it sends.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type LoadInstance, startLoadInstance, startLoadInstanceProcess } from './load-instance';
import { callTool, initializeBody, modernBody, modernHeaders, post, sessionHeaders } from './raw-client';
import { PROFILE, recordResult } from './reliability-profile';
import { scanTable } from './table-snapshot';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbRegistryStore } from '../../lambda-src/store/dynamodb-registry-store';
import { createTestTables, localDynamoDbClient, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { FakeLambdaEndpoint } from '../support/fake-lambda-endpoint';

/** Every HTTP request the test sends (initialize, initialized, calls, and DELETE with its two 404 checks). */
const REQUESTS = PROFILE.sessions * (2 + PROFILE.callsPerSession + 1) + Math.ceil(PROFILE.sessions / 4) * 3;
// A minute to start, then 100 ms per request: a machine ten times slower than an idle
// 2-core one still finishes (idle, a request takes a few ms of the instances' time).
jest.setTimeout(60_000 + REQUESTS * 100);

/** At most `limit` callers hold a slot at once; the others wait their turn in order. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(limit: number) {
    this.free = limit;
  }
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
const wire = new Slots(PROFILE.requestsInFlight);

let ddb: DynamoDbLocal;
let fake: FakeLambdaEndpoint;
let direct: DynamoDBClient;
let tables: { sessionTable: string; registryTable: string };
const instances: LoadInstance[] = [];

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  tables = await createTestTables(ddb.endpoint);
  direct = localDynamoDbClient(ddb.endpoint);
  fake = await FakeLambdaEndpoint.start();
  fake.register('echo', (event) => {
    const e = event as { arguments: { message: string }; context: { sessionId?: string } };
    return { content: [{ type: 'text', text: e.arguments.message }], structuredContent: { sessionId: e.context.sessionId ?? null } };
  });
  const seed = createDocumentClient({ endpoint: ddb.endpoint });
  await new DynamoDbRegistryStore({ client: seed, tableName: tables.registryTable }).put({
    type: 'tool',
    name: 'echo',
    inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
  });
  seed.destroy();
  const settings = { dynamoDbEndpoint: ddb.endpoint, ...tables, lambdaEndpoint: fake.url };
  const start = PROFILE.separateProcesses ? startLoadInstanceProcess : startLoadInstance;
  instances.push(await start(settings), await start(settings));
}, 60_000);

afterAll(async () => {
  for (const i of instances) await i.close();
  direct?.destroy();
  await fake?.close();
  await ddb?.stop();
});

/** 503 answers (with Retry-After) that the clients waited out and retried. */
let shed = 0;

/**
 * A POST as a well-behaved client sends it: a 503 with `Retry-After` (the store
 * overloaded) is waited out and retried, a few times. A 503 is answered before
 * any tool runs, so the "invoked exactly once" count below would catch a double run.
 */
async function send(url: string, body: unknown, headers: Record<string, string> = {}) {
  for (let attempt = 1; ; attempt++) {
    const answer = await wire.run(() => post(url, body, headers));
    const retryAfter = Number(answer.headers.get('retry-after'));
    if (answer.status !== 503 || !(retryAfter > 0) || attempt === 5) return answer;
    shed++;
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
  }
}

interface SessionOutcome {
  readonly sessionId: string;
  readonly deleted: boolean;
  readonly calls: number;
  readonly problems: string[];
}

/** One client's whole life: initialize, initialized, calls on alternating instances, one stateless call, maybe DELETE. */
async function runSession(index: number): Promise<SessionOutcome> {
  const problems: string[] = [];
  const on = (k: number) => instances[(index + k) % 2].url;
  const init = await send(on(0), initializeBody(`init-${index}`));
  const sessionId = init.headers.get('mcp-session-id');
  if (init.status !== 200 || !sessionId || init.messages[0]?.id !== `init-${index}`) {
    return { sessionId: '', deleted: false, calls: 0, problems: [`initialize: ${init.status} ${init.text.slice(0, 200)}`] };
  }
  const headers = sessionHeaders(sessionId);
  const ack = await send(on(1), { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  if (ack.status !== 202) problems.push(`initialized: ${ack.status}`);

  let calls = 0;
  for (let k = 0; k < PROFILE.callsPerSession; k++) {
    const id = index * 1000 + k;
    const message = `session ${index} call ${k} ${Math.random().toString(36).slice(2)}`;
    const answer = await send(on(k), callTool(id, 'echo', { message }), headers);
    const m = answer.messages[0];
    if (answer.status !== 200 || m?.id !== id || m?.result?.content?.[0]?.text !== message || m?.result?.structuredContent?.sessionId !== sessionId) {
      problems.push(`call ${k}: ${answer.status} ${answer.text.slice(0, 200)}`);
    }
    calls++;
  }

  // A 2026-07-28 client on the same URL meanwhile: stateless, no session.
  const modernId = `modern-${index}`;
  const modernMessage = `stateless ${index}`;
  const modern = await send(on(index), modernBody(modernId, 'tools/call', { name: 'echo', arguments: { message: modernMessage } }), modernHeaders('tools/call', 'echo'));
  if (modern.status !== 200 || modern.messages[0]?.id !== modernId || modern.messages[0]?.result?.content?.[0]?.text !== modernMessage) {
    problems.push(`modern call: ${modern.status} ${modern.text.slice(0, 200)}`);
  }
  calls++;

  const deleted = index % 4 === 0;
  if (deleted) {
    const deleteOnce = () => wire.run(async () => {
      const response = await fetch(on(index + 1), { method: 'DELETE', headers });
      await response.arrayBuffer();
      return response;
    });
    let del = await deleteOnce();
    for (let attempt = 1; del.status === 503 && attempt < 5; attempt++) {
      shed++;
      await new Promise((resolve) => setTimeout(resolve, Number(del.headers.get('retry-after') ?? 1) * 1000));
      del = await deleteOnce();
    }
    if (del.status !== 200) problems.push(`DELETE: ${del.status}`);
    for (const url of [instances[0].url, instances[1].url]) {
      const after = await send(url, callTool(`gone-${index}`, 'echo', { message: 'x' }), headers);
      if (after.status !== 404) problems.push(`after DELETE: ${after.status}, expected 404`);
    }
  }
  return { sessionId, deleted, calls, problems };
}

test(`${PROFILE.sessions} concurrent sessions x ${PROFILE.callsPerSession} calls over two instances: every answer right, the store exact`, async () => {
  const invocationsBefore = fake.invocations.length;
  const startedAt = Date.now();
  const outcomes = await Promise.all(Array.from({ length: PROFILE.sessions }, (_, i) => runSession(i)));
  const elapsedMs = Date.now() - startedAt;

  const problems = outcomes.flatMap((o, i) => o.problems.map((p) => `session ${i}: ${p}`));
  // On failure, the instances' own error lines say why.
  expect({ problems: problems.slice(0, 20), serverErrors: problems.length ? instances.flatMap((i) => i.errors).slice(0, 5) : [] })
    .toEqual({ problems: [], serverErrors: [] });
  const calls = outcomes.reduce((n, o) => n + o.calls, 0);
  expect(calls).toBe(PROFILE.sessions * (PROFILE.callsPerSession + 1));
  // Each call invoked its function exactly once: nothing lost, nothing repeated.
  expect(fake.invocations.length - invocationsBefore).toBe(calls);

  const created = new Set(outcomes.map((o) => o.sessionId));
  expect(created.size).toBe(PROFILE.sessions);
  const deleted = outcomes.filter((o) => o.deleted).length;
  const items = (await scanTable(direct, tables.sessionTable)).filter((i) => String(i.pk).startsWith('SESSION#'));
  expect(items.length).toBe(PROFILE.sessions - deleted);
  const live = new Set(outcomes.filter((o) => !o.deleted).map((o) => `SESSION#${o.sessionId}`));
  expect(items.filter((i) => !live.has(i.pk) || i.initialized !== true)).toEqual([]);

  const requests = PROFILE.sessions * 2 + calls + deleted * 3;
  expect(requests).toBe(REQUESTS);
  recordResult('load', {
    instances: instances.map((i) => i.where).join(', '),
    sessions: PROFILE.sessions,
    requestsInFlight: PROFILE.requestsInFlight,
    toolCalls: calls,
    httpRequests: requests,
    deletedSessions: deleted,
    sessionItemsLeft: items.length,
    wrongAnswers: problems.length,
    shedWith503AndRetried: shed,
    elapsedMs,
    requestsPerSecond: Math.round(requests / (elapsedMs / 1000)),
  });
});
