/**
 * DNS rebinding against the local dev server (MCP 2025-11-25 basic/transports.mdx,
 * "Security Warning"): it binds 127.0.0.1 and answers only to loopback `Host` names, so
 * a page on a rebinding domain (evil.example resolving to 127.0.0.1) is refused even
 * when the browser sends no Origin; a foreign Origin is refused as well. Raw requests
 * over a real socket, since fetch cannot set Host.
 */
import { request } from 'node:http';
import { startDevServer, type DevServer } from '../../lambda-src/local/dev-server';
import { type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';

let ddb: DynamoDbLocal;
let dev: DevServer;

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  dev = await startDevServer({ port: 0, dynamoDbEndpoint: ddb.endpoint, log: () => undefined });
}, 60_000);
afterAll(async () => {
  await dev?.stop();
  await ddb?.stop();
});

function post(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: dev.port,
      path: '/mcp',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', ...headers },
    }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => body += c.toString());
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } }));
  });
}

test('a rebinding Host name is refused with 403 before anything runs', async () => {
  const res = await post({ host: `evil.example:${dev.port}` });
  expect(res.status).toBe(403);
  expect(JSON.parse(res.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
  expect(JSON.parse(res.body).error.message).toMatch(/loopback host names/);
});

test.each(['localhost', '127.0.0.1'])('Host %s is served', async (name) => {
  const res = await post({ host: `${name}:${dev.port}` });
  expect(res.status).toBe(200);
});

test('a foreign Origin is refused with 403; a loopback one (the Inspector) is served', async () => {
  expect((await post({ host: `127.0.0.1:${dev.port}`, origin: 'https://evil.example' })).status).toBe(403);
  expect((await post({ host: `127.0.0.1:${dev.port}`, origin: 'http://localhost:6274' })).status).toBe(200);
});
