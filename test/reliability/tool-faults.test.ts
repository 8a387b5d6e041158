/**
 * Tool functions that fail, through the REAL `@aws-sdk/client-lambda` client talking to
 * the fake Lambda Invoke endpoint (test/support/fake-lambda-endpoint.ts), while an
 * official SDK v1 client holds a 2025-11-25 session with the real handler over HTTP.
 *
 * Each failure (the function throws, runs past its timeout, is throttled with a 429,
 * answers bytes that are not JSON, answers or is asked more than Lambda's 6 MB) must
 * become an `isError: true` result whose text says which (MCP 2025-11-25 server/tools,
 * "Error Handling": execution errors are results, not protocol errors), and the session
 * must go on: the next call in the same session works.
 */
// eslint-disable-next-line import/no-unresolved
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startHandlerServer, type HandlerServer } from './handler-server';
import { recordResult } from './reliability-profile';
import type { HandlerConfig } from '../../lambda-src/model/config';
import type { ToolItem } from '../../lambda-src/model/registry-item';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { LambdaInvoker } from '../../lambda-src/tools/lambda-invoker';
import { MAX_SYNC_PAYLOAD_BYTES } from '../../lambda-src/tools/payload-limits';
import { RoutingInvoker } from '../../lambda-src/tools/routing-invoker';
import { FakeLambdaEndpoint, lambdaResponse } from '../support/fake-lambda-endpoint';

const ARN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const tool = (name: string, extra: Partial<ToolItem> = {}): ToolItem => ({
  type: 'tool',
  name,
  inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
  lambdaArn: ARN(name),
  ...extra,
});

let fake: FakeLambdaEndpoint;
let server: HandlerServer;
let client: Client;
const tally = { failuresInjected: 0, isErrorResults: 0, followUpCallsOk: 0 };

beforeAll(async () => {
  fake = await FakeLambdaEndpoint.start();
  let released: () => void = () => undefined;
  const slowRelease = new Promise<void>((resolve) => {
    released = resolve;
  });
  afterAllHooks.push(() => released());
  fake
    .register('echo', (event) => ({ content: [{ type: 'text', text: String((event as { arguments: { message?: string } }).arguments.message) }] }))
    .register('throws', () => {
      throw new RangeError('order 42 does not exist');
    })
    // Runs past the tool's 1 s timeout; released at the end so nothing dangles.
    .register('slow', () => slowRelease.then(() => ({ late: true })))
    .register('throttled', () => lambdaResponse.throttled())
    .register('malformed', () => lambdaResponse.raw('{"content": [ this is not JSON'))
    .register('huge', () => lambdaResponse.raw(JSON.stringify({ blob: 'x'.repeat(MAX_SYNC_PAYLOAD_BYTES) })))
    .register('runtimeTooLarge', () => lambdaResponse.functionError('Response payload size exceeded maximum allowed payload size (6291556 bytes).', 'Function.ResponseSizeTooLarge'))
    .register('runtimeTimeout', () => lambdaResponse.functionError('2026-11-23T18:00:00.000Z abc Task timed out after 3.00 seconds', 'Sandbox.Timedout'));

  const registryStore = new MemoryRegistryStore();
  for (const item of [
    tool('echo'), tool('throws'), tool('slow', { timeoutSeconds: 1 }), tool('throttled'), tool('malformed'),
    tool('huge'), tool('runtimeTooLarge'), tool('runtimeTimeout'),
  ]) await registryStore.put(item);
  const config: HandlerConfig = {
    sessionTable: 'sessions',
    registryTable: 'registry',
    serverName: 'reliability',
    serverVersion: '1.0.0',
    sessionTtlSeconds: 3600,
    registryCacheSeconds: 60,
    authMode: 'none',
    allowedOrigins: [],
    // Above Lambda's 6 MB, so that an oversized request reaches the invoker's own check.
    maxBodyBytes: 8 * 1024 * 1024,
    toolTimeoutSeconds: 10,
  };
  server = await startHandlerServer({
    config,
    sessions: new MemorySessionStore(),
    registryStore,
    invoker: new RoutingInvoker({ lambda: new LambdaInvoker({ clientConfig: fake.clientConfig() }) }),
    log: () => undefined,
  });
  client = new Client({ name: 'reliability-tool-faults', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
}, 30_000);

const afterAllHooks: Array<() => void> = [];
afterAll(async () => {
  recordResult('tool-faults', tally);
  for (const hook of afterAllHooks) hook();
  await client?.close();
  await server?.close();
  await fake?.close();
});

type TextResult = { isError?: boolean; content: Array<{ type: string; text?: string }> };

async function call(name: string, args: Record<string, unknown> = { message: 'hi' }): Promise<TextResult> {
  return await client.callTool({ name, arguments: args }) as TextResult;
}

test.each([
  ['throws', /tool 'throws' failed: RangeError: order 42 does not exist/],
  ['slow', /tool 'slow' timed out: no response from .*slow within 1 s/],
  ['throttled', /tool 'throttled' was throttled by AWS Lambda/],
  ['malformed', /tool 'malformed' returned a response that is not valid JSON/],
  ['huge', /tool 'huge' exceeded the 6 MB payload limit/],
  ['runtimeTooLarge', /tool 'runtimeTooLarge' exceeded the 6 MB payload limit/],
  ['runtimeTimeout', /tool 'runtimeTimeout' timed out: the function ran past its own timeout/],
])('a function that %s: an isError result that says so, and the session goes on', async (name, says) => {
  tally.failuresInjected++;
  const result = await call(name);
  expect(result.isError).toBe(true);
  expect(result.content[0].text).toMatch(says);
  tally.isErrorResults++;

  const next = await call('echo', { message: `after ${name}` });
  expect(next).toEqual({ content: [{ type: 'text', text: `after ${name}` }] });
  tally.followUpCallsOk++;
});

test('arguments over the 6 MB limit of a synchronous invoke: isError without invoking, and the session goes on', async () => {
  tally.failuresInjected++;
  const before = fake.invocations.length;
  const result = await call('echo', { message: 'y'.repeat(MAX_SYNC_PAYLOAD_BYTES + 1) });
  expect(result.isError).toBe(true);
  expect(result.content[0].text).toMatch(/tool 'echo' exceeded the 6 MB payload limit.*request event/);
  expect(fake.invocations.length).toBe(before);
  tally.isErrorResults++;

  expect(await call('echo', { message: 'small again' })).toEqual({ content: [{ type: 'text', text: 'small again' }] });
  tally.followUpCallsOk++;
});
