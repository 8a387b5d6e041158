import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryItem } from '../../lambda-src/model/registry-item';
import { loadRegistryFile, readRegistryFile, RegistryFileError } from '../../lambda-src/registry/registry-file';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'registry-file-'));
  mkdirSync(join(dir, 'nested'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, items: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof items === 'string' ? items : JSON.stringify(items));
  return path;
};
const tool = (name: string, extra: object = { lambdaArn: name }) => ({ type: 'tool', name, inputSchema: { type: 'object' }, ...extra }) as RegistryItem;

test('handlers resolve against the file\'s folder, wherever the process runs', async () => {
  const file = write('nested/registry.json', [tool('echo', { handler: './tools/echo.js#handler' }), tool('remote'), tool('x', { handler: './h.js', baseDir: '../lib' })]);
  const items = await readRegistryFile(file);
  expect(items[0]).toMatchObject({ handler: './tools/echo.js#handler', baseDir: join(dir, 'nested') });
  expect(items[1]).not.toHaveProperty('baseDir');
  expect(items[2]).toMatchObject({ baseDir: join(dir, 'lib') });
});

test('every problem of the file is reported at once, with item positions', async () => {
  const file = write('registry.json', [tool('ok'), tool('bad name', { lambdaArn: 'fn' }), { type: 'resource', uri: 'nope', name: 'r', text: 'x' }]);
  const error = await readRegistryFile(file).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RegistryFileError);
  expect((error as RegistryFileError).problems).toEqual([
    expect.stringContaining(`${file} item 2 (tool 'bad name')`),
    expect.stringContaining(`${file} item 3 (resource 'nope')`),
  ]);
  expect((error as Error).message).toContain('has 2 problems');
});

test('a file that is not JSON, or missing, says so', async () => {
  await expect(readRegistryFile(write('broken.json', '[{'))).rejects.toThrow(/is not valid JSON/);
  await expect(readRegistryFile(join(dir, 'absent.json'))).rejects.toThrow(/cannot read registry file/);
  await expect(readRegistryFile(write('object.json', { type: 'tool' }))).rejects.toThrow(/must be a JSON array/);
});

test('the store ends up holding exactly the file\'s items, in its order; edits leave nothing stale', async () => {
  const store = new MemoryRegistryStore();
  await store.put(tool('left-over'));
  const file = write('registry.json', [tool('a'), tool('b'), { type: 'prompt', name: 'p', messages: [{ role: 'user', content: { type: 'text', text: 'x' } }] }]);
  const first = await loadRegistryFile(file, store);
  expect(first.removed).toBe(1);
  expect((await store.list()).map((i) => `${i.type}:${'name' in i ? i.name : ''}`)).toEqual(['tool:a', 'tool:b', 'prompt:p']);

  write('registry.json', [tool('b', { lambdaArn: 'b2' }), tool('c'), tool('a')]);
  const second = await loadRegistryFile(file, store);
  expect(second.removed).toBe(1);
  const listed = await store.list();
  expect(listed.map((i) => ('name' in i ? i.name : ''))).toEqual(['b', 'c', 'a']);
  expect(listed[0]).toMatchObject({ lambdaArn: 'b2' });
});

test('not exclusive: only what the file itself declared before is removed', async () => {
  const store = new MemoryRegistryStore();
  await store.put(tool('registered-elsewhere'));
  const file = write('registry.json', [tool('a'), tool('b')]);
  const first = await loadRegistryFile(file, store, { exclusive: false });
  write('registry.json', [tool('a')]);
  const second = await loadRegistryFile(file, store, { exclusive: false, previousKeys: first.keys });
  expect(second.removed).toBe(1);
  expect((await store.list()).map((i) => ('name' in i ? i.name : ''))).toEqual(['registered-elsewhere', 'a']);
});
