/**
 * Starts handler-child.ts in a child process of its own (test/support/handler-child-process.ts);
 * close() ends it (SIGKILL if it does not exit, e.g. when a regression froze its event loop).
 */
import { join } from 'node:path';
import type { RegistryItem } from '../../lambda-src/model/registry-item';
import { startHandlerChild } from '../support/handler-child-process';

export interface ChildHandler {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startChildHandler(items: readonly RegistryItem[]): Promise<ChildHandler> {
  const child = await startHandlerChild({
    entry: join(__dirname, 'handler-child.ts'),
    env: { SECURITY_ITEMS: JSON.stringify(items) },
    killAfterMs: 2000,
  });
  return { url: child.url, close: () => child.close() };
}
