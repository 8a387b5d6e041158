/**
 * The admin API over real HTTP (a local server feeding Function URL events to the
 * admin handler) against a real DynamoDB Local.
 */
import { request } from 'node:http';
import { adminFixture, CALLER, startAdminHttpServer, stopDynamoDbLocal, type AdminFixture } from './admin-fixture';
import type { RegistryItem } from '../../lambda-src/model/registry-item';

const ALLOWED = 'arn:aws:lambda:eu-west-1:111111111111:function:orders';
const OTHER = 'arn:aws:lambda:eu-west-1:111111111111:function:payroll';

const echo = {
  type: 'tool',
  name: 'lookup_order',
  description: 'Finds an order',
  inputSchema: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
  lambdaArn: ALLOWED,
};

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

let fx: AdminFixture;
let server: { url: string; close(): Promise<void> };

beforeEach(async () => {
  fx = await adminFixture([ALLOWED]);
  server = await startAdminHttpServer(fx.handler);
});
afterEach(async () => {
  await server?.close();
  await fx?.close();
});
afterAll(() => stopDynamoDbLocal());

interface CallOptions {
  body?: unknown;
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

function call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, {
      method,
      headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

test('create, get, list, replace and delete a tool, each answer carrying its version', async () => {
  const created = await call('POST', '/items', { body: echo });
  expect(created.status).toBe(201);
  expect(created.body).toEqual({ ...echo, order: expect.any(Number), version: 1 });
  expect(created.headers.etag).toBe('"1"');
  expect(created.headers.location).toBe('/items/tool/lookup_order');

  const got = await call('GET', '/items/tool/lookup_order');
  expect(got.status).toBe(200);
  expect(got.body).toEqual(created.body);
  expect(got.headers.etag).toBe('"1"');

  const listed = await call('GET', '/items');
  expect(listed.status).toBe(200);
  expect(listed.body).toEqual({ items: [created.body] });

  const replaced = await call('PUT', '/items/tool/lookup_order', { body: { ...echo, description: 'Finds an order by id' }, headers: { 'if-match': '"1"' } });
  expect(replaced.status).toBe(200);
  expect(replaced.body).toMatchObject({ description: 'Finds an order by id', version: 2, order: created.body.order });
  expect(replaced.headers.etag).toBe('"2"');

  const deleted = await call('DELETE', '/items/tool/lookup_order', { headers: { 'if-match': '"2"' } });
  expect(deleted.status).toBe(200);
  expect(deleted.body).toEqual({ deleted: { type: 'tool', id: 'lookup_order', version: 2 } });
  expect((await call('GET', '/items/tool/lookup_order')).status).toBe(404);
  expect(await fx.store.list()).toEqual([]);
});

test('a resource is addressed by its URL-encoded uri; list filters by type', async () => {
  const readme = { type: 'resource', uri: 'file:///docs/read me.md', name: 'readme', text: '# hi' };
  expect((await call('POST', '/items', { body: readme })).status).toBe(201);
  expect((await call('POST', '/items', { body: echo })).status).toBe(201);
  const got = await call('GET', `/items/resource/${encodeURIComponent(readme.uri)}`);
  expect(got.status).toBe(200);
  expect(got.body).toMatchObject(readme);
  expect((await call('GET', '/items?type=resource')).body.items.map((i: RegistryItem) => i.type)).toEqual(['resource']);
  expect((await call('GET', '/items?type=tool')).body.items.map((i: RegistryItem) => i.type)).toEqual(['tool']);
  const bad = await call('GET', '/items?type=tools');
  expect(bad.status).toBe(400);
  expect(bad.body.message).toBe("type 'tools' is not one of tool, resource, resourceTemplate, prompt");
});

test('POST of an existing item is 409 with its current version', async () => {
  await call('POST', '/items', { body: echo });
  const again = await call('POST', '/items', { body: echo });
  expect(again.status).toBe(409);
  expect(again.body).toEqual({
    error: 'conflict',
    message: "tool 'lookup_order' already exists at version 1: replace it with PUT /items/tool/lookup_order and If-Match",
    currentVersion: 1,
  });
});

test('a write with a stale version is 409 and changes nothing', async () => {
  await call('POST', '/items', { body: echo });
  await call('PUT', '/items/tool/lookup_order', { body: { ...echo, description: 'first writer' }, headers: { 'if-match': '"1"' } });
  const stale = await call('PUT', '/items/tool/lookup_order', { body: { ...echo, description: 'second writer' }, headers: { 'if-match': '"1"' } });
  expect(stale.status).toBe(409);
  expect(stale.body).toEqual({
    error: 'conflict',
    message: "tool 'lookup_order' is at version 2, not 1: it changed since you read it; GET it again and retry",
    currentVersion: 2,
  });
  expect(stale.headers.etag).toBe('"2"');
  const staleDelete = await call('DELETE', '/items/tool/lookup_order', { headers: { 'if-match': '1' } });
  expect(staleDelete.status).toBe(409);
  expect(await fx.store.get('tool', 'lookup_order')).toMatchObject({ description: 'first writer', version: 2 });
});

test('PUT and DELETE without If-Match are 428; a malformed If-Match is 400; If-Match: * means the current version', async () => {
  await call('POST', '/items', { body: echo });
  const put = await call('PUT', '/items/tool/lookup_order', { body: echo });
  expect(put.status).toBe(428);
  expect(put.body.message).toBe("PUT needs If-Match with the item's current version (its ETag, e.g. If-Match: \"3\"): GET the item first");
  expect((await call('DELETE', '/items/tool/lookup_order')).status).toBe(428);
  const weak = await call('DELETE', '/items/tool/lookup_order', { headers: { 'if-match': 'W/"1"' } });
  expect(weak.status).toBe(400);
  expect(weak.body.message).toMatch(/^If-Match "W\/\\"1\\"" is not an item version/);
  const any = await call('PUT', '/items/tool/lookup_order', { body: { ...echo, description: 'any' }, headers: { 'if-match': '*' } });
  expect(any.status).toBe(200);
  expect(any.body.version).toBe(2);
  expect(await fx.store.get('tool', 'lookup_order')).toMatchObject({ version: 2 });
});

test('PUT or DELETE of an absent item is 404', async () => {
  expect((await call('PUT', '/items/tool/lookup_order', { body: echo, headers: { 'if-match': '"1"' } })).status).toBe(404);
  const del = await call('DELETE', '/items/prompt/nothing', { headers: { 'if-match': '"1"' } });
  expect(del.status).toBe(404);
  expect(del.body).toEqual({ error: 'not_found', message: "no prompt 'nothing' is registered" });
});

test('a PUT whose body names another item is refused: renames are POST + DELETE', async () => {
  await call('POST', '/items', { body: echo });
  const renamed = await call('PUT', '/items/tool/lookup_order', { body: { ...echo, name: 'find_order' }, headers: { 'if-match': '"1"' } });
  expect(renamed.status).toBe(400);
  expect(renamed.body.message).toBe("the body is tool 'find_order' but the URL names tool 'lookup_order': to rename, POST the new item and DELETE the old one");
});

test('a registration naming a function outside allowedToolFunctions is refused with 403', async () => {
  const refused = await call('POST', '/items', { body: { ...echo, lambdaArn: OTHER } });
  expect(refused.status).toBe(403);
  expect(refused.body).toEqual({
    error: 'function_not_allowed',
    message: `lambdaArn '${OTHER}' is not one of the functions run-time registrations may name (allowed: ${ALLOWED}; add it to the construct's allowedToolFunctions and deploy)`,
  });
  // A qualifier of an allowed function is allowed; a name that merely starts like it is not.
  expect((await call('POST', '/items', { body: { ...echo, lambdaArn: `${ALLOWED}:live` } })).status).toBe(201);
  expect((await call('POST', '/items', { body: { ...echo, name: 'x', lambdaArn: `${ALLOWED}-evil` } })).status).toBe(403);
  // Static content runs nothing and needs no allowance.
  expect((await call('POST', '/items', { body: { type: 'prompt', name: 'p', messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }] } })).status).toBe(201);
  expect(await fx.store.get('tool', 'lookup_order')).toMatchObject({ lambdaArn: `${ALLOWED}:live` });
});

