/**
 * The Lambda handler (entry/index.ts) through the awslambda shim: event classification,
 * Function URL event -> Request -> http app -> response stream, the runtime built once
 * per environment, and failures that must not crash the environment.
 */
import { CollectingSink, createInvocationContext, invokeStreamingHandler } from '../../lambda-src/entry/awslambda-shim';
import { createHandler, type RuntimeOverrides } from '../../lambda-src/entry/index';
import type { RequestContext } from '../../lambda-src/model/request-context';
import type { McpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { functionUrlEvent } from '../support/function-url-event';
import { handlerConfig } from '../support/handler-config';

const config = handlerConfig({ authMode: 'iam', registryCacheSeconds: 30, toolTimeoutSeconds: 60 });

/** Answers with what it was given, so the test sees what the handler built. */
class EchoEndpoint implements McpEndpoint {
  seen: Array<{ method: string; url: string; body: string; ctx: RequestContext }> = [];
  async handle(request: Request, ctx: RequestContext): Promise<Response> {
    const body = await request.text();
    this.seen.push({ method: request.method, url: request.url, body, ctx });
    return Response.json({ method: request.method, body }, { status: 200, headers: { 'mcp-session-id': 'abc' } });
  }
}

function overrides(endpoint: McpEndpoint, logs: string[] = []): RuntimeOverrides {
  return {
    config,
    sessions: new MemorySessionStore(),
    registryStore: new MemoryRegistryStore(),
    endpoint,
    log: (line) => logs.push(line),
  };
}

test('a Function URL request reaches the endpoint with the IAM principal and the Lambda request id, and streams back', async () => {
  const endpoint = new EchoEndpoint();
  const handler = createHandler(overrides(endpoint));
  const sink = new CollectingSink();
  await invokeStreamingHandler(handler, functionUrlEvent({ body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' }), sink,
    createInvocationContext({ requestId: 'lambda-req-1' }));
  expect(sink.statusCode).toBe(200);
  expect(sink.header('mcp-session-id')).toBe('abc');
  expect(JSON.parse(sink.body())).toEqual({ method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
  expect(endpoint.seen[0].url).toBe('https://fn.lambda-url.eu-west-1.on.aws/mcp');
  expect(endpoint.seen[0].ctx.requestId).toBe('lambda-req-1');
  expect(endpoint.seen[0].ctx.principal).toMatchObject({ kind: 'iam', id: 'arn:aws:iam::123456789012:user/bob' });
  expect(endpoint.seen[0].ctx.deadline).toBeGreaterThan(Date.now());
  expect(endpoint.seen[0].ctx.signal.aborted).toBe(false);
});

test('the runtime is built once per environment and reused by later invocations', async () => {
  const endpoint = new EchoEndpoint();
  let built = 0;
  const handler = createHandler(() => {
    built++;
    return overrides(endpoint);
  });
  for (let i = 0; i < 3; i++) await invokeStreamingHandler(handler, functionUrlEvent({ method: 'GET' }), new CollectingSink());
  expect(built).toBe(1);
  expect(endpoint.seen).toHaveLength(3);
});

test('an unknown event is answered, not fatal', async () => {
  const endpoint = new EchoEndpoint();
  const handler = createHandler(overrides(endpoint));
  const sink = new CollectingSink();
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await invokeStreamingHandler(handler, { Records: [{ eventSource: 'aws:sqs', body: 'hi' }] }, sink);
    expect(write.mock.calls.map((c) => String(c[0])).join('')).toContain('"msg":"unsupported event"');
  } finally {
    write.mockRestore();
  }
  expect(JSON.parse(sink.body())).toMatchObject({ ok: false });
  expect(endpoint.seen).toHaveLength(0);
});

test('a method the Fetch standard forbids is 405, not a crash', async () => {
  const handler = createHandler(overrides(new EchoEndpoint()));
  const sink = new CollectingSink();
  await invokeStreamingHandler(handler, functionUrlEvent({ method: 'TRACE' }), sink);
  expect(sink.statusCode).toBe(405);
  expect(sink.header('allow')).toBe('GET, POST, DELETE, OPTIONS');
});

test('a runtime that cannot be built (bad configuration) answers 500 with a generic message', async () => {
  const handler = createHandler(() => {
    throw new Error('environment variables MCP_SESSION_TABLE and MCP_REGISTRY_TABLE are required');
  });
  const sink = new CollectingSink();
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await invokeStreamingHandler(handler, functionUrlEvent({ body: '{}' }), sink);
    expect(write.mock.calls.map((c) => String(c[0])).join('')).toContain('MCP_SESSION_TABLE');
  } finally {
    write.mockRestore();
  }
  expect(sink.statusCode).toBe(500);
  expect(JSON.parse(sink.body()).error.message).toBe('internal server error');
});

test("auth mode 'local' from the environment is refused: only the dev server may inject it", async () => {
  const handler = createHandler({ ...overrides(new EchoEndpoint()), config: { ...config, authMode: 'local' } });
  const sink = new CollectingSink();
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await invokeStreamingHandler(handler, functionUrlEvent({ body: '{}' }), sink);
  } finally {
    write.mockRestore();
  }
  expect(sink.statusCode).toBe(500);
});
