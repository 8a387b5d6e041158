import { createHttpApp } from '../../lambda-src/http/http-app';
import { OriginPolicy } from '../../lambda-src/http/origin-policy';
import type { HandlerConfig } from '../../lambda-src/model/config';
import type { RequestContext } from '../../lambda-src/model/request-context';
import type { McpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';

/** Records what reached the protocol layer; answers like a session-creating endpoint. */
class RecordingEndpoint implements McpEndpoint {
  calls: Array<{ request: Request; ctx: RequestContext; body: string }> = [];
  fail?: Error;
  async handle(request: Request, context: RequestContext): Promise<Response> {
    if (this.fail) throw this.fail;
    this.calls.push({ request, ctx: context, body: await request.text() });
    return new Response('{"jsonrpc":"2.0","id":1,"result":{}}', {
      status: 200,
      headers: { 'content-type': 'application/json', 'mcp-session-id': 'session-secret-0123456789' },
    });
  }
}

const baseConfig: Pick<HandlerConfig, 'allowedOrigins' | 'maxBodyBytes' | 'authMode'> = {
  allowedOrigins: ['https://app.example.com'],
  maxBodyBytes: 1024,
  authMode: 'none',
};

function ctx(lambdaRequestContext?: unknown): RequestContext {
  return { requestId: 'r-1', signal: new AbortController().signal, deadline: Date.now() + 60_000, lambdaRequestContext };
}

function setup(config: Partial<typeof baseConfig> = {}, originPolicy?: OriginPolicy) {
  const endpoint = new RecordingEndpoint();
  const logs: string[] = [];
  // Log lines only: EMF metric lines share the sink (test/ops/metrics.test.ts covers them).
  const log = (l: string) => { if (!l.startsWith('{"_aws"')) logs.push(l); };
  const app = createHttpApp({ config: { ...baseConfig, ...config }, endpoint, originPolicy, log });
  return { app, endpoint, logs };
}

function post(headers: Record<string, string> = {}, body = '{"jsonrpc":"2.0","id":1,"method":"ping"}', path = '/mcp'): Request {
  return new Request(`https://fn.lambda-url.eu-west-1.on.aws${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', ...headers },
    body,
  });
}

async function jsonRpcError(res: Response): Promise<{ code: number; message: string }> {
  const body = await res.json() as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
  expect(body.jsonrpc).toBe('2.0');
  expect(body.id).toBeNull();
  return body.error;
}

describe('routing', () => {
  test('POST /mcp reaches the endpoint with the body intact', async () => {
    const { app, endpoint } = setup();
    const res = await app.handle(post(), ctx());
    expect(res.status).toBe(200);
    expect(endpoint.calls).toHaveLength(1);
    expect(endpoint.calls[0].body).toBe('{"jsonrpc":"2.0","id":1,"method":"ping"}');
    expect(endpoint.calls[0].ctx.requestId).toBe('r-1');
  });

  test.each(['GET', 'DELETE'])('%s /mcp reaches the endpoint', async (method) => {
    const { app, endpoint } = setup();
    const res = await app.handle(new Request('https://fn.example/mcp', { method }), ctx());
    expect(res.status).toBe(200);
    expect(endpoint.calls[0].request.method).toBe(method);
  });

  test('an unknown path is 404 JSON naming the MCP endpoint', async () => {
    const { app, endpoint } = setup();
    const res = await app.handle(post({}, '{}', '/other'), ctx());
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect((await res.json() as { message: string }).message).toMatch(/\/mcp/);
    expect(endpoint.calls).toHaveLength(0);
  });

  test.each(['PUT', 'PATCH', 'HEAD'])('%s /mcp is 405 with Allow', async (method) => {
    const { app, endpoint } = setup();
    const res = await app.handle(new Request('https://fn.example/mcp', { method }), ctx());
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST, DELETE, OPTIONS');
    expect(endpoint.calls).toHaveLength(0);
  });

  test('a body over the limit is 413 and never reaches the endpoint', async () => {
    const { app, endpoint } = setup({ maxBodyBytes: 16 });
    const res = await app.handle(post({}, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })), ctx());
    expect(res.status).toBe(413);
    expect((await jsonRpcError(res)).message).toMatch(/at most 16 bytes/);
    expect(endpoint.calls).toHaveLength(0);
  });

  test('a declared Content-Length over the limit is 413 without reading the body', async () => {
    const { app } = setup({ maxBodyBytes: 16 });
    const res = await app.handle(post({ 'content-length': '5000000' }, '{}'), ctx());
    expect(res.status).toBe(413);
  });

  test('an endpoint that throws yields a generic 500 and an error log line', async () => {
    const { app, endpoint, logs } = setup();
    endpoint.fail = new Error('dynamodb exploded with secret detail');
    const res = await app.handle(post(), ctx());
    expect(res.status).toBe(500);
    const error = await jsonRpcError(res);
    expect(error.code).toBe(-32603);
    expect(error.message).toBe('internal server error');
    const line = JSON.parse(logs[0]) as Record<string, unknown>;
    expect(line.level).toBe('ERROR');
    expect(line.status).toBe(500);
    // The detail and stack go to the log, never to the client.
    expect(line.error).toMatchObject({ message: 'dynamodb exploded with secret detail', stack: expect.stringContaining('Error: dynamodb exploded') });
    expect(JSON.stringify(error)).not.toContain('dynamodb');
  });
});

describe('Origin (MCP 2025-11-25 transports, Security Warning)', () => {
  test('a present Origin that is not allowed is 403 with a JSON-RPC error, before the endpoint', async () => {
    const { app, endpoint } = setup();
    const res = await app.handle(post({ origin: 'https://evil.example' }), ctx());
    expect(res.status).toBe(403);
    const error = await jsonRpcError(res);
    expect(error.message).toMatch(/evil\.example/);
    expect(endpoint.calls).toHaveLength(0);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('the literal null origin is refused', async () => {
    const { app } = setup();
    expect((await app.handle(post({ origin: 'null' }), ctx())).status).toBe(403);
  });

  test('an allowed Origin passes and gets CORS headers exposing the MCP headers', async () => {
    const { app } = setup();
    const res = await app.handle(post({ origin: 'https://app.example.com' }), ctx());
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-expose-headers')).toBe('Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate');
    expect(res.headers.get('vary')).toMatch(/Origin/);
  });

  test('no Origin (a non-browser client) passes without CORS headers', async () => {
    const { app } = setup();
    const res = await app.handle(post(), ctx());
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('the local policy accepts loopback origins on any port and refuses others', async () => {
    const { app } = setup({ allowedOrigins: [] }, OriginPolicy.local());
    const local = (origin: string) => post({ origin, host: '127.0.0.1:3000' });
    expect((await app.handle(local('http://localhost:6274'), ctx())).status).toBe(200);
    expect((await app.handle(local('http://127.0.0.1:9999'), ctx())).status).toBe(200);
    expect((await app.handle(local('http://evil.example'), ctx())).status).toBe(403);
  });

  test('the local policy refuses a non-loopback Host (DNS rebinding without Origin)', async () => {
    const { app, endpoint } = setup({ allowedOrigins: [] }, OriginPolicy.local());
    const res = await app.handle(post({ host: 'evil.example:3000' }), ctx());
    expect(res.status).toBe(403);
    expect((await jsonRpcError(res)).message).toMatch(/loopback/);
    expect(endpoint.calls).toHaveLength(0);
  });
});

describe('CORS preflight', () => {
  function preflight(origin: string, requestHeaders = 'content-type, mcp-session-id, mcp-protocol-version') {
    return new Request('https://fn.example/mcp', {
      method: 'OPTIONS',
      headers: { 'origin': origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
    });
  }

  test('an allowed origin gets the headers MCP browser clients need', async () => {
    const { app, endpoint } = setup();
    const res = await app.handle(preflight('https://app.example.com', 'x-custom-auth'), ctx());
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE, OPTIONS');
    const allowed = res.headers.get('access-control-allow-headers')!.split(', ');
    expect(allowed).toEqual(expect.arrayContaining([
      'Content-Type', 'Authorization', 'Mcp-Session-Id', 'MCP-Protocol-Version', 'Last-Event-ID', 'Mcp-Method', 'Mcp-Name', 'x-custom-auth',
    ]));
    expect(res.headers.get('access-control-expose-headers')).toBe('Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate');
    expect(endpoint.calls).toHaveLength(0);
  });

  test('a preflight from a disallowed origin is 403', async () => {
    const { app } = setup();
    const res = await app.handle(preflight('https://evil.example'), ctx());
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('principal', () => {
  const iamContext = {
    authorizer: {
      iam: {
        accessKey: 'AKIAEXAMPLEKEY',
        accountId: '123456789012',
        callerId: 'AROAEXAMPLE:alice',
        cognitoIdentity: null,
        principalOrgId: 'o-abc',
        userArn: 'arn:aws:sts::123456789012:assumed-role/dev/alice',
        userId: 'AROAEXAMPLE:alice',
      },
    },
  };

  test('iam mode takes the caller from requestContext.authorizer.iam, without the access key', async () => {
    const { app, endpoint } = setup({ authMode: 'iam' });
    const res = await app.handle(post(), ctx(iamContext));
    expect(res.status).toBe(200);
    const principal = endpoint.calls[0].ctx.principal!;
    expect(principal).toEqual({
      kind: 'iam',
      id: 'arn:aws:sts::123456789012:assumed-role/dev/alice',
      claims: { accountId: '123456789012', callerId: 'AROAEXAMPLE:alice', userId: 'AROAEXAMPLE:alice', principalOrgId: 'o-abc' },
    });
    expect(JSON.stringify(principal)).not.toContain('AKIA');
  });

  test('iam mode without an IAM identity fails closed with 401', async () => {
    const { app, endpoint } = setup({ authMode: 'iam' });
    const res = await app.handle(post(), ctx({}));
    expect(res.status).toBe(401);
    expect((await jsonRpcError(res)).message).toMatch(/IAM/);
    expect(endpoint.calls).toHaveLength(0);
  });

  test('none mode: the anonymous principal', async () => {
    const { app, endpoint } = setup({ authMode: 'none' });
    await app.handle(post(), ctx());
    expect(endpoint.calls[0].ctx.principal).toEqual({ kind: 'none', id: 'anonymous' });
  });

  test('local mode: the local principal', async () => {
    const { app, endpoint } = setup({ authMode: 'local' });
    await app.handle(post(), ctx());
    expect(endpoint.calls[0].ctx.principal).toEqual({ kind: 'local', id: 'local' });
  });

  test('a mode this handler does not implement fails closed', async () => {
    const { app, endpoint } = setup({ authMode: 'oauth' });
    const res = await app.handle(post(), ctx());
    expect(res.status).toBe(500);
    expect(endpoint.calls).toHaveLength(0);
  });
});

describe('request log', () => {
  test('one JSON line with request id, method, path, status and latency; session id only as a hash', async () => {
    const { app, logs } = setup();
    await app.handle(post({ 'mcp-session-id': 'session-secret-0123456789', 'authorization': 'Bearer tok-123' }), ctx());
    expect(logs).toHaveLength(1);
    const line = JSON.parse(logs[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ requestId: 'r-1', method: 'POST', path: '/mcp', status: 200, principalKind: 'none' });
    expect(typeof line.latencyMs).toBe('number');
    expect(line.session).toMatch(/^[0-9a-f]{12}$/);
    expect(logs[0]).not.toContain('session-secret');
    expect(logs[0]).not.toContain('tok-123');
  });

  test('the query string is not logged', async () => {
    const { app, logs } = setup();
    await app.handle(post({}, '{}', '/mcp?token=abc'), ctx());
    expect(logs[0]).not.toContain('token=abc');
  });
});
