/**
 * The Custom::McpRegistry handler against a real DynamoDB Local, answering
 * CloudFormation through a local server that stands in for the presigned ResponseURL.
 */
import { adminFixture, startResponseUrlServer, stopDynamoDbLocal, type AdminFixture } from './admin-fixture';
import type { CloudFormationCustomResourceEvent } from '../../lambda-src/admin/cfn-response';
import { FAILED_CREATE_PHYSICAL_ID } from '../../lambda-src/admin/registry-deployment';
import type { RegistryItem, StoredRegistryItem } from '../../lambda-src/model/registry-item';

const ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:orders';
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Orders/0f3c1d2e-4a4b-4bb1-9e0f-8f1c2a9e3f0f';

function tool(name: string, extra: Record<string, unknown> = {}): RegistryItem {
  return {
    type: 'tool',
    name,
    description: `the ${name} tool`,
    inputSchema: { type: 'object', properties: { id: { type: 'string', minLength: 1 } }, required: ['id'] },
    lambdaArn: ARN,
    ...extra,
  } as RegistryItem;
}

const readme: RegistryItem = { type: 'resource', uri: 'file:///docs/readme.md', name: 'readme', mimeType: 'text/markdown', text: '# Orders' };

let responseUrl: Awaited<ReturnType<typeof startResponseUrlServer>>;
let fx: AdminFixture;
let tableName: string;
let requestCount = 0;

beforeAll(async () => {
  responseUrl = await startResponseUrlServer();
});
afterAll(async () => {
  await responseUrl?.close();
  await stopDynamoDbLocal();
});
beforeEach(async () => {
  fx = await adminFixture();
  tableName = (fx.store as unknown as { tableName: string }).tableName;
  responseUrl.received.length = 0;
});
afterEach(async () => fx?.close());

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  items: unknown,
  extra: Partial<CloudFormationCustomResourceEvent> = {},
): CloudFormationCustomResourceEvent {
  const n = ++requestCount;
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:Orders-McpAdminHandler',
    ResponseURL: `${responseUrl.url}/cloudformation-custom-resource-response-euwest1/${n}?X-Amz-Signature=abc`,
    StackId: STACK_ID,
    RequestId: `request-${n}`,
    LogicalResourceId: 'McpRegistry1A2B3C4D',
    ResourceType: 'Custom::McpRegistry',
    ResourceProperties: { ServiceToken: 'token', TableName: tableName, Items: typeof items === 'string' ? items : JSON.stringify(items) },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `mcp-registry:${tableName}` }),
    ...extra,
  };
}

/** Sends the event to the handler and returns the one response CloudFormation received, parsed. */
async function deploy(e: CloudFormationCustomResourceEvent): Promise<Record<string, unknown>> {
  const before = responseUrl.received.length;
  await fx.handler(e, { awsRequestId: 'lambda-request' });
  expect(responseUrl.received).toHaveLength(before + 1);
  const sent = responseUrl.received[before];
  expect(sent.method).toBe('PUT');
  expect(sent.path).toBe(new URL(e.ResponseURL).pathname + new URL(e.ResponseURL).search);
  // The presigned URL is signed without a content type.
  expect(sent.headers['content-type'] ?? '').toBe('');
  expect(Number(sent.headers['content-length'])).toBe(Buffer.byteLength(sent.body));
  // On a connection of its own: a kept-alive socket this server closed while idle would
  // reset the PUT (cfn-response.test.ts reproduces that).
  expect(sent.headers.connection).toBe('close');
  return JSON.parse(sent.body);
}

/** The whole response CloudFormation gets when `e` succeeded: its ids echoed, the table's physical id. */
function succeeded(e: CloudFormationCustomResourceEvent): Record<string, unknown> {
  return {
    Status: 'SUCCESS',
    PhysicalResourceId: `mcp-registry:${tableName}`,
    StackId: STACK_ID,
    RequestId: e.RequestId,
    LogicalResourceId: 'McpRegistry1A2B3C4D',
  };
}

function withoutStoreFields(items: StoredRegistryItem[]): RegistryItem[] {
  return items.map(({ order: _o, version: _v, ...rest }) => rest as RegistryItem);
}

test('Create writes every item in declaration order and answers SUCCESS', async () => {
  const e = event('Create', [tool('lookup_order'), readme, tool('cancel_order')]);
  expect(await deploy(e)).toEqual(succeeded(e));
  expect(withoutStoreFields(await fx.store.list())).toEqual([tool('lookup_order'), readme, tool('cancel_order')]);
  const log = JSON.parse(fx.logs.at(-1)!);
  expect(log).toMatchObject({ msg: 'registry deployment', requestType: 'Create', status: 'SUCCESS', written: ['tool#lookup_order', 'resource#file:///docs/readme.md', 'tool#cancel_order'], deleted: [] });
});

