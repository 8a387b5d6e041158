/**
 * A load-test handler instance in a process of its own (load-instance.ts starts it):
 * reads its settings from RELIABILITY_INSTANCE, prints `{"url": ...}` once it listens,
 * and exits when its parent closes stdin (or dies).
 */
import { type LoadInstanceSettings, startLoadInstance } from './load-instance';

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.RELIABILITY_INSTANCE ?? '{}') as LoadInstanceSettings;
  const instance = await startLoadInstance(settings);
  // The protocol layer logs to stdout; the parent keeps the error lines (load-instance.ts).
  process.stdout.write(`${JSON.stringify({ url: instance.url, pid: process.pid })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void instance.close().finally(() => process.exit(0));
  });
}

main().catch((err) => {
  process.stderr.write(`handler process failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
