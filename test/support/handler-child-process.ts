/**
 * A handler entry file bundled by esbuild, as scripts/bundle.mjs bundles the deployed
 * handler, and run in a child process of its own: the child runs plain JavaScript, with
 * no TypeScript hooks in its hot path, and a regression that freezes its event loop
 * cannot freeze the test. The child prints `{"url": ...}` on stdout once it listens and
 * ends when its stdin closes.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

export interface HandlerChild {
  /** What the child printed as its `url`. */
  readonly url: string;
  readonly pid: number | undefined;
  /** Closes the child's stdin and waits for it to exit; SIGKILL when it does not in time. */
  close(): Promise<void>;
}

export interface HandlerChildOptions {
  /** The TypeScript entry file the child runs. */
  readonly entry: string;
  /** Added to this process's environment for the child. */
  readonly env: Record<string, string>;
  /** How long close() waits for the child to exit before it kills it. */
  readonly killAfterMs: number;
  /** Every other line the child prints on stdout. */
  readonly onLine?: (line: string) => void;
}

const bundles = new Map<string, Promise<string>>();

/** The entry bundled once per test process. */
function bundle(entry: string): Promise<string> {
  let bundled = bundles.get(entry);
  if (!bundled) {
    bundled = (async () => {
      const outfile = join(tmpdir(), `mcp-${basename(entry, '.ts')}-${process.pid}.js`);
      await build({
        entryPoints: [entry],
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
    bundles.set(entry, bundled);
  }
  return bundled;
}

export async function startHandlerChild(options: HandlerChildOptions): Promise<HandlerChild> {
  const child = spawn(process.execPath, [await bundle(options.entry)], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('{"url"')) resolve((JSON.parse(line) as { url: string }).url);
        else options.onLine?.(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`the handler process exited with ${code} before it listened`)));
  });
  return {
    url,
    pid: child.pid,
    async close() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
