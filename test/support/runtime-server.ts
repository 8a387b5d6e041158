/**
 * The runtime the deployed handler builds (createRuntime), over an in-memory registry
 * holding `items`, served over real HTTP on 127.0.0.1.
 */
import { createRuntime, type RuntimeOverrides } from '../../lambda-src/entry/index';
import type { RegistryItem } from '../../lambda-src/model/registry-item';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { startWebRequestServer, type WebRequestServer } from '../protocol/web-request-server';

export async function startRuntimeServer(
  items: readonly RegistryItem[],
  overrides: Omit<RuntimeOverrides, 'registryStore' | 'registry'>,
): Promise<WebRequestServer> {
  const registryStore = new MemoryRegistryStore();
  for (const item of items) await registryStore.put(item);
  const runtime = createRuntime({ ...overrides, registryStore, registry: new RegistrySource(registryStore) });
  return startWebRequestServer((request, ctx) => runtime.app.handle(request, ctx));
}
