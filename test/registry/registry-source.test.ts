import type { RegistryItem, StoredRegistryItem } from '../../lambda-src/model/registry-item';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';

/** The memory store, counting list() calls, able to fail them or hold them open. */
class ObservedStore extends MemoryRegistryStore {
  lists = 0;
  failing = false;
  gate?: Promise<void>;
  async list(): Promise<StoredRegistryItem[]> {
    this.lists++;
    if (this.gate) await this.gate;
    if (this.failing) throw new Error('registry table unavailable');
    return super.list();
  }
}

const tool = (name: string): RegistryItem => ({ type: 'tool', name, inputSchema: { type: 'object' }, lambdaArn: name });

let clock: number;
const now = () => clock;
let store: ObservedStore;

beforeEach(async () => {
  clock = 1_000_000;
  store = new ObservedStore();
  await store.put(tool('b'));
  await store.put({ type: 'prompt', name: 'p', messages: [{ role: 'user', content: { type: 'text', text: 'x' } }] });
  await store.put(tool('a'));
  await store.put({ type: 'resource', uri: 'app://r', name: 'r', text: 'r' });
  await store.put({ type: 'resourceTemplate', uriTemplate: 'app://{x}', name: 't', lambdaArn: 'f' });
});

test('splits items by type, in registration order', async () => {
  const snapshot = await new RegistrySource(store, { now }).snapshot();
  expect(snapshot.tools.map((t) => t.name)).toEqual(['b', 'a']);
  expect(snapshot.prompts.map((p) => p.name)).toEqual(['p']);
  expect(snapshot.resources.map((r) => r.uri)).toEqual(['app://r']);
  expect(snapshot.resourceTemplates.map((t) => t.name)).toEqual(['t']);
  expect(snapshot.loadedAt).toBe(clock);
});

test('reads the store at most once per ttl', async () => {
  const source = new RegistrySource(store, { ttlMs: 30_000, now });
  const first = await source.snapshot();
  clock += 29_999;
  expect(await source.snapshot()).toBe(first);
  expect(store.lists).toBe(1);

  await store.put(tool('c'));
  clock += 1;
  const second = await source.snapshot();
  expect(store.lists).toBe(2);
  expect(second.tools.map((t) => t.name)).toEqual(['b', 'a', 'c']);
});

test('concurrent callers share one read', async () => {
  let open!: () => void;
  store.gate = new Promise((resolve) => (open = resolve));
  const source = new RegistrySource(store, { now });
  const pending = [source.snapshot(), source.snapshot(), source.snapshot()];
  open();
  const [a, b, c] = await Promise.all(pending);
  expect(store.lists).toBe(1);
  expect(b).toBe(a);
  expect(c).toBe(a);
});

test('a failed read serves the previous snapshot while it is younger than 10x the ttl, then fails', async () => {
  const stale: unknown[] = [];
  const source = new RegistrySource(store, { ttlMs: 1_000, now, onStaleServe: (err) => stale.push(err) });
  const first = await source.snapshot();
  store.failing = true;
  clock += 9_999;
  expect(await source.snapshot()).toBe(first);
  expect(stale).toHaveLength(1);
  clock += 1;
  await expect(source.snapshot()).rejects.toThrow('registry table unavailable');
  store.failing = false;
  expect((await source.snapshot()).tools).toHaveLength(2);
});

test('a failed first read fails, and the next call reads again', async () => {
  store.failing = true;
  const source = new RegistrySource(store, { now });
  await expect(source.snapshot()).rejects.toThrow('registry table unavailable');
  store.failing = false;
  expect((await source.snapshot()).tools).toHaveLength(2);
  expect(store.lists).toBe(2);
});

test('invalidate() makes the next call read, and a read begun before it does not install its result', async () => {
  const source = new RegistrySource(store, { now });
  await source.snapshot();
  let open!: () => void;
  store.gate = new Promise((resolve) => (open = resolve));
  clock += 60_000;
  const old = source.snapshot();
  source.invalidate();
  store.gate = undefined;
  await store.put(tool('z'));
  const fresh = await source.snapshot();
  open();
  await old;
  expect(fresh.tools.map((t) => t.name)).toEqual(['b', 'a', 'z']);
  expect(await source.snapshot()).toBe(fresh);
});

describe('settled(): the state every environment serves by now', () => {
  test('is the newest read that returned at least ttl + 1 s ago, and nothing before there is one', async () => {
    const source = new RegistrySource(store, { ttlMs: 30_000, now });
    const first = await source.snapshot();
    expect(source.settled()).toBeUndefined();
    clock += 30_999;
    expect(source.settled()).toBeUndefined();
    clock += 1;
    expect(source.settled()).toBe(first);

    // A change, read here at once (the cache expired): not settled until another
    // environment that read just before it has read again.
    await store.put(tool('c'));
    const second = await source.snapshot();
    expect(second.tools.map((t) => t.name)).toEqual(['b', 'a', 'c']);
    expect(source.settled()).toBe(first);
    clock += 30_999;
    expect(source.settled()).toBe(first);
    clock += 1;
    expect(source.settled()).toBe(second);
    expect(store.lists).toBe(2);
  });

  test('counts a read from when it returned, not from when it began', async () => {
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve));
    const source = new RegistrySource(store, { ttlMs: 1000, now });
    const pending = source.snapshot();
    clock += 5000; // the read is slow: a write may have landed just before it returned
    open();
    const snapshot = await pending;
    expect(snapshot.loadedAt).toBe(clock - 5000);
    clock += 1999;
    expect(source.settled()).toBeUndefined();
    clock += 1;
    expect(source.settled()).toBe(snapshot);
  });

  test('a failed read is no new state, and settleAfterMs 0 (one environment) settles each read at once', async () => {
    const source = new RegistrySource(store, { ttlMs: 1000, now, settleAfterMs: 0 });
    const first = await source.snapshot();
    expect(source.settled()).toBe(first);
    store.failing = true;
    clock += 1000;
    expect(await source.snapshot()).toBe(first); // served stale
    expect(source.settled()).toBe(first);
    store.failing = false;
    await store.put(tool('c'));
    clock += 1000;
    const third = await source.snapshot();
    expect(third).not.toBe(first);
    expect(source.settled()).toBe(third);
  });
});
