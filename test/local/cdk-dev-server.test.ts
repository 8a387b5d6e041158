/**
 * The CDK app runner in process, on a hand-written cloud assembly
 * (cloud-assembly-fixture.ts) with two servers, Node.js and Python tools, inline code,
 * a Java and a container-image function, and an app table with a GSI and a TTL; on a
 * real DynamoDB Local, driven by the SDK v1 client over real sockets.
 *
 * The fixture has no handler asset, so the servers run with this package's own handler
 * (the shipped path, the app's asset, is covered by cdk-app-dev-server.test.ts).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { writeFixtureAssembly } from './cloud-assembly-fixture';
import { AppModelError, buildAppModel } from '../../lambda-src/local/cdk-app/app-model';
import { CdkDevServer } from '../../lambda-src/local/cdk-app/cdk-dev-server';
import { readCloudAssembly } from '../../lambda-src/local/cdk-app/cloud-assembly';
import { createTableInput } from '../../lambda-src/local/cdk-app/declared-tables';
import { runCli } from '../../lambda-src/local/cli';
import { freePort } from '../../lambda-src/local/dynamodb-local-launcher';
import { type DynamoDbLocal, localDynamoDbClient, startDynamoDbLocal } from '../support/dynamodb-local';
import { connectLoggingClientV1 } from '../support/logging-client-v1';

jest.setTimeout(120_000);

const NODE_TOOL_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:Fixture-NodeTool';

let dir: string;
let ddb: DynamoDbLocal;
let server: CdkDevServer;
let basePort: number;
const out: string[] = [];

beforeAll(async () => {
  dir = writeFixtureAssembly();
  ddb = await startDynamoDbLocal();
  basePort = await freePort();
  server = await CdkDevServer.start({
    appDir: dir, port: basePort, dynamoDbEndpoint: ddb.endpoint, log: () => undefined, out: (line) => out.push(line),
  });
});

afterAll(async () => {
  await server?.stop();
  await ddb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'fixture-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

function text(result: unknown): string {
  return (result as { content: Array<{ text: string }> }).content[0].text;
}

describe('the app model', () => {
  const model = () => buildAppModel(readCloudAssembly(dir));

  test('finds each server by its tables and registry, and resolves item ARNs to the local functions', () => {
    const m = model();
    expect(m.servers.map((s) => s.id)).toEqual(['Fixture/Orders', 'Fixture/Billing']);
    const orders = m.servers[0];
    expect(orders.sessionTable.tableName).toBe('Fixture-OrdersSessionTableAAAA0001');
    expect(orders.items.filter((i) => i.type === 'tool').map((i) => i.lambdaArn)).toContain(NODE_TOOL_ARN);
    expect(orders.items.map((i) => i.name)).toEqual([
      'echo', 'crash', 'hang', 'throw', 'describe_table', 'py_echo', 'py_fail', 'inline', 'java_tool', 'image_tool', 'hello',
    ]);
    // A value with no local counterpart becomes a placeholder and a warning, not a crash.
    expect(orders.handler.environment.MCP_ALLOWED_ORIGINS).toBe('local-unresolved:Fn::ImportValue_WebAppOrigin');
    expect(orders.handler.warnings).toEqual(['environment value Fn::ImportValue WebAppOrigin: values exported by other stacks are not available locally']);
  });

  test('says why a function cannot run locally', () => {
    const fns = model().functions;
    const byId = (id: string) => [...fns.values()].find((f) => f.logicalId === id)!;
    expect(byId('JavaTool').notRunnable).toBe('runtime java21: only Node.js and Python functions run locally');
    expect(byId('ImageTool').notRunnable).toBe('a container image function (running it needs Docker)');
    expect(byId('NodeTool')).toMatchObject({ language: 'node', handler: 'index.handler', notRunnable: undefined, environment: { ORDERS_TABLE: 'Fixture-OrdersTable' } });
    expect(byId('NodeTool').warnings).toEqual(['1 layer(s) are not available locally']);
    expect(byId('PyTool')).toMatchObject({ language: 'python', codeDir: join(dir, 'asset.pytoolhash') });
    expect(byId('InlineTool').inlineCode).toContain('exports.handler');
  });

  test('declares tables as the template does: keys, GSIs, billing', () => {
    const table = model().tables.find((t) => t.logicalId === 'OrdersTable')!;
    expect(createTableInput(table)).toEqual({
      TableName: 'Fixture-OrdersTable',
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }, { AttributeName: 'customer', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [{ IndexName: 'byCustomer', KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    });
  });

  test('--stack selects stacks, and a name that matches none is refused with the names there are', () => {
    expect(buildAppModel(readCloudAssembly(dir), ['Fix*']).servers).toHaveLength(2);
    expect(() => buildAppModel(readCloudAssembly(dir), ['Prod'])).toThrow(new AppModelError("no stack matches 'Prod'; the app has: Fixture"));
  });

  test('a folder that is not a cloud assembly is refused with what to do', () => {
    expect(() => readCloudAssembly(join(dir, 'nope'))).toThrow(/manifest\.json does not exist: pass the folder `cdk synth` writes/);
  });
});

describe('serving', () => {
  test('several servers get consecutive ports, each with its own items', async () => {
    expect(server.servers.map((s) => [s.id, s.port])).toEqual([['Fixture/Orders', basePort], ['Fixture/Billing', basePort + 1]]);
    const billing = await connect(server.servers[1].url);
    try {
      expect((await billing.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
      expect(billing.getServerVersion()).toMatchObject({ name: 'billing', version: '2.0.0' });
    } finally {
      await billing.close();
    }
    const [orders] = server.servers;
    expect(orders.templateAuthMode).toBe('oauth');
    expect(orders.warnings).toContain(`the handler asset ${join(dir, 'asset.handlerhash', 'index.mjs')} was not found; serving with this CLI's copy of the handler`);
    expect(orders.warnings).toContain('Fixture/NodeTool (nodejs22.x): 1 layer(s) are not available locally');
    expect(orders.items.find((i) => i.item.type === 'tool' && i.item.name === 'java_tool')?.notRunnable).toBe('runtime java21: only Node.js and Python functions run locally');
  });

  test('creates the app\'s tables as declared, and tools reach them through AWS_ENDPOINT_URL_DYNAMODB', async () => {
    const client = localDynamoDbClient(ddb.endpoint);
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'Fixture-OrdersTable' }));
      expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['byCustomer']);
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'Fixture-OrdersSessionTableAAAA0001' }));
      expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
    } finally {
      client.destroy();
    }
    const mcp = await connect(server.servers[0].url);
    try {
      const described = await mcp.callTool({ name: 'describe_table', arguments: {} });
      expect(described.isError).toBeFalsy();
      expect(described.structuredContent).toEqual({ name: 'Fixture-OrdersTable', keys: [{ AttributeName: 'orderId', KeyType: 'HASH' }], indexes: ['byCustomer'] });
    } finally {
      await mcp.close();
    }
  });

  test('a tool that exits, hangs or throws answers an error result, and the server and the next call carry on', async () => {
    const mcp = await connect(server.servers[0].url);
    try {
      const first = await mcp.callTool({ name: 'echo', arguments: { message: 'one' } });
      expect(first.structuredContent).toMatchObject({ tool: 'echo', message: 'one', functionName: 'Fixture-NodeTool', remaining: true });

      const crashed = await mcp.callTool({ name: 'crash', arguments: {} });
      expect(crashed.isError).toBe(true);
      expect(text(crashed)).toContain("Runtime.ExitError: the function's process exited with code 3 during the invocation");

      const hung = await mcp.callTool({ name: 'hang', arguments: {} });
      expect(hung.isError).toBe(true);
      expect(text(hung)).toContain('Task timed out after 2.00 seconds');

      const thrown = await mcp.callTool({ name: 'throw', arguments: { message: 'x' } });
      expect(thrown.isError).toBe(true);
      expect(text(thrown)).toContain('TypeError: bad input: x');

      // A warm environment keeps module state between calls, as in Lambda.
      const a = await mcp.callTool({ name: 'echo', arguments: { message: 'a' } });
      const b = await mcp.callTool({ name: 'echo', arguments: { message: 'b' } });
      expect((b.structuredContent as { calls: number }).calls).toBe((a.structuredContent as { calls: number }).calls + 1);
    } finally {
      await mcp.close();
    }
  });

  test('Python and inline functions run; the others answer why they cannot', async () => {
    const mcp = await connect(server.servers[0].url);
    try {
      const py = await mcp.callTool({ name: 'py_echo', arguments: { message: 'hi' } });
      expect(py.structuredContent).toEqual({ echo: 'hi', function: 'Fixture-PyTool', region: 'us-east-1' });
      expect(out).toContain("[Fixture-PyTool] python tool called with {'message': 'hi'}");

      const pyFail = await mcp.callTool({ name: 'py_fail', arguments: {} });
      expect(pyFail.isError).toBe(true);
      expect(text(pyFail)).toContain('ValueError: no such order');

      const inline = await mcp.callTool({ name: 'inline', arguments: {} });
      expect(text(inline)).toBe('inline inline');

      const java = await mcp.callTool({ name: 'java_tool', arguments: {} });
      expect(java.isError).toBe(true);
      expect(text(java)).toContain('not runnable locally: runtime java21');
      const image = await mcp.callTool({ name: 'image_tool', arguments: {} });
      expect(text(image)).toContain('not runnable locally: a container image function');

      const prompt = await mcp.getPrompt({ name: 'hello', arguments: { name: 'Ada' } });
      expect((prompt.messages[0].content as { text: string }).text).toBe('Hello Ada');
    } finally {
      await mcp.close();
    }
  });

  test('reload applies a changed registry (a removed tool) and keeps ports and sessions', async () => {
    const mcp = await connect(server.servers[1].url);
    try {
      const template = join(dir, 'Fixture.template.json');
      const original = readFileSync(template, 'utf8');
      const t = JSON.parse(original);
      t.Resources.BillingRegistryAAAA0004.Properties.Items = '[]';
      writeFileSync(template, JSON.stringify(t));
      const result = await server.reload();
      expect(result.ok).toBe(true);
      expect(result.changes['Fixture/Billing']).toEqual({ added: [], changed: [], removed: ['tool#echo'] });
      expect(result.changes['Fixture/Orders']).toEqual({ added: [], changed: [], removed: [] });
      expect(server.servers.map((s) => s.port)).toEqual([basePort, basePort + 1]);
      expect((await mcp.listTools()).tools).toEqual([]);
      writeFileSync(template, original);
    } finally {
      await mcp.close();
    }
  });

  test('a reload of a broken assembly fails and keeps serving the previous one', async () => {
    const manifest = join(dir, 'manifest.json');
    const original = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, '{ not json');
    try {
      const result = await server.reload();
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/cannot read .*manifest\.json/);
      expect(server.servers).toHaveLength(2);
    } finally {
      writeFileSync(manifest, original);
    }
  });
});

describe('events through the app\'s own topic', () => {
  const publishTo = (url: string, ...args: string[]) => {
    const err: string[] = [];
    return runCli(['publish', '--url', url, ...args], { out: () => undefined, err: (t) => err.push(t) }).then((code) => ({ code, err: err.join('') }));
  };

  test('each server runs with its handler function\'s Timeout from the template', () => {
    expect(server.servers.map((s) => s.timeoutSeconds)).toEqual([900, 900]);
  });

  test('the model finds the topic the handler is subscribed to', () => {
    const [orders, billing] = server.servers;
    expect(orders.eventTopicArn).toBe('arn:aws:sns:us-east-1:000000000000:Fixture-OrdersEventTopic');
    expect(billing.eventTopicArn).toBeUndefined();
  });

  test('publish reaches an open GET stream (SDK v1); another topic and a server without one are refused', async () => {
    const [orders, billing] = server.servers;
    const { client, logs } = await connectLoggingClientV1(orders.url, 'fixture-client');
    try {
      // Re-publish a probe until the SDK's asynchronously opened GET stream is live.
      while (logs.length === 0) {
        expect((await publishTo(orders.url, '--topic', orders.eventTopicArn!, 'probe')).code).toBe(0);
        for (let i = 0; i < 40 && logs.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      }
      const wrong = await publishTo(orders.url, '--topic', 'arn:aws:sns:us-east-1:000000000000:Other', 'x');
      expect(wrong).toEqual({ code: 1, err: expect.stringContaining(`subscribed to ${orders.eventTopicArn}, not arn:aws:sns:us-east-1:000000000000:Other`) });
      const none = await publishTo(billing.url, 'x');
      expect(none).toEqual({ code: 1, err: expect.stringContaining('Fixture/Billing has no event topic in the app') });
    } finally {
      await client.close();
    }
  });
});

describe('the embedded store with --app', () => {
  test('serves the app with no DynamoDB, and says which app tables its tools will miss', async () => {
    const embedded = await CdkDevServer.start({ appDir: dir, port: 0, log: () => undefined, out: () => undefined });
    try {
      expect(embedded.store.kind).toBe('embedded');
      expect(embedded.dynamoDbEndpoint).toBeUndefined();
      const [orders] = embedded.servers;
      expect(orders.warnings).toContain("the app's other tables (Fixture-OrdersTable) do not exist with the embedded store: "
        + 'for tool functions that use them, run with --store dynamodb-local or --dynamodb-endpoint URL');
      const mcp = await connect(orders.url);
      try {
        const echoed = await mcp.callTool({ name: 'echo', arguments: { message: 'embedded' } });
        expect(echoed.structuredContent).toMatchObject({ tool: 'echo', message: 'embedded' });
        // A reload keeps the embedded sessions.
        expect((await embedded.reload()).ok).toBe(true);
        expect((await mcp.callTool({ name: 'echo', arguments: { message: 'again' } })).structuredContent).toMatchObject({ message: 'again' });
      } finally {
        await mcp.close();
      }
    } finally {
      await embedded.stop();
    }
  });
});
