/**
 * The feature set the server builder and the endpoint read (protocol/server-features.ts):
 * what each optional part of the deps turns on, resolved once per environment.
 */
import { builderDepsOf } from '../../lambda-src/protocol/builder-deps';
import type { ProtocolDeps } from '../../lambda-src/protocol/protocol-deps';
import { serverFeatures } from '../../lambda-src/protocol/server-features';

const none = { events: false, legacySubscriptions: false, streaming: true, toolLogs: true, tasks: false };

test('without optional parts: no events, no subscriptions, no tasks; streaming, tool logs relayed', () => {
  expect(serverFeatures({})).toEqual(none);
});

test.each([
  ['events without a store that keeps subscriptions', { events: {} }, { events: true }],
  ['events with one', { events: { subscriptions: {} } }, { events: true, legacySubscriptions: true }],
  ['buffered responses', { responseMode: 'buffered' as const }, { streaming: false }],
  ['streaming responses', { responseMode: 'streaming' as const }, {}],
  ['an invoker that relays no tool logs', { toolLogs: false }, { toolLogs: false }],
  ['a task service', { tasks: {} }, { tasks: true }],
])('%s', (_name, deps, changed) => {
  expect(serverFeatures(deps)).toEqual({ ...none, ...changed });
});

test('one environment resolves its builder deps and their features once', () => {
  const sessions = { addSubscription: async () => true, removeSubscription: async () => true };
  const deps = { config: {}, invoker: {}, sessions, events: {}, responseMode: 'buffered' } as unknown as ProtocolDeps;
  const first = builderDepsOf(deps);
  expect(builderDepsOf(deps)).toBe(first);
  expect(serverFeatures(first)).toBe(serverFeatures(builderDepsOf(deps)));
  expect(serverFeatures(first)).toEqual({ ...none, events: true, legacySubscriptions: true, streaming: false });
  // Another environment's deps are resolved on their own.
  expect(builderDepsOf({ ...deps })).not.toBe(first);
});
