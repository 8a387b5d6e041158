/**
 * One "execution environment" of the handler, in its own process, for the events
 * tests and the benchmark: the real Lambda handler (entry/index.ts `createHandler`)
 * behind node:http on 127.0.0.1, on a shared DynamoDB Local, exactly as the dev
 * server runs it. Run with `node -r ts-node/register/transpile-only`.
 *
 * Besides `/mcp`, a control channel plays the parts AWS plays in a deployment:
 *
 * - `POST /control/sns`: the body is a Lambda SNS event; the handler is invoked with
 *   it, as SNS invokes ONE environment per message, and the answer is its output;
 * - `POST /control/register`: the body is a registry item, written to the registry
 *   table, as the admin API does (on no particular environment).
 *
 * - `GET /control/stats`: what a Lambda bill would count: HTTP invocations, those still
 *   running, the invocation-milliseconds they held (each invocation from its start to
 *   the handler's end, which on Lambda is what is billed; `heldNowMs` adds the running
 *   ones so far), DynamoDB read and write requests, and of the reads the GetItems of
 *   cancellation markers (running calls make them, two each interval).
 *
 * Environment: DDB_ENDPOINT, SESSION_TABLE, REGISTRY_TABLE, POLL_INTERVAL_MS,
 * INVOCATION_TIMEOUT_MS, STREAM_MODE (off | poll | live), STREAM_RETRY_MS,
 * MAX_STREAM_MS, HANG_UPS (`hidden`: as on Lambda, a client's hang-up is not
 * signalled to the handler; default `signalled`), REGISTRY_CACHE_SECONDS (default 1),
 * LAMBDA_ENDPOINT (a local Lambda Invoke endpoint the tools' `lambdaArn`s are invoked
 * at, with the real AWS SDK client). Prints `READY <port>` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CollectingSink, createInvocationContext, invokeStreamingHandler, serverResponseSink } from '../../lambda-src/entry/awslambda-shim';
import { createHandler } from '../../lambda-src/entry/index';
import type { EventConfig } from '../../lambda-src/events/event-config';
import { buildFunctionUrlEvent } from '../../lambda-src/local/function-url-event-builder';
import type { HandlerConfig } from '../../lambda-src/model/config';
import type { RegistryItem } from '../../lambda-src/model/registry-item';
import { CANCEL_SK_PREFIX } from '../../lambda-src/store/cancellation-store';
import { sharedDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbRegistryStore } from '../../lambda-src/store/dynamodb-registry-store';
import { EVENTS_BROADCAST_PK } from '../../lambda-src/store/table-schema';
import { LambdaInvoker } from '../../lambda-src/tools/lambda-invoker';
import { RoutingInvoker } from '../../lambda-src/tools/routing-invoker';

const env = process.env;
const endpoint = env.DDB_ENDPOINT!;
const config: HandlerConfig = {
  sessionTable: env.SESSION_TABLE!,
  registryTable: env.REGISTRY_TABLE!,
  serverName: 'events-test',
  serverVersion: '0.0.0',
  sessionTtlSeconds: 3600,
  registryCacheSeconds: Number(env.REGISTRY_CACHE_SECONDS || 1),
  authMode: 'none',
  allowedOrigins: [],
  maxBodyBytes: 4 * 1024 * 1024,
  toolTimeoutSeconds: 10,
  dynamoDbEndpoint: endpoint,
};
// The runtime takes the same shared client (same options), so this counts its reads.
const client = sharedDocumentClient({ endpoint });
const stats = { invocations: 0, open: 0, heldMs: 0, reads: 0, writes: 0, broadcastReads: 0, cancelReads: 0 };
/** Start times of the invocations still running, for the time they have held so far. */
const running = new Set<{ started: number }>();
const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand']);
client.middlewareStack.add((next, context) => (args) => {
  if (READS.has(context.commandName ?? '')) stats.reads++;
  // Reads of the broadcast (the scale concern of poll mode): Queries of its counters
  // (`EVENTS#broadcast`) and of its shards (`EVENTS#broadcast#<shard>`).
  const pk = (args.input as { ExpressionAttributeValues?: Record<string, unknown> }).ExpressionAttributeValues?.[':pk'];
  const pkText = typeof pk === 'string' ? pk : (pk as { S?: string } | undefined)?.S;
  if (context.commandName === 'QueryCommand' && (pkText === EVENTS_BROADCAST_PK || pkText?.startsWith(`${EVENTS_BROADCAST_PK}#`))) {
    stats.broadcastReads++;
  }
  // GetItems of cancellation markers (`CANCEL#...` sort keys), by running calls.
  const sk = (args.input as { Key?: { sk?: unknown } }).Key?.sk;
  const skText = typeof sk === 'string' ? sk : (sk as { S?: string } | undefined)?.S;
  if (context.commandName === 'GetItemCommand' && skText?.startsWith(CANCEL_SK_PREFIX)) stats.cancelReads++;
  if (WRITES.has(context.commandName ?? '')) stats.writes++;
  return next(args);
}, { step: 'initialize', name: 'countRequests' });
const registryStore = new DynamoDbRegistryStore({ client, tableName: config.registryTable });
const handler = createHandler({
  config,
  registryStore,
  eventConfig: {
    pollIntervalMs: Number(env.POLL_INTERVAL_MS ?? 100),
    eventTtlSeconds: 3600,
    ...(env.STREAM_MODE ? { streamMode: env.STREAM_MODE as EventConfig['streamMode'] } : {}),
    ...(env.STREAM_RETRY_MS ? { streamRetryMs: Number(env.STREAM_RETRY_MS) } : {}),
    ...(env.MAX_STREAM_MS ? { maxStreamMs: Number(env.MAX_STREAM_MS) } : {}),
    ...(env.POLL_OLDER_REVISIONS === 'true' ? { pollOlderRevisions: true } : {}),
  },
  log: () => undefined,
  ...(env.LAMBDA_ENDPOINT
    ? {
      invoker: new RoutingInvoker({
        lambda: new LambdaInvoker({
          clientConfig: { region: 'us-east-1', endpoint: env.LAMBDA_ENDPOINT, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' }, maxAttempts: 1 },
        }),
      }),
    }
    : {}),
});
const timeoutMs = Number(env.INVOCATION_TIMEOUT_MS ?? 600_000);
const hangUps = env.HANG_UPS === 'hidden' ? 'hidden' as const : 'signalled' as const;

const server = createServer((req, res) => {
  void (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (req.url === '/control/sns') {
      const sink = new CollectingSink();
      await invokeStreamingHandler(handler, JSON.parse(body.toString()), sink, createInvocationContext({ timeoutMs: 30_000 }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.concat(sink.chunks));
      return;
    }
    if (req.url === '/control/register') {
      const stored = await registryStore.put(JSON.parse(body.toString()) as RegistryItem);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stored));
      return;
    }
    if (req.url === '/control/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const now = Date.now();
      let heldNowMs = stats.heldMs;
      for (const { started } of running) heldNowMs += now - started;
      res.end(JSON.stringify({ ...stats, heldNowMs }));
      return;
    }
    const event = buildFunctionUrlEvent(req, body, req.headers.host ?? '127.0.0.1');
    const invocation = { started: Date.now() };
    running.add(invocation);
    stats.invocations++;
    stats.open++;
    try {
      await invokeStreamingHandler(handler, event, serverResponseSink(res, { hangUps }), createInvocationContext({ timeoutMs }));
    } finally {
      running.delete(invocation);
      stats.open--;
      stats.heldMs += Date.now() - invocation.started;
    }
  })().catch((err) => {
    process.stderr.write(`instance: ${(err as Error).stack}\n`);
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
});
server.requestTimeout = 0;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
});
// The parent's pipe closing means the test is over.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
