/**
 * A client that goes away mid-response: the work it started must stop, because a
 * streaming Function URL invocation keeps running, and billing, after the client has
 * left (ARCHITECTURE.md, "The platform facts that shaped the design").
 *
 * The tool runs behind the REAL `@aws-sdk/client-lambda` client, against a Lambda
 * Invoke endpoint on 127.0.0.1 that accepts the invocation and never answers; the
 * proof that the work stopped is that endpoint seeing the invoke connection closed
 * by our side after the MCP client disconnected.
 */
import { startHandlerServer, type HandlerServer } from './handler-server';
import { callTool, modernBody, modernHeaders, openSession, post, sessionHeaders } from './raw-client';
import { recordResult } from './reliability-profile';
import type { HandlerConfig } from '../../lambda-src/model/config';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { LambdaInvoker } from '../../lambda-src/tools/lambda-invoker';
import { RoutingInvoker } from '../../lambda-src/tools/routing-invoker';
import { handlerConfig } from '../support/handler-config';
import { HoldingLambdaEndpoint } from '../support/holding-lambda-endpoint';

// Generous: a ceiling for a hung test on a busy machine, never a measure of speed.
jest.setTimeout(60_000);

let lambda: HoldingLambdaEndpoint;
let server: HandlerServer;
const tally = { cuts: 0, invocationsStopped: 0 };

beforeAll(async () => {
  lambda = await HoldingLambdaEndpoint.start();
  const registryStore = new MemoryRegistryStore();
  const schema = { type: 'object', properties: { message: { type: 'string' } } };
  await registryStore.put({ type: 'tool', name: 'hold', inputSchema: schema, lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:hold' });
  await registryStore.put({ type: 'tool', name: 'echo', inputSchema: schema, lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo' });
  const config: HandlerConfig = handlerConfig({ serverName: 'reliability', toolTimeoutSeconds: 600 });
  server = await startHandlerServer({
    config,
    sessions: new MemorySessionStore(),
    registryStore,
    invoker: new RoutingInvoker({
      lambda: new LambdaInvoker({
        clientConfig: { region: 'us-east-1', endpoint: lambda.url, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' }, maxAttempts: 1 },
      }),
    }),
    log: () => undefined,
  }, { invocationTimeoutMs: 10 * 60_000 });
}, 30_000);

afterAll(async () => {
  recordResult('stream-cut', tally);
  await server?.close();
  await lambda?.close();
});

/** Sends a request, waits until the function is running, cuts the client, and waits for the function's connection to close. */
async function cutWhileRunning(send: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const started = lambda.started;
  const closed = lambda.closedByClient;
  const controller = new AbortController();
  const sent = send(controller.signal).catch((error: Error) => error);
  await lambda.next('start', started);
  controller.abort();
  tally.cuts++;
  expect(await sent).toMatchObject({ name: 'AbortError' });
  // If the work did not stop, this never resolves and the test fails on its timeout.
  await lambda.next('close', closed);
  expect(lambda.closedByClient).toBe(closed + 1);
  tally.invocationsStopped++;
}

test('2025-11-25 session, JSON response: the invocation is cancelled when the client leaves, and the session goes on', async () => {
  const sessionId = await openSession(server.url);
  await cutWhileRunning((signal) => post(server.url, callTool(1, 'hold', { message: 'x' }), sessionHeaders(sessionId), signal));
  const next = await post(server.url, callTool(2, 'echo', { message: 'still here' }), sessionHeaders(sessionId));
  expect(next.messages[0]).toMatchObject({ id: 2, result: { content: [{ type: 'text', text: 'still here' }] } });
});

test('2025-11-25 session, SSE response (progress requested): the invocation is cancelled when the client leaves mid-stream', async () => {
  const sessionId = await openSession(server.url);
  const body = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'hold', arguments: { message: 'x' }, _meta: { progressToken: 'p1' } } };
  await cutWhileRunning((signal) => post(server.url, body, sessionHeaders(sessionId), signal));
});

test('2026-07-28 stateless request: the invocation is cancelled when the client leaves', async () => {
  await cutWhileRunning((signal) => post(server.url, modernBody(4, 'tools/call', { name: 'hold', arguments: { message: 'x' } }),
    modernHeaders('tools/call', 'hold'), signal));
});
