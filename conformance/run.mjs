#!/usr/bin/env node
// Runs the official MCP conformance suite (@modelcontextprotocol/conformance, server
// scenarios, `--suite all`) against the local dev server, which serves the real Lambda
// handler with conformance/registry.json (the fixtures the suite's scenarios call).
//
//   node conformance/run.mjs [--build | --no-build]
//
// Exits non-zero when a scenario fails that conformance/expected-failures.json does not
// list, or when a listed scenario now passes (so the file stays honest), or when the
// suite could not run. The suite needs Node 22+ (on 20 it dies with a `globSync`
// SyntaxError): it runs under node_modules/.bin/node (the `node@22` devDependency).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const node22 = join(root, 'node_modules', '.bin', 'node');
const suiteBin = join(root, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const cli = join(root, 'bin', 'mcp-lambda-server.js');
const registry = join(root, 'conformance', 'registry.json');
const expectedFile = join(root, 'conformance', 'expected-failures.json');
const resultsDir = join(root, 'conformance-results', new Date().toISOString().replace(/[:.]/g, '-'));

function fail(message) {
  console.error(`conformance: ${message}`);
  process.exit(2);
}

if (!existsSync(node22)) fail('node_modules/.bin/node (Node 22) is missing: run npm install (the node@22 devDependency)');
if (!existsSync(suiteBin)) fail('@modelcontextprotocol/conformance is not installed');

// The CLI bundle is what users run: (re)build it when it is missing or older than any
// runtime source (`npm run conformance` has just built it; a direct run may not have).
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}
const bundled = join(root, 'assets', 'cli', 'index.js');
const bundleIsStale = !existsSync(bundled) || statSync(bundled).mtimeMs < newestSource(join(root, 'lambda-src'));
if (args.has('--build') || (bundleIsStale && !args.has('--no-build'))) {
  const build = spawnSync(node22, [join(root, 'scripts', 'bundle.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) fail('node scripts/bundle.mjs failed');
}

const expected = JSON.parse(readFileSync(expectedFile, 'utf8')).server ?? {};
const started = Date.now();

// 1. The local server on a free port.
const server = spawn(node22, [cli, 'dev', '--port', '0', '--quiet', '--registry', registry], {
  cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
});
let serverOutput = '';
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`the local server did not start within 120 s:\n${serverOutput}`)), 120_000);
  const onData = (chunk) => {
    serverOutput += chunk.toString();
    const m = /endpoint\s+(http:\/\/\S+\/mcp)/.exec(serverOutput);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.once('exit', (code) => {
    clearTimeout(timer);
    reject(new Error(`the local server exited (${code}) during start-up:\n${serverOutput}`));
  });
}).catch((err) => fail(err.message));
server.removeAllListeners('exit');
const serverReady = Date.now();

async function stopServer() {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  const killer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

// 2. The suite.
mkdirSync(resultsDir, { recursive: true });
let suiteLog = '';
const suiteCode = await new Promise((resolve) => {
  const suite = spawn(node22, [suiteBin, 'server', '--url', url, '--suite', 'all', '-o', resultsDir], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
  });
  suite.stdout.on('data', (c) => { suiteLog += c.toString(); });
  suite.stderr.on('data', (c) => { suiteLog += c.toString(); });
  suite.once('exit', (code) => resolve(code));
});
writeFileSync(join(resultsDir, 'suite.log'), suiteLog);
await stopServer();
const finished = Date.now();

// 3. Results: one folder per scenario, `server-<scenario>-<timestamp>/checks.json`.
const listed = [...suiteLog.matchAll(/=== Running scenario: (\S+) ===/g)].map((m) => m[1]);
const results = new Map();
for (const dir of readdirSync(resultsDir, { withFileTypes: true })) {
  if (!dir.isDirectory()) continue;
  const m = /^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/.exec(dir.name);
  if (!m) continue;
  const file = join(resultsDir, dir.name, 'checks.json');
  const checks = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : [];
  const failures = checks.filter((c) => c.status === 'FAILURE');
  results.set(m[1], {
    passed: checks.filter((c) => c.status === 'SUCCESS').length,
    warnings: checks.filter((c) => c.status === 'WARNING').map((c) => `${c.name}: ${c.errorMessage ?? ''}`.trim()),
    failures: failures.map((c) => `${c.id}: ${c.errorMessage ?? c.description ?? 'failed'}`),
  });
}
if (listed.length === 0 && results.size === 0) {
  fail(`the suite produced no results (exit ${suiteCode}); see ${relative(root, join(resultsDir, 'suite.log'))}`);
}

const scenarios = [...new Set([...listed, ...results.keys()])];
const rows = [];
const unexpected = [];
const stale = [];
for (const name of scenarios) {
  const r = results.get(name) ?? { passed: 0, warnings: [], failures: ['no results: the scenario did not run to completion'] };
  const failed = r.failures.length > 0;
  const isExpected = Object.hasOwn(expected, name);
  let verdict;
  if (failed && isExpected) verdict = 'expected failure';
  else if (failed) { verdict = 'FAIL'; unexpected.push(name); }
  else if (isExpected) { verdict = 'PASSES (remove from expected-failures.json)'; stale.push(name); }
  else verdict = 'pass';
  rows.push({ name, verdict, ...r });
}

// 4. Summary.
const width = Math.max(...rows.map((r) => r.name.length));
console.log(`\nMCP conformance (suite all) against ${url}`);
for (const r of rows) {
  const mark = r.verdict === 'pass' ? '✓' : r.verdict === 'expected failure' ? '~' : '✗';
  console.log(`  ${mark} ${r.name.padEnd(width)}  ${r.verdict}${r.warnings.length ? ` (${r.warnings.length} warning${r.warnings.length > 1 ? 's' : ''})` : ''}`);
  if (r.verdict !== 'pass') for (const f of r.failures) console.log(`      ${f}`);
  if (r.verdict === 'expected failure') console.log(`      why expected: ${expected[r.name]}`);
}
const count = (v) => rows.filter((r) => r.verdict === v).length;
console.log(`\n  ${count('pass')} passed, ${count('expected failure')} expected failures, ${unexpected.length} unexpected failures, ${stale.length} stale expectations`);
console.log(`  server start ${((serverReady - started) / 1000).toFixed(1)} s, suite ${((finished - serverReady) / 1000).toFixed(1)} s; results in ${relative(root, resultsDir)}`);
writeFileSync(join(resultsDir, 'summary.json'), JSON.stringify({ url, rows, unexpected, stale }, null, 2) + '\n');

if (unexpected.length > 0 || stale.length > 0) process.exit(1);
