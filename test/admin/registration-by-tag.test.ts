/**
 * Registration by tag, end to end with real parts: the admin API (over HTTP, as behind
 * its Function URL) reads a function's tags with the real @aws-sdk/client-lambda against
 * a local endpoint speaking Lambda's ListTags wire format, writes the item to DynamoDB
 * Local, and the MCP endpoint reading that same table calls the tagged function through
 * the real Lambda client: a new tool with no redeploy. An untagged function, one tagged
 * for another server, one that does not exist or lives in another account are refused
 * with what to do.
 */
// The v1 SDK resolves through its package "exports" map, which eslint's import resolver does not read.
// eslint-disable-next-line import/no-unresolved
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { sharedDynamoDbLocal, startAdminHttpServer, stopDynamoDbLocal } from './admin-fixture';
import { createAdminHandler } from '../../lambda-src/admin';
import { AllowedFunctions } from '../../lambda-src/admin/allowed-functions';
import { TaggedFunctions } from '../../lambda-src/admin/tagged-functions';
import { createMcpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbRegistryStore } from '../../lambda-src/store/dynamodb-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { LambdaInvoker } from '../../lambda-src/tools/lambda-invoker';
import { ALICE, testConfig } from '../protocol/endpoint-fixture';
import { startWebRequestServer, type WebRequestServer } from '../protocol/web-request-server';
import { createTestTables } from '../support/dynamodb-local';
import { FakeLambdaEndpoint } from '../support/fake-lambda-endpoint';

const SCOPE = 'arn:aws:lambda:us-east-1:123456789012:function:';
const TAG = 'mcp-lambda-server=orders-server';
const LISTED = `${SCOPE}listed`;

let lambda: FakeLambdaEndpoint;
let admin: { url: string; close(): Promise<void> };
let mcp: WebRequestServer;
let store: DynamoDbRegistryStore;
let destroy: () => void;

function tool(name: string, lambdaArn: string): Record<string, unknown> {
  return { type: 'tool', name, description: `runs ${name}`, inputSchema: { type: 'object', properties: { q: { type: 'string' } } }, lambdaArn };
}

async function register(item: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const response = await fetch(`${admin.url}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(item) });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  lambda = await FakeLambdaEndpoint.start();
  lambda.register('search', (event) => ({ content: [{ type: 'text', text: `found ${JSON.stringify((event as { arguments: unknown }).arguments)}` }] }))
    .tag('search', { 'mcp-lambda-server': 'orders-server', 'team': 'orders' });
  lambda.register('untagged', () => ({ content: [] }));
  lambda.register('elsewhere', () => ({ content: [] })).tag('elsewhere', { 'mcp-lambda-server': 'billing-server' });
  lambda.register('listed', () => ({ content: [] }));

  const ddb = await sharedDynamoDbLocal();
  const { registryTable } = await createTestTables(ddb.endpoint);
  const client = createDocumentClient({ endpoint: ddb.endpoint });
  destroy = () => client.destroy();
  store = new DynamoDbRegistryStore({ client, tableName: registryTable });
  const tagged = TaggedFunctions.fromEnvironment(TAG, SCOPE, lambda.clientConfig())!;
  const allowedFunctions = new AllowedFunctions([LISTED], tagged);
  admin = await startAdminHttpServer(createAdminHandler(() => ({ store, allowedFunctions, log: () => undefined })));

  const endpoint = createMcpEndpoint({
    config: testConfig({ registryCacheSeconds: 1 }),
    sessions: new MemorySessionStore(),
    registry: new RegistrySource(store),
    invoker: new LambdaInvoker({ clientConfig: lambda.clientConfig() }),
    options: { log: () => undefined },
  });
  mcp = await startWebRequestServer((request, ctx) => endpoint.handle(request, ctx), { context: () => ({ principal: ALICE }) });
});

afterAll(async () => {
  await mcp?.close();
  await admin?.close();
  await lambda?.close();
  destroy?.();
  await stopDynamoDbLocal();
});

test('a tagged function is registered through the admin API and called at once, with no redeploy', async () => {
  const created = await register(tool('search_orders', `${SCOPE}search`));
  expect(created.status).toBe(201);
  // The tags were read with the unqualified ARN, through Lambda's ListTags.
  expect(lambda.tagReads).toContain(`${SCOPE}search`);

  const client = new Client({ name: 'c', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(mcp.url));
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toContain('search_orders');
  const result = await client.callTool({ name: 'search_orders', arguments: { q: 'late' } });
  expect(result.content).toEqual([{ type: 'text', text: 'found {"q":"late"}' }]);
  expect(lambda.invocations.at(-1)?.functionName).toBe(`${SCOPE}search`);
  await client.close();
});

test('a version or alias of a tagged function may be named; its tags are read from the function', async () => {
  lambda.tagReads.length = 0;
  const created = await register(tool('search_live', `${SCOPE}search:live`));
  expect(created.status).toBe(201);
  expect(lambda.tagReads).toEqual([`${SCOPE}search`]);
});

test('an untagged function is refused with 403, saying which tag to add and how', async () => {
  const refused = await register(tool('payroll', `${SCOPE}untagged`));
  expect(refused.status).toBe(403);
  expect(refused.body).toEqual({
    error: 'function_not_allowed',
    message: `lambdaArn '${SCOPE}untagged': function untagged has no tag mcp-lambda-server; to let this server run it, ` +
      `\`aws lambda tag-resource --resource ${SCOPE}untagged --tags ${TAG}\` and register again`,
  });
  expect(await store.get('tool', 'payroll')).toBeUndefined();
});

test("a function tagged for another server is refused, naming that server's tag", async () => {
  const refused = await register(tool('bill', `${SCOPE}elsewhere`));
  expect(refused.status).toBe(403);
  expect(refused.body.message).toMatch(/function elsewhere has mcp-lambda-server=billing-server, another server's/);
});

test('a function that does not exist is 422; one in another account or region is 403 without asking Lambda', async () => {
  const missing = await register(tool('ghost', `${SCOPE}ghost`));
  expect(missing.status).toBe(422);
  expect(missing.body).toMatchObject({ error: 'function_not_found' });
  expect(missing.body.message).toMatch(/no function .*ghost exists/);

  lambda.tagReads.length = 0;
  const foreign = await register(tool('foreign', 'arn:aws:lambda:us-east-1:999999999999:function:search'));
  expect(foreign.status).toBe(403);
  expect(foreign.body.message).toMatch(/outside this server's account and region \(arn:aws:lambda:us-east-1:123456789012:function:\*\)/);
  const otherRegion = await register(tool('foreign2', 'arn:aws:lambda:eu-west-1:123456789012:function:search'));
  expect(otherRegion.status).toBe(403);
  expect(lambda.tagReads).toEqual([]);
});

test('allowedToolFunctions still works beside tags, without reading any tag', async () => {
  lambda.tagReads.length = 0;
  expect((await register(tool('listed_tool', LISTED))).status).toBe(201);
  expect(lambda.tagReads).toEqual([]);
});
