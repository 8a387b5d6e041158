/**
 * Where a deployed Function URL's limits change behaviour, the dev server has them:
 * the handler's own body limit (MCP_MAX_BODY_BYTES, 4 MiB by default: a JSON-RPC 413),
 * Lambda's 6 MB invocation payload counted on the event (a plain 413, as the URL
 * answers), a 413 that leaves the keep-alive connection usable, and the function
 * timeout ending streams. Over real sockets (node:http with a keep-alive agent).
 */
import { Agent, request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type DevServer, FUNCTION_URL_MAX_REQUEST_BYTES, startDevServer } from '../../lambda-src/local/dev-server';

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ port: 0, log: () => undefined });
});

afterAll(async () => {
  await server?.stop();
});

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly reusedSocket: boolean;
}

function post(agent: Agent, body: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(server.url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25', ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const initialize = JSON.stringify({
  jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'limits', version: '1' } },
});

test('a request over the 6 MB payload limit gets the Function URL\'s 413, and the next request on the same connection is served', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await post(agent, initialize);
    expect(first.status).toBe(200);
    // Well over the limit, so the client is still sending when the server has seen enough:
    // answering then (or destroying the request) reset the connection.
    const tooBig = await post(agent, Buffer.alloc(3 * FUNCTION_URL_MAX_REQUEST_BYTES, 0x20));
    expect(tooBig.status).toBe(413);
    expect(JSON.parse(tooBig.body)).toEqual({ message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
    expect(tooBig.reusedSocket).toBe(true);
    const next = await post(agent, initialize);
    expect(next.status).toBe(200);
    expect(next.reusedSocket).toBe(true);
  } finally {
    agent.destroy();
  }
});

test('the 6 MB is counted on the event: a body just under it, with its headers and context, is over', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const answer = await post(agent, Buffer.alloc(FUNCTION_URL_MAX_REQUEST_BYTES - 100, 0x20));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).message).toMatch(/InvokeFunction/);
  } finally {
    agent.destroy();
  }
});

test('a body over the handler\'s 4 MiB (MCP_MAX_BODY_BYTES) and under 6 MB is the handler\'s JSON-RPC 413, as deployed', async () => {
  expect(server.config.maxBodyBytes).toBe(4 * 1024 * 1024);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const answer = await post(agent, Buffer.alloc(4 * 1024 * 1024 + 1, 0x20));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000, message: 'request body is 4194305 bytes; this server accepts at most 4194304 bytes' } });
    const next = await post(agent, initialize);
    expect(next).toMatchObject({ status: 200, reusedSocket: true });
  } finally {
    agent.destroy();
  }
});

test('the function timeout bounds a GET stream: it ends before the timeout and the SDK v1 client carries on', async () => {
  // 6 s: the handler ends GET streams 5 s before its deadline, so this one lasts about 1 s.
  const short = await startDevServer({ port: 0, log: () => undefined, invocationTimeoutMs: 6000 });
  try {
    const session = await fetch(short.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' },
      body: initialize,
    });
    const sessionId = session.headers.get('mcp-session-id')!;
    await session.text();
    const stream = await fetch(short.url, {
      headers: { 'accept': 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
    });
    expect(stream.status).toBe(200);
    // Reads to the end: the server closes it (with a retry: hint) well inside the test timeout.
    const text = await stream.text();
    expect(text).toMatch(/retry: ?\d+/);

    const client = new Client({ name: 'limits', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(short.url)));
    expect((await client.listTools()).tools).toEqual([]);
    await client.close();
  } finally {
    await short.stop();
  }
});
