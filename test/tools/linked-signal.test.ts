import { linkSignals } from '../../lambda-src/tools/linked-signal';

test('aborts with the reason of whichever source aborts first, as AbortSignal.any does', () => {
  const client = new AbortController();
  const invocation = new AbortController();
  const linked = linkSignals([client.signal, invocation.signal]);
  expect(linked.signal?.aborted).toBe(false);
  invocation.abort(new Error('deadline'));
  expect(linked.signal?.aborted).toBe(true);
  expect((linked.signal?.reason as Error).message).toBe('deadline');
  client.abort(new Error('cancelled'));
  expect((linked.signal?.reason as Error).message).toBe('deadline');
});

test('a source aborted already: the signal is aborted at once, with its reason', () => {
  const aborted = AbortSignal.abort('gone');
  const linked = linkSignals([new AbortController().signal, aborted]);
  expect(linked.signal?.aborted).toBe(true);
  expect(linked.signal?.reason).toBe('gone');
});

test('after dispose the sources no longer reach the signal', () => {
  const client = new AbortController();
  const invocation = new AbortController();
  const linked = linkSignals([client.signal, invocation.signal]);
  linked.dispose();
  linked.dispose();
  client.abort();
  expect(linked.signal?.aborted).toBe(false);
});

test('one source or none: that source itself, or no signal', () => {
  const only = new AbortController().signal;
  expect(linkSignals([undefined, only]).signal).toBe(only);
  expect(linkSignals([undefined, undefined]).signal).toBeUndefined();
});
