// Runs in its own process for one target. Modes:
//   first <target>                 load the bundle, answer one tools/call, print timings
//   warm <target> <n> <n-awslabs>  sequential latency and 2-caller throughput per request kind
const { writeFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');
const { KINDS, initialize, initialized } = require('./requests.cjs');
const { load, messages } = require('./adapters.cjs');

function expectOk(kind, id, res) {
  if (res.status !== 200) throw new Error(`${kind}: HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  const reply = messages(res.text).find((m) => m.id === id);
  if (!reply || reply.error) throw new Error(`${kind}: no result for id ${id}: ${res.text.slice(0, 300)}`);
  // Check the answer, not only the status: add(id, 2).
  if (kind.endsWith('tools/call') && reply.result.content[0].text !== String(id + 2)) {
    throw new Error(`${kind}: wrong result ${JSON.stringify(reply.result)}`);
  }
  if (kind.endsWith('tools/list') && reply.result.tools.length !== 3) throw new Error(`${kind}: expected 3 tools`);
}

async function openSession(adapter) {
  const res = await adapter.call(initialize(0));
  const sid = res.headers.get('mcp-session-id') || undefined;
  if (res.status !== 200) throw new Error(`initialize: HTTP ${res.status}`);
  if (sid) await adapter.call(initialized(sid));
  return sid;
}

// SDK v1 and AWS Labs speak only 2025-era MCP: their modern columns stay empty.
const LEGACY_ONLY = new Set(['sdk-v1', 'awslabs']);

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * The result goes to a file, not stdout: our handler writes its log and metric lines
 * to stdout, as it does in Lambda, and those must neither mix with the result nor
 * fill a pipe (the runner discards stdout, so the writes still cost what they cost).
 */
function report(result) {
  writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(result) + '\n');
}

async function main() {
  const [mode, target, nArg, nSlowArg] = process.argv.slice(2);
  if (mode === 'first') {
    const t0 = performance.now();
    const adapter = load(target);
    const t1 = performance.now();
    // The first request a cold environment answers: a 2026-07-28 tools/call where the
    // target speaks it, otherwise a 2025-11-25 one (no session: the stateless idiom).
    const res = await adapter.call(LEGACY_ONLY.has(target) ? KINDS['session tools/call'](1) : KINDS['modern tools/call'](1));
    expectOk('first tools/call', 1, res);
    const t2 = performance.now();
    report({ loadMs: t1 - t0, firstResponseMs: t2 - t0 });
    return;
  }
  const n = target === 'awslabs' ? Number(nSlowArg) : Number(nArg);
  const adapter = load(target);
  const out = { target, n, kinds: {} };
  for (const [kind, make] of Object.entries(KINDS)) {
    if (LEGACY_ONLY.has(target) && kind.startsWith('modern')) continue;
    const sid = kind.startsWith('session') ? await openSession(adapter) : undefined;
    // Warm-up, not measured (BENCH_WARMUP, default 200: short of V8's steady state,
    // which favours the target that runs less code per request, the baseline).
    const warmup = Number(process.env.BENCH_WARMUP ?? 200);
    for (let i = 0; i < Math.min(warmup, n); i++) expectOk(kind, 1_000_000 + i, await adapter.call(make(1_000_000 + i, sid)));
    if (adapter.resetStats) adapter.resetStats();
    const times = [];
    for (let i = 0; i < n; i++) {
      const id = 10_000 + i;
      const t0 = performance.now();
      const res = await adapter.call(make(id, sid));
      times.push(performance.now() - t0);
      expectOk(kind, id, res);
    }
    times.sort((a, b) => a - b);
    const store = adapter.stats ? await adapter.stats() : undefined;
    // Two concurrent callers, n calls in all.
    let next = 0;
    const t0 = performance.now();
    await Promise.all([0, 1].map(async () => {
      while (next < n) {
        const id = 100_000 + next++;
        expectOk(kind, id, await adapter.call(make(id, sid)));
      }
    }));
    const secs = (performance.now() - t0) / 1000;
    out.kinds[kind] = { medianMs: quantile(times, 0.5), p99Ms: quantile(times, 0.99), callsPerSec: n / secs, ...(store ? { store } : {}) };
  }
  if (adapter.close) await adapter.close();
  out.rssMiB = process.memoryUsage().rss / 1024 / 1024;
  report(out);
}

main().then(() => process.exit(0), (e) => { console.error(e && e.stack || e); process.exit(1); });
