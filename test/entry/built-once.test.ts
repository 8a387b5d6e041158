import { builtOnce } from '../../lambda-src/entry/built-once';

test('the first call builds, later calls get the same value without building again', () => {
  let builds = 0;
  const get = builtOnce(() => ({ n: ++builds }));
  const first = get();
  expect(get()).toBe(first);
  expect(get()).toBe(first);
  expect(builds).toBe(1);
});

test('a failed build is kept: every later call throws the same error without building again', () => {
  let builds = 0;
  const get = builtOnce((): never => {
    builds++;
    throw new Error('environment variables MCP_SESSION_TABLE and MCP_REGISTRY_TABLE are required');
  });
  const thrown = (): unknown => {
    try {
      get();
    } catch (err) {
      return err;
    }
    return undefined;
  };
  const first = thrown();
  expect(first).toBeInstanceOf(Error);
  expect(thrown()).toBe(first);
  expect(builds).toBe(1);
});

test('a thrown non-Error becomes an Error with its text', () => {
  const get = builtOnce(() => {
    // eslint-disable-next-line no-throw-literal
    throw 'no config';
  });
  expect(get).toThrow(new Error('no config'));
});
