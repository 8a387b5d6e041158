/**
 * A cancellation that reaches a call running on ANOTHER execution environment
 * (docs/endpoint.md, "Cancellation"): Lambda runs one request per environment at a
 * time, so a 2025-era client's `notifications/cancelled` (2025-11-25
 * basic/utilities/cancellation) and its DELETE (basic/transports, "Session
 * Management", rule 5) always land where the call is not running, and a client's
 * hang-up is not signalled to a streaming handler. The call must still stop, and with
 * it the tool's Lambda Invoke, which would otherwise run and bill to its end.
 *
 * Two handler instances share only DynamoDB Local, with hang-ups hidden as on Lambda.
 * The tool runs behind the REAL `@aws-sdk/client-lambda` client against a local Invoke
 * endpoint whose `hold` function never answers (a 10-minute tool: its `timeoutSeconds`
 * is 600, far above this file's timeout). An SDK v1 client calls it on instance A; its
 * cancel or DELETE goes to instance B (its fetch routes them there, as a Function URL
 * may). The proof that the Invoke stopped is the endpoint seeing its connection closed
 * by our side; that the invocation on A ended, A's count of open invocations.
 */
// eslint-disable-next-line import/no-unresolved
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type Instance, type InstancePair, type InstanceStats, startInstancePair } from './instances';
import { DynamoDbCancellationStore } from '../../lambda-src/store/dynamodb-cancellation-store';
import { sharedDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { HoldingLambdaEndpoint } from '../support/holding-lambda-endpoint';
import { pollUntil } from '../support/poll-until';

// A ceiling for a hung test on a busy machine; the held tool would run 600 s.
jest.setTimeout(90_000);

const HOLD_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:hold';
const ECHO_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:echo';
const schema = { type: 'object', properties: { message: { type: 'string' } } };

let lambda: HoldingLambdaEndpoint;
let pair: InstancePair | undefined;
let a: Instance;
let b: Instance;
let ddbEndpoint: string;
let sessionTable: string;

beforeAll(async () => {
  lambda = await HoldingLambdaEndpoint.start();
  // Streams off: the SDK client opens no GET stream, so A's only open invocation is the call.
  pair = await startInstancePair({ hangUps: 'hidden', streamMode: 'off', lambdaEndpoint: lambda.url }, async (endpoint, tables) => {
    ddbEndpoint = endpoint;
    sessionTable = tables.sessionTable;
  });
  ({ a, b } = pair);
  await a.register({ type: 'tool', name: 'hold', inputSchema: schema, lambdaArn: HOLD_ARN, timeoutSeconds: 600 });
  await a.register({ type: 'tool', name: 'echo', inputSchema: schema, lambdaArn: ECHO_ARN });
}, 60_000);

afterAll(async () => {
  await pair?.stop();
  await lambda?.close();
});

const until = (condition: () => boolean | Promise<boolean>) => pollUntil(condition, 50);

/** Reads of a call's cancellation markers so far: two GetItems each. */
const polls = (stats: InstanceStats) => stats.cancelReads / 2;

interface Routed {
  readonly method: string;
  readonly body: string;
  readonly instance: 'a' | 'b';
  status?: number;
}

/**
 * A fetch that sends what `toB` picks to instance B and everything else to A, and
 * records each request with the status it got.
 */
function routing(toB: (method: string, body: string) => boolean, log: Routed[]): typeof fetch {
  return async (input, init) => {
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? init.body : '';
    const target = toB(method, body) ? b : a;
    const entry: Routed = { method, body, instance: target === b ? 'b' : 'a' };
    log.push(entry);
    const search = new URL(String(input instanceof Request ? input.url : input)).search;
    const response = await fetch(`${target.url}${search}`, init);
    entry.status = response.status;
    return response;
  };
}

async function connect(fetchVia: typeof fetch): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(a.url), { fetch: fetchVia });
  const client = new Client({ name: 'cancel-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

test('notifications/cancelled sent to B stops the tool call running on A, and its Lambda Invoke', async () => {
  const log: Routed[] = [];
  const { client } = await connect(routing((_, body) => body.includes('"notifications/cancelled"'), log));
  const started = lambda.started;
  const closed = lambda.closedByClient;
  const before = await a.stats();
  const calledAt = Date.now();
  const controller = new AbortController();
  const call = client.callTool({ name: 'hold', arguments: { message: 'x' } }, undefined, { signal: controller.signal, timeout: 600_000 })
    .catch((error: Error) => error);
  await lambda.next('start', started);
  // Let the call run a few intervals first: each is one read of its markers.
  await until(async () => polls(await a.stats()) >= polls(before) + 3);
  controller.abort('the user changed their mind');
  // SDK v1 rejects a cancelled call with the reason given.
  expect(await call).toMatchObject({ message: expect.stringContaining('changed their mind') });

  // The SDK sent its cancel, and B (not A, where the call runs) accepted it.
  await until(() => log.some((r) => r.body.includes('"notifications/cancelled"') && r.status !== undefined));
  const cancels = log.filter((r) => r.body.includes('"notifications/cancelled"'));
  expect(cancels).toEqual([expect.objectContaining({ instance: 'b', status: 202 })]);
  expect(JSON.parse(cancels[0].body)).toMatchObject({ params: { requestId: expect.any(Number), reason: expect.stringContaining('changed their mind') } });

  // If the call did not stop, neither resolves within the test's timeout (the tool would run 600 s).
  await lambda.next('close', closed);
  expect(lambda.closedByClient).toBe(closed + 1);
  // No other invocation is open on A (streams are off: the client holds no GET).
  await until(async () => (await a.stats()).open === 0);
  // What the call cost in reads of its markers: one each interval (1 s) while it ran,
  // none before the first interval; never more (a busy machine reads less often).
  const after = await a.stats();
  expect(after.cancelReads % 2).toBe(0);
  expect(polls(after) - polls(before)).toBeGreaterThanOrEqual(4);
  expect(polls(after) - polls(before)).toBeLessThanOrEqual(Math.floor((Date.now() - calledAt) / 1000));

  // The session goes on: the next call, on A, is answered.
  const next = await client.callTool({ name: 'echo', arguments: { message: 'still here' } });
  expect(next).toMatchObject({ content: [{ type: 'text', text: 'still here' }] });
  await client.close();
});

test('DELETE of the session sent to B stops the tool call running on A, and its Lambda Invoke', async () => {
  const log: Routed[] = [];
  const { client, transport } = await connect(routing((method) => method === 'DELETE', log));
  const started = lambda.started;
  const closed = lambda.closedByClient;
  const controller = new AbortController();
  const call = client.callTool({ name: 'hold', arguments: { message: 'x' } }, undefined, { signal: controller.signal, timeout: 600_000 })
    .catch((error: Error) => error);
  await lambda.next('start', started);
  await transport.terminateSession();
  expect(log.filter((r) => r.method === 'DELETE')).toEqual([expect.objectContaining({ instance: 'b', status: 200 })]);

  await lambda.next('close', closed);
  expect(lambda.closedByClient).toBe(closed + 1);
  // No other invocation is open on A (streams are off: the client holds no GET).
  await until(async () => (await a.stats()).open === 0);
  // A sent no answer for the request of a deleted session: its POST's stream ended
  // empty, and the call is still waiting when the client gives up on it.
  controller.abort();
  expect(await call).toBeInstanceOf(Error);
  await client.close();
});

test('a call shorter than one interval reads no marker; a cancel for a finished call changes nothing', async () => {
  const log: Routed[] = [];
  const { client } = await connect(routing((_, body) => body.includes('"notifications/cancelled"'), log));
  const before = await a.stats();
  for (let i = 0; i < 5; i++) {
    const result = await client.callTool({ name: 'echo', arguments: { message: `m${i}` } });
    expect(result).toMatchObject({ content: [{ type: 'text', text: `m${i}` }] });
  }
  // The echo tool answers at once, far under the 1-second interval of the reads.
  expect((await a.stats()).cancelReads).toBe(before.cancelReads);

  // Ids the client never used, of every JSON type, malformed ones among them: accepted
  // and ignored (2025-11-25 basic/utilities/cancellation, "Error Handling").
  const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
  const headers = { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
  for (const requestId of [1, '1', 'x'.repeat(100_000), { not: 'an id' }, null, 1.5]) {
    const res = await fetch(b.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId } }) });
    expect(res.status).toBe(202);
  }
  const next = await client.callTool({ name: 'echo', arguments: { message: 'fine' } });
  expect(next).toMatchObject({ content: [{ type: 'text', text: 'fine' }] });
  await client.close();
});

test('a cancel from a client that does not hold the session is refused, and writes nothing', async () => {
  const store = new DynamoDbCancellationStore({ client: sharedDocumentClient({ endpoint: ddbEndpoint }), tableName: sessionTable });
  const headers = { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', 'mcp-session-id': 'no-such-session', 'mcp-protocol-version': '2025-11-25' };
  const res = await fetch(b.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7 } }) });
  expect(res.status).toBe(404);
  expect(await store.read('no-such-session', 7)).toEqual({ sessionEnded: false });
});
