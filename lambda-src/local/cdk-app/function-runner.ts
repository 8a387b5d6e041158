/**
 * Runs one Lambda function of a synthesized app locally, the way Lambda does: in
 * execution environments that each serve one invocation at a time, are reused while
 * warm (module state survives between invocations), and are added when invocations
 * overlap.
 *
 * Each environment is a child process (`node` for Node.js runtimes, `python3` for
 * Python ones) with the function's code folder as cwd and the template's environment
 * variables, not worker threads in the server's process: a tool that calls
 * `process.exit()`, blocks the event loop, leaks memory past its `MemorySize`
 * (`--max-old-space-size`), crashes a native module or changes `process.env` ends or
 * harms only its own environment, which is replaced, and the server keeps serving. A
 * worker thread shares the process (and a native crash or `process.abort()` with it),
 * and cannot run Python at all. The price, tens of milliseconds to start an
 * environment, is paid once per cold start, as in Lambda.
 *
 * A timed-out environment is killed (Lambda also discards an environment after a
 * timeout); a client that cancels stops the waiting, not the function.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { LocalFunction } from './app-model';
import { NODE_BOOTSTRAP } from './node-bootstrap';
import { PYTHON_BOOTSTRAP } from './python-bootstrap';
import { formatBytes, MAX_SYNC_PAYLOAD_BYTES } from '../../tools/payload-limits';
import { TOOL_LOG_LEVELS, type InvokeFailureKind, type InvokeOptions, type InvokeOutcome, type ToolLogLevel } from '../../tools/tool-invoker';

export interface FunctionRunnerOptions {
  /** Where the functions' stdout/stderr lines go, prefixed with the function's name. */
  readonly log: (line: string) => void;
  /** DynamoDB Local's endpoint, given to functions as `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly dynamoDbEndpoint?: string;
  /** @default 'python3' */
  readonly python?: string;
}

interface Pending {
  options: InvokeOptions;
  resolve(outcome: InvokeOutcome): void;
}

/** One execution environment: a child process running the bootstrap. */
class ExecutionEnvironment {
  readonly child: ChildProcess;
  private readonly requests: Writable;
  private pending?: { id: string } & Pending;
  exited = false;

