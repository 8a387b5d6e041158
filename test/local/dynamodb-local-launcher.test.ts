import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { answers, startDynamoDbLocal } from '../../lambda-src/local/dynamodb-local-launcher';


/** Polls until nothing answers on the port (bounded, so a leak fails the test). */
async function goneWithin(port: number, attempts: number): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (!(await answers(port))) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

test('starts DynamoDB Local on a free port, serves the DynamoDB API, and stops it', async () => {
  const ddb = await startDynamoDbLocal();
  try {
    expect(ddb.endpoint).toBe(`http://127.0.0.1:${ddb.port}`);
    const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const tables = await client.send(new ListTablesCommand({}));
    expect(tables.TableNames).toEqual([]);
    client.destroy();
  } finally {
    await ddb.stop();
  }
  expect(await answers(ddb.port)).toBe(false);
  await ddb.stop(); // idempotent
}, 60_000);

test('no DynamoDB Local outlives an owner killed with SIGKILL', async () => {
  const script = [
    "const { startDynamoDbLocal } = require('./lambda-src/local/dynamodb-local-launcher');",
    'startDynamoDbLocal().then((d) => console.log(`PORT ${d.port}`));',
    'setInterval(() => undefined, 1000);',
  ].join('\n');
  const owner = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    owner.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    owner.once('exit', () => reject(new Error(`owner exited early: ${out}`)));
  });
  expect(await answers(port)).toBe(true);
  owner.removeAllListeners('exit');
  const exited = once(owner, 'exit');
  owner.kill('SIGKILL');
  await exited;
  expect(await goneWithin(port, 40)).toBe(true);
}, 90_000);
