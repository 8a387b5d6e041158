/**
 * Starts handler-child.ts, bundled by esbuild as scripts/bundle.mjs bundles the deployed
 * handler, in a child process; close() ends it (SIGKILL if it does not exit, e.g. when
 * a regression froze its event loop).
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { RegistryItem } from '../../lambda-src/registry/registry-item';

export interface ChildHandler {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: string;
  close(): Promise<void>;
}

let bundled: Promise<string> | undefined;

function bundle(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(tmpdir(), `mcp-security-handler-${process.pid}.js`);
    await build({
      entryPoints: [join(__dirname, 'handler-child.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      mainFields: ['module', 'main'],
      outfile,
      logLevel: 'warning',
    });
    return outfile;
  })();
  return bundled;
}

export async function startChildHandler(items: readonly RegistryItem[]): Promise<ChildHandler> {
  const child = spawn(process.execPath, [await bundle()], {
    env: { ...process.env, SECURITY_ITEMS: JSON.stringify(items) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('{"url"')) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`the handler process exited with ${code} before it listened`)));
  });
  return {
    url,
    async close() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