test('an invalid item is 422 with every problem listed', async () => {
  const invalid = await call('POST', '/items', {
    body: { type: 'tool', name: 'bad name', inputSchema: { type: 'object', properties: { n: { type: 'integr' } } }, lambdaArn: ALLOWED, contract: 'soap' },
  });
  expect(invalid.status).toBe(422);
  expect(invalid.body.error).toBe('invalid_item');
  expect(invalid.body.message).toBe('the registry item is invalid (3 problems)');
  expect(invalid.body.problems).toEqual([
    "request body (tool 'bad name'): 'name' must be 1 to 128 characters of A-Z a-z 0-9 _ - . (got \"bad name\"); rename it, e.g. 'bad_name'",
    expect.stringMatching(/^request body \(tool 'bad name'\): 'inputSchema' is not a valid JSON Schema: /),
    "request body (tool 'bad name'): 'contract' must be one of 'mcp', 'bedrock-agentcore-gateway' (got \"soap\")",
  ]);
  const handler = await call('POST', '/items', { body: { ...echo, lambdaArn: undefined, handler: './tools/echo.js#handler' } });
  expect(handler.status).toBe(422);
  expect(handler.body.problems).toContainEqual(expect.stringMatching(/'handler' \(a local module\) is allowed only in a local registry file/));
  expect(await fx.store.list()).toEqual([]);
});

