/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, `--suite all`)
 * against the local server, as `npm run conformance` runs it, so CI runs it with the
 * other tests. conformance/run.mjs starts the server with DynamoDB Local, runs the
 * suite under Node 22+ and fails on any scenario not listed in expected-failures.json
 * (which is empty: every server scenario must pass).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

test('every server scenario of the official conformance suite passes', () => {
  // `npm test` bundles the handler first; --no-build keeps this test from rewriting assets/.
  const run = spawnSync(process.execPath, [join(root, 'conformance', 'run.mjs'), '--no-build'], {
    cwd: root, encoding: 'utf8', timeout: 240_000,
  });
  const resultsDir = /results in (\S+)/.exec(run.stdout)?.[1];
  expect({ status: run.status, stderr: run.stderr.slice(-2000), hasResults: Boolean(resultsDir) })
    .toEqual({ status: 0, stderr: expect.any(String), hasResults: true });
  const summary = JSON.parse(readFileSync(join(root, resultsDir!, 'summary.json'), 'utf8')) as {
    rows: Array<{ name: string; verdict: string; failures: string[] }>;
    unexpected: string[];
  };
  const notPassing = summary.rows.filter((r) => r.verdict !== 'pass').map((r) => `${r.name}: ${r.verdict} ${r.failures.join('; ')}`);
  expect(notPassing).toEqual([]);
  // The suite's server scenarios (0.1.16): a run that silently skipped some would show here.
  expect(summary.rows.length).toBeGreaterThanOrEqual(32);
}, 300_000);
