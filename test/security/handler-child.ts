/**
 * The real handler (handler-server.ts: Function URL events through the awslambda shim)
 * in a child process of its own, over in-memory stores, with the registry items given
 * in SECURITY_ITEMS (JSON) and a tool invoker that answers every call with its
 * arguments. For attacks that would block an event loop: the test process stays free to
 * time out and kill the child instead of freezing with it.
 *
 * Prints `{"url": ...}` once it listens; exits when its parent closes stdin (or dies).
 */
import type { RegistryItem } from '../../lambda-src/model/registry-item';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { testConfig } from '../protocol/endpoint-fixture';
import { RecordingInvoker } from '../reliability/handler-harness';
import { startHandlerServer } from '../reliability/handler-server';

async function main(): Promise<void> {
  const registryStore = new MemoryRegistryStore();
  for (const item of JSON.parse(process.env.SECURITY_ITEMS ?? '[]') as RegistryItem[]) await registryStore.put(item);
  const server = await startHandlerServer({
    config: testConfig({ maxBodyBytes: 1024 * 1024 }),
    sessions: new MemorySessionStore(),
    registryStore,
    invoker: new RecordingInvoker(),
    log: () => undefined,
  });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void server.close().finally(() => process.exit(0));
  });
}

main().catch((err) => {
  process.stderr.write(`security handler process failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