test('a client may send back the item it read: order and version in the body are ignored', async () => {
  const created = (await call('POST', '/items', { body: echo })).body;
  const replaced = await call('PUT', '/items/tool/lookup_order', { body: { ...created, version: 99, order: 0 }, headers: { 'if-match': '"1"' } });
  expect(replaced.status).toBe(200);
  expect(replaced.body).toMatchObject({ version: 2, order: created.order });
});

test('malformed JSON is 400, a body that is not an object is 400, an oversize body is 413, a non-JSON type is 415', async () => {
  const malformed = await call('POST', '/items', { raw: '{"type": "tool",' });
  expect(malformed.status).toBe(400);
  expect(malformed.body.error).toBe('malformed_json');
  expect(malformed.body.message).toMatch(/^the body is not valid JSON: /);
  expect((await call('POST', '/items', { body: [echo] })).status).toBe(400);
  expect((await call('POST', '/items')).status).toBe(400);
  const big = await call('POST', '/items', { body: { ...echo, description: 'x'.repeat(256 * 1024) } });
  expect(big.status).toBe(413);
  expect(big.body.message).toMatch(/^the body is \d+ bytes, over the admin API's limit of 262144$/);
  const text = await call('POST', '/items', { raw: JSON.stringify(echo), headers: { 'content-type': 'text/plain' } });
  expect(text.status).toBe(415);
});

test('unknown routes are 404, wrong methods 405 with Allow', async () => {
  const unknown = await call('GET', '/tools');
  expect(unknown.status).toBe(404);
  expect(unknown.body.message).toBe('no route /tools: use /items or /items/{type}/{id}');
  const badType = await call('GET', '/items/widget/x');
  expect(badType.status).toBe(404);
  expect(badType.body.message).toBe("no item type 'widget': use tool, resource, resourceTemplate, prompt");
  const wrong = await call('DELETE', '/items');
  expect(wrong.status).toBe(405);
  expect(wrong.headers.allow).toBe('GET, POST');
  const wrongItem = await call('POST', '/items/tool/x', { body: echo });
  expect(wrongItem.status).toBe(405);
  expect(wrongItem.headers.allow).toBe('GET, PUT, DELETE');
});

test('each request is logged as one JSON line with the caller, never the body or credentials', async () => {
  await call('POST', '/items', { body: echo, headers: { 'authorization': 'AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEACCESSKEY/...', 'x-amz-security-token': 'SECRET-TOKEN' } });
  const line = fx.logs.at(-1)!;
  expect(JSON.parse(line)).toEqual({
    level: 'info',
    msg: 'admin request',
    requestId: expect.stringMatching(/^req-/),
    method: 'POST',
    path: '/items',
    status: 201,
    latencyMs: expect.any(Number),
    caller: { userArn: CALLER.userArn, accountId: CALLER.accountId, callerId: CALLER.callerId, userId: CALLER.userId },
    item: 'tool#lookup_order',
    version: 1,
  });
  expect(line).not.toContain('ASIAEXAMPLEACCESSKEY');
  expect(line).not.toContain('SECRET-TOKEN');
  expect(line).not.toContain('Finds an order');
});