test('Update removes a renamed item and leaves an item registered at run time alone', async () => {
  await deploy(event('Create', [tool('lookup_order'), tool('old_name')]));
  const runtime = await fx.store.put(tool('registered_by_admin', { description: 'via the admin API' }));
  const unchanged = await fx.store.get('tool', 'lookup_order');

  const e = event('Update', [tool('lookup_order'), tool('new_name')], {
    OldResourceProperties: { ServiceToken: 'token', TableName: tableName, Items: JSON.stringify([tool('lookup_order'), tool('old_name')]) },
  });
  expect(await deploy(e)).toEqual(succeeded(e));
  const items = await fx.store.list();
  expect(items.map((i) => (i as { name: string }).name)).toEqual(['lookup_order', 'registered_by_admin', 'new_name']);
  expect(await fx.store.get('tool', 'old_name')).toBeUndefined();
  // Untouched: neither the run-time item nor the unchanged declaration was rewritten.
  expect(await fx.store.get('tool', 'registered_by_admin')).toEqual(runtime);
  expect(await fx.store.get('tool', 'lookup_order')).toEqual(unchanged);
  expect(JSON.parse(fx.logs.at(-1)!)).toMatchObject({ written: ['tool#new_name'], deleted: ['tool#old_name'] });
});

test('Update rewrites a changed item and restores one deleted behind its back', async () => {
  await deploy(event('Create', [tool('a'), tool('b')]));
  await fx.store.delete('tool', 'b');
  const items = [tool('a', { description: 'changed' }), tool('b')];
  await deploy(event('Update', items, { OldResourceProperties: { TableName: tableName, Items: JSON.stringify([tool('a'), tool('b')]) } }));
  expect((await fx.store.get('tool', 'a'))).toMatchObject({ description: 'changed', version: 2 });
  expect(withoutStoreFields(await fx.store.list())).toEqual(items);
});

test('a retried Create converges without rewriting anything', async () => {
  const e = event('Create', [tool('a'), readme]);
  await deploy(e);
  const first = await fx.store.list();
  expect(await deploy(e)).toMatchObject({ Status: 'SUCCESS' });
  expect(await fx.store.list()).toEqual(first);
});

test('Delete removes what the resource wrote and nothing else', async () => {
  await deploy(event('Create', [tool('a'), readme]));
  const runtime = await fx.store.put(tool('registered_by_admin'));
  const e = event('Delete', [tool('a'), readme]);
  expect(await deploy(e)).toEqual(succeeded(e));
  expect(await fx.store.list()).toEqual([runtime]);
  // Again (a retried Delete): nothing left to remove, still SUCCESS.
  expect(await deploy(e)).toMatchObject({ Status: 'SUCCESS' });
});

test('an invalid item fails the Create with a reason naming it, and the rollback Delete removes nothing', async () => {
  const existing = await fx.store.put(tool('a'));
  const e = event('Create', [tool('a', { description: 'new' }), tool('bad name')]);
  const response = await deploy(e);
  expect(response).toEqual({
    Status: 'FAILED',
    Reason: 'invalid registry items:\n- Items item 2 (tool \'bad name\'): \'name\' must be 1 to 128 characters of A-Z a-z 0-9 _ - . (got "bad name"); rename it, e.g. \'bad_name\'',
    PhysicalResourceId: FAILED_CREATE_PHYSICAL_ID,
    StackId: STACK_ID,
    RequestId: e.RequestId,
    LogicalResourceId: 'McpRegistry1A2B3C4D',
  });
  // Nothing was written: validation comes first.
  expect(await fx.store.list()).toEqual([existing]);
  const rollback = event('Delete', [tool('a', { description: 'new' }), tool('bad name')], { PhysicalResourceId: FAILED_CREATE_PHYSICAL_ID });
  expect(await deploy(rollback)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: FAILED_CREATE_PHYSICAL_ID });
  expect(await fx.store.list()).toEqual([existing]);
});

test('Items that are not JSON fail an Update, keeping its physical id', async () => {
  const e = event('Update', '[{"type":', { OldResourceProperties: { TableName: tableName, Items: '[]' } });
  const response = await deploy(e);
  expect(response.Status).toBe('FAILED');
  expect(response.PhysicalResourceId).toBe(`mcp-registry:${tableName}`);
  expect(response.Reason).toMatch(/^the Items property is not JSON: /);
});

test('a store failure is a FAILED response, not a hang', async () => {
  const e = event('Create', [tool('a')]);
  e.ResourceProperties.TableName = 'no-such-table';
  const broken = await adminFixture();
  (broken.store as unknown as { tableName: string }).tableName = 'no-such-table';
  try {
    await broken.handler(e, { awsRequestId: 'x' });
    const response = JSON.parse(responseUrl.received.at(-1)!.body);
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: FAILED_CREATE_PHYSICAL_ID, RequestId: e.RequestId });
    expect(response.Reason).toMatch(/^registry create failed: .*non-existent table/i);
  } finally {
    await broken.close();
  }
});

test('a Reason too long for CloudFormation is cut to fit its 4096-byte limit', async () => {
  const many = Array.from({ length: 200 }, (_, i) => tool(`bad name ${i}`));
  await fx.handler(event('Create', many), { awsRequestId: 'x' });
  const body = responseUrl.received.at(-1)!.body;
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(4096);
  expect(JSON.parse(body).Reason).toMatch(/ \[\.\.\.\]$/);
});
