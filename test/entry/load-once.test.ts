import { loadOnce } from '../../lambda-src/model/load-once';

test('concurrent first calls share one load, and a success is kept', async () => {
  let loads = 0;
  const load = loadOnce(async () => {
    loads += 1;
    await new Promise((r) => setImmediate(r));
    return { n: loads };
  });
  const [a, b] = await Promise.all([load(), load()]);
  expect(a).toBe(b);
  expect(await load()).toBe(a);
  expect(loads).toBe(1);
});

test('a failed load is not kept: the next call tries again', async () => {
  let loads = 0;
  const load = loadOnce(async () => {
    loads += 1;
    if (loads === 1) throw new Error('chunk missing');
    return 'loaded';
  });
  await expect(load()).rejects.toThrow('chunk missing');
  await expect(load()).resolves.toBe('loaded');
  expect(loads).toBe(2);
});
