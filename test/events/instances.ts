/**
 * Starts handler instances (handler-instance.ts) in child processes and talks to their
 * control channel: the "several Lambda execution environments" of the events tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createTestTables, startDynamoDbLocal } from '../support/dynamodb-local';

export interface Instance {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: string;
  readonly base: string;
  /** Invokes this instance's handler with an SNS event; resolves with its output. */
  sns(event: unknown): Promise<{ ok: boolean; appended?: number; duplicates?: number; refused?: number }>;
  /** Writes a registry item to the shared registry table. */
  register(item: unknown): Promise<void>;
  /** What the instance's invocations cost so far (handler-instance.ts, `/control/stats`). */
  stats(): Promise<InstanceStats>;
  stop(): Promise<void>;
}

export interface InstanceStats {
  /** HTTP invocations started. */
  readonly invocations: number;
  /** Invocations still running. */
  readonly open: number;
  /** Milliseconds of invocation time held, summed over finished invocations. */
  readonly heldMs: number;
  /** Like heldMs, plus what the running invocations have held so far. */
  readonly heldNowMs: number;
  /** DynamoDB read requests (GetItem, Query). */
  readonly reads: number;
  /** DynamoDB write requests (Put, Update, Delete, transactions). */
  readonly writes: number;
  /** Queries of the broadcast partition. */
  readonly broadcastReads: number;
  /** GetItem requests of cancellation markers: a running call reads its two each interval (protocol/cancellation-watch.ts). */
  readonly cancelReads: number;
}

export interface InstanceOptions {
  readonly ddbEndpoint: string;
  readonly sessionTable: string;
  readonly registryTable: string;
  readonly pollIntervalMs?: number;
  readonly invocationTimeoutMs?: number;
  /** Stream mode (events/event-config.ts). @default the handler's default, live */
  readonly streamMode?: 'off' | 'poll' | 'live';
  readonly streamRetryMs?: number;
  /** Poll mode polls 2025-06-18 / 2025-03-26 sessions too (`pollOlderRevisions`). @default false */
  readonly pollOlderRevisions?: boolean;
  readonly maxStreamMs?: number;
  /** `hidden`: a client's hang-up is not signalled to the handler, as on Lambda. @default 'signalled' */
  readonly hangUps?: 'signalled' | 'hidden';
  /** How long the instance serves its cached registry (`registryCacheSeconds`). @default 1 */
  readonly registryCacheSeconds?: number;
  /** A local Lambda Invoke endpoint (`http://127.0.0.1:<port>`) the tools are invoked at. */
  readonly lambdaEndpoint?: string;
}

/** Two instances sharing fresh tables on a DynamoDB Local of their own. */
export interface InstancePair {
  readonly a: Instance;
  readonly b: Instance;
  /** Stops both instances, then DynamoDB Local. */
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local, creates the tables, lets `seed` write to them, and starts two
 * instances over them with the same options.
 */
export async function startInstancePair(
  options: Omit<InstanceOptions, 'ddbEndpoint' | 'sessionTable' | 'registryTable'>,
  seed?: (ddbEndpoint: string, tables: { sessionTable: string; registryTable: string }) => Promise<void>,
): Promise<InstancePair> {
  const ddb = await startDynamoDbLocal();
  try {
    const tables = await createTestTables(ddb.endpoint);
    await seed?.(ddb.endpoint, tables);
    const instanceOptions = { ddbEndpoint: ddb.endpoint, ...tables, ...options };
    const [a, b] = await Promise.all([startInstance(instanceOptions), startInstance(instanceOptions)]);
    return {
      a,
      b,
      async stop() {
        await Promise.all([a.stop(), b.stop()]);
        await ddb.stop();
      },
    };
  } catch (err) {
    await ddb.stop();
    throw err;
  }
}

export async function startInstance(options: InstanceOptions): Promise<Instance> {
  const child: ChildProcess = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'handler-instance.ts')], {
    env: {
      ...process.env,
      DDB_ENDPOINT: options.ddbEndpoint,
      SESSION_TABLE: options.sessionTable,
      REGISTRY_TABLE: options.registryTable,
      POLL_INTERVAL_MS: String(options.pollIntervalMs ?? 100),
      INVOCATION_TIMEOUT_MS: String(options.invocationTimeoutMs ?? 600_000),
      STREAM_MODE: options.streamMode ?? '',
      STREAM_RETRY_MS: options.streamRetryMs === undefined ? '' : String(options.streamRetryMs),
      MAX_STREAM_MS: options.maxStreamMs === undefined ? '' : String(options.maxStreamMs),
      POLL_OLDER_REVISIONS: options.pollOlderRevisions ? 'true' : '',
      HANG_UPS: options.hangUps ?? 'signalled',
      REGISTRY_CACHE_SECONDS: options.registryCacheSeconds === undefined ? '' : String(options.registryCacheSeconds),
      LAMBDA_ENDPOINT: options.lambdaEndpoint ?? '',
      TS_NODE_PROJECT: join(__dirname, '..', 'tsconfig.json'),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`instance exited with ${code} before it was ready`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/mcp`,
    base,
    async sns(event) {
      const res = await fetch(`${base}/control/sns`, { method: 'POST', body: JSON.stringify(event) });
      return res.json() as Promise<{ ok: boolean }>;
    },
    async register(item) {
      const res = await fetch(`${base}/control/register`, { method: 'POST', body: JSON.stringify(item) });
      if (!res.ok) throw new Error(`register failed: ${res.status}`);
    },
    async stats() {
      const res = await fetch(`${base}/control/stats`);
      return res.json() as Promise<InstanceStats>;
    },
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** A Lambda SNS event of one record, as SNS delivers it. */
export function snsEvent(message: string, attributes: Record<string, string> = {}, messageId: string = randomUUID()): unknown {
  return {
    Records: [{
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:events:sub',
      Sns: {
        Type: 'Notification',
        MessageId: messageId,
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:events',
        Subject: null,
        Message: message,
        Timestamp: new Date().toISOString(),
        MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { Type: 'String', Value: v }])),
      },
    }],
  };
}