  constructor(
    command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, name: string,
    log: (line: string) => void, onExit: (env: ExecutionEnvironment) => void,
  ) {
    this.child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => log(`[${name}] ${line}`));
    }
    this.requests = this.child.stdio[3] as Writable;
    this.requests.on('error', () => undefined);
    createInterface({ input: this.child.stdio[4] as Readable }).on('line', (line) => this.onMessage(line));
    const exited = (why: string) => {
      if (this.exited) return;
      this.exited = true;
      onExit(this);
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve(failure('function_error', `Runtime.ExitError: the function's process ${why} during the invocation`));
    };
    this.child.once('error', (err: NodeJS.ErrnoException) => exited(err.code === 'ENOENT' ? `could not start (${command} was not found on the PATH)` : `could not start (${err.message})`));
    this.child.once('exit', (code, signal) => exited(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  run(message: Record<string, unknown>, pending: Pending): void {
    const id = randomUUID();
    this.pending = { id, ...pending };
    this.requests.write(`${JSON.stringify({ ...message, id })}\n`);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private onMessage(line: string): void {
    let msg: Record<string, any>;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    const pending = this.pending;
    if (!pending || msg.id !== pending.id) return;
    if (msg.type === 'progress') {
      if (typeof msg.progress === 'number') {
        pending.options.onProgress?.({
          progress: msg.progress,
          ...(typeof msg.total === 'number' ? { total: msg.total } : {}),
          ...(typeof msg.message === 'string' ? { message: msg.message } : {}),
        });
      }
      return;
    }
    if (msg.type === 'log') {
      if ((TOOL_LOG_LEVELS as readonly string[]).includes(msg.level)) {
        pending.options.onLog?.({ level: msg.level as ToolLogLevel, data: msg.data, ...(typeof msg.logger === 'string' ? { logger: msg.logger } : {}) });
      }
      return;
    }
    this.pending = undefined;
    if (msg.type === 'error') {
      pending.resolve(failure('function_error', msg.errorType && msg.errorType !== 'Error' ? `${msg.errorType}: ${msg.errorMessage}` : String(msg.errorMessage)));
      return;
    }
    const payload = String(msg.payload);
    const bytes = Buffer.byteLength(payload);
    if (bytes > MAX_SYNC_PAYLOAD_BYTES) {
      pending.resolve(failure('payload_too_large', `the response is ${formatBytes(bytes)}, over the ${formatBytes(MAX_SYNC_PAYLOAD_BYTES)} limit of a synchronous Lambda invocation`));
      return;
    }
    pending.resolve({ ok: true, payload: JSON.parse(payload) });
  }
}

/** The execution environments of one function. */
export class FunctionRunner {
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly all = new Set<ExecutionEnvironment>();
  private inlineDir?: string;
  private stopped = false;

  constructor(readonly fn: LocalFunction, private readonly options: FunctionRunnerOptions) {}

  async invoke(event: unknown, options: InvokeOptions = {}): Promise<InvokeOutcome> {
    if (this.fn.notRunnable) return failure('invoke_failed', `function ${this.fn.functionName} is not runnable locally: ${this.fn.notRunnable}`);
    if (this.stopped) return failure('invoke_failed', `function ${this.fn.functionName} was unloaded (the app was reloaded)`);
    let eventJson: string;
    try {
      eventJson = JSON.stringify(event ?? null);
    } catch (err) {
      return failure('invoke_failed', `the event could not be serialized as JSON: ${(err as Error).message}`);
    }
    if (Buffer.byteLength(eventJson) > MAX_SYNC_PAYLOAD_BYTES) {
      return failure('payload_too_large', `the request event is ${formatBytes(Buffer.byteLength(eventJson))}, over the ${formatBytes(MAX_SYNC_PAYLOAD_BYTES)} limit of a synchronous Lambda invocation`);
    }
    // The function's own Timeout bounds it, as in Lambda; the caller may allow less.
    const fnTimeoutMs = this.fn.timeoutSeconds * 1000;
    const timeoutMs = Math.min(fnTimeoutMs, options.timeoutMs ?? fnTimeoutMs);
    if (timeoutMs <= 0) return failure('timeout', "no time was left to run the function before the request's deadline");
    if (options.signal?.aborted) return failure('aborted', 'the request was cancelled before the function ran');
    // Lambda hands the function the decoded client context (`context.clientContext`).
    let clientContext: unknown;
    if (options.clientContext) {
      try {
        clientContext = JSON.parse(Buffer.from(options.clientContext, 'base64').toString('utf8'));
      } catch {
        return failure('invoke_failed', 'the client context is not base64 JSON');
      }
    }

    const env = this.idle.pop() ?? this.spawnEnvironment();
    return new Promise<InvokeOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: InvokeOutcome, keepWaiting = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (!keepWaiting && !env.exited && !env.busy && !this.stopped) this.idle.push(env);
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        env.kill();
        finish(failure('timeout', `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`), true);
      }, timeoutMs);
      const onAbort = () => finish(failure('aborted', 'the request was cancelled while the function ran'), true);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      env.run({
        event: JSON.parse(eventJson),
        requestId: randomUUID(),
        deadline: Date.now() + timeoutMs,
        functionName: this.fn.functionName,
        functionArn: this.fn.arn,
        memoryMb: this.fn.memoryMb,
        clientContext,
      }, {
        options,
        resolve: (outcome) => {
          if (settled) {
            // The caller stopped waiting (cancel): the environment is free again now.
            if (!env.exited && !this.stopped) this.idle.push(env);
            return;
          }
          finish(outcome);
        },
      });
    });
  }

  /** Kills every environment; later invocations fail. */
  stop(): void {
    this.stopped = true;
    for (const env of this.all) env.kill();
    this.all.clear();
    this.idle.length = 0;
    if (this.inlineDir) rmSync(this.inlineDir, { recursive: true, force: true });
  }

  private spawnEnvironment(): ExecutionEnvironment {
    const fn = this.fn;
    const cwd = fn.codeDir ?? this.writeInlineCode();
    const env = lambdaEnvironment(fn, cwd, this.options.dynamoDbEndpoint);
    const [command, args] = fn.language === 'python'
      ? [this.options.python ?? 'python3', ['-u', '-c', PYTHON_BOOTSTRAP]]
      // The V8 heap limit stands in for MemorySize: a leak ends this environment, not the server.
      : [process.execPath, [`--max-old-space-size=${Math.max(64, fn.memoryMb)}`, '-e', NODE_BOOTSTRAP]];
    const environment = new ExecutionEnvironment(command, args, cwd, env, fn.functionName, this.options.log, (e) => {
      this.all.delete(e);
      const i = this.idle.indexOf(e);
      if (i !== -1) this.idle.splice(i, 1);
    });
    this.all.add(environment);
    return environment;
  }

  /** Lambda writes inline code (`Code.ZipFile`) to `index.js` / `index.py`. */
  private writeInlineCode(): string {
    if (!this.inlineDir) {
      this.inlineDir = mkdtempSync(join(tmpdir(), 'mcp-inline-'));
      writeFileSync(join(this.inlineDir, this.fn.language === 'python' ? 'index.py' : 'index.js'), this.fn.inlineCode ?? '');
    }
    return this.inlineDir;
  }
}

/** Credentials and profile settings passed through to functions, so a tool can reach real AWS if the developer is signed in. */
const PASSED_THROUGH = ['PATH', 'HOME', 'LANG', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'SYSTEMROOT'];

/** The environment Lambda gives a function, plus the template's variables. */
export function lambdaEnvironment(fn: LocalFunction, taskRoot: string, dynamoDbEndpoint?: string): NodeJS.ProcessEnv {
  const region = /^arn:aws:lambda:([^:]+):/.exec(fn.arn)?.[1] ?? 'us-east-1';
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_THROUGH) if (process.env[name] !== undefined) env[name] = process.env[name];
  if (!env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE) {
    // The SDKs need some credentials to sign; DynamoDB Local accepts any.
    env.AWS_ACCESS_KEY_ID = 'local';
    env.AWS_SECRET_ACCESS_KEY = 'local';
  }
  Object.assign(env, {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime ?? 'unknown'}`,
    LAMBDA_TASK_ROOT: taskRoot,
    _HANDLER: fn.handler ?? '',
    TZ: ':UTC',
    PYTHONDONTWRITEBYTECODE: '1',
  });
  // The tables of the app live in DynamoDB Local: the AWS SDKs (JS v3, boto3) honour this variable.
  if (dynamoDbEndpoint) env.AWS_ENDPOINT_URL_DYNAMODB = dynamoDbEndpoint;
  // Lambda's Node.js runtimes carry the AWS SDK v3, which bundlers leave out
  // (NodejsFunction's default): the project's node_modules stands in for it.
  if (fn.language === 'node') env.NODE_PATH = join(process.cwd(), 'node_modules');
  Object.assign(env, fn.environment);
  return env;
}

function failure(kind: InvokeFailureKind, message: string): InvokeOutcome {
  return { ok: false, kind, message };
}
