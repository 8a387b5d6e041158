/**
 * The deployed handler asset (assets/handler/index.mjs, built by `npx projen bundle:handler`)
 * served over HTTP by test/tools/fixtures/bundled-handler-harness.ts, each in a process of
 * its own: one process is one execution environment. `buildHarness` bundles the harness
 * once per test file; `startBundledHandler` starts one process of it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import type { HarnessOptions } from '../tools/fixtures/bundled-handler-harness';

export const HANDLER_ASSET = join(__dirname, '..', '..', 'assets', 'handler', 'index.mjs');

/** Bundles the harness into a temporary folder; `dispose` removes it. */
export async function buildHarness(): Promise<{ file: string; dispose(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'bundled-harness-'));
  const file = join(dir, 'harness.mjs');
  await build({
    entryPoints: [join(__dirname, '..', 'tools', 'fixtures', 'bundled-handler-harness.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  });
  return { file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface BundledHandler {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: URL;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** What the process wrote to stderr (the harness writes only failures there). */
  readonly errors: string[];
  stop(): Promise<void>;
}

/**
 * Starts one harness process serving `items`. `env` is its whole environment besides
 * PATH (the AWS SDK settings that point the asset's clients at local endpoints).
 */
export async function startBundledHandler(
  harnessFile: string, items: unknown[], env: Record<string, string>, options: HarnessOptions = {},
): Promise<BundledHandler> {
  const child: ChildProcess = spawn(process.execPath, [harnessFile, HANDLER_ASSET, JSON.stringify(items), JSON.stringify(options)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => errors.push(line));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the harness exited with ${code}: ${errors.join('\n')}`)));
  });
  const url = new URL(JSON.parse(first).url);
  return {
    url,
    base: url.origin,
    errors,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
