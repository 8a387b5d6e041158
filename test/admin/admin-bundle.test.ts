/**
 * The bundled admin function as deployed (assets/admin/index.js, built by
 * scripts/bundle.mjs): its `handler` serves a CloudFormation request and an admin API
 * request from its environment, and it exports the validation the construct runs at
 * synth time.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { adminFixture, sharedDynamoDbLocal, startResponseUrlServer, stopDynamoDbLocal } from './admin-fixture';

const bundlePath = join(__dirname, '..', '..', 'assets', 'admin', 'index.js');

afterAll(() => stopDynamoDbLocal());

test('the bundle exports handler and validateRegistryItems', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundle = require(bundlePath);
  expect(typeof bundle.handler).toBe('function');
  expect(bundle.validateRegistryItems([{ type: 'prompt', name: 'p', messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }] }])).toEqual([]);
  expect(bundle.validateRegistryItems([{ type: 'tool', name: 'a b' }], { source: 'addTool' })[0]).toMatch(/^addTool item 1 \(tool 'a b'\): 'name' must be/);
});

/**
 * Runs the bundle's handler in a real Node process: the bundled AWS SDK loads
 * `node:http` with `import()` for a plain-HTTP endpoint (DynamoDB Local), which jest's
 * module sandbox cannot do without --experimental-vm-modules.
 */
async function runBundledHandler(env: Record<string, string>, events: unknown[]): Promise<unknown[]> {
  const script = `
const { handler } = require(${JSON.stringify(bundlePath)});
(async () => {
  const out = [];
  for (const e of JSON.parse(process.argv[1])) out.push(await handler(e, { awsRequestId: 'bundle' }));
  process.stdout.write('\\n' + JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(1); });`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, JSON.stringify(events)], { env: { ...process.env, ...env } });
  return JSON.parse(stdout.slice(stdout.lastIndexOf('\n') + 1));
}

test('the bundled handler writes declared items at deploy and serves them over the admin API', async () => {
  const fx = await adminFixture(); // for its fresh table and a store to inspect
  const responses = await startResponseUrlServer();
  const tableName = (fx.store as unknown as { tableName: string }).tableName;
  try {
    const item = { type: 'resource', uri: 'app://motd', name: 'motd', text: 'hello' };
    const [, result] = await runBundledHandler({
      MCP_REGISTRY_TABLE: tableName,
      MCP_DYNAMODB_ENDPOINT: (await sharedDynamoDbLocal()).endpoint,
      AWS_REGION: 'us-east-1',
    }, [
      {
        RequestType: 'Create',
        ServiceToken: 'arn',
        ResponseURL: `${responses.url}/r`,
        StackId: 'stack',
        RequestId: 'req',
        LogicalResourceId: 'Registry',
        ResourceType: 'Custom::McpRegistry',
        ResourceProperties: { TableName: tableName, Items: JSON.stringify([item]) },
      },
      {
        version: '2.0',
        rawPath: '/items/resource/app%3A%2F%2Fmotd',
        rawQueryString: '',
        headers: {},
        isBase64Encoded: false,
        requestContext: { http: { method: 'GET', path: '/items/resource/app:/motd' }, requestId: 'x' },
      },
    ]) as [unknown, { statusCode: number; body: string }];
    expect(JSON.parse(responses.received[0].body)).toEqual({
      Status: 'SUCCESS', PhysicalResourceId: `mcp-registry:${tableName}`, StackId: 'stack', RequestId: 'req', LogicalResourceId: 'Registry',
    });
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ ...item, order: expect.any(Number), version: 1 });
    expect(await fx.store.get('resource', 'app://motd')).toMatchObject(item);
  } finally {
    await responses.close();
    await fx.close();
  }
});
