/**
 * `SessionStore.applySessionState` and the `sessionState` a session is read with, run
 * against both stores (DynamoDB Local and memory) through the SessionStore interface:
 * the memory store used by unit tests must behave as the deployed one does.
 */
import type { SessionRecord } from '../../lambda-src/store/session-store';
import { dynamoDbBackend, memoryBackend, type SessionVariant, type StoreBackend } from '../store/store-variants';

const backends: StoreBackend[] = [dynamoDbBackend(), memoryBackend()];
afterAll(() => Promise.all(backends.map((b) => b.close())));

let n = 0;
function record(variant: SessionVariant, ttlSeconds = 3600): SessionRecord {
  return {
    id: `state-${++n}-${'s'.repeat(40)}`,
    protocolVersion: '2025-11-25',
    clientCapabilities: {},
    clientInfo: { name: 'c', version: '1' },
    createdAt: variant.clock.ms,
    expiresAt: variant.clock.seconds + ttlSeconds,
    version: 1,
  };
}

describe.each(backends.map((b) => [b.name, b] as const))('%s', (_name, backend) => {
  let variant: SessionVariant;
  beforeAll(async () => {
    variant = await backend.sessionStore();
  }, 60_000);

  test('a new session has no state; applied operations come back with the session', async () => {
    const session = record(variant);
    await variant.store.create(session);
    expect((await variant.store.get(session.id))?.sessionState).toBeUndefined();
    expect(await variant.store.applySessionState!(session.id, { set: { cart: ['a', { qty: 2 }] }, increment: { visits: 3 } })).toEqual({ ok: true });
    expect(await variant.store.applySessionState!(session.id, { increment: { visits: -1 }, remove: ['cart'], set: { note: 'x' } })).toEqual({ ok: true });
    const after = await variant.store.get(session.id);
    expect(after?.sessionState).toEqual({ visits: 2, note: 'x' });
    expect(after?.version).toBe(3);
  });

  test('20 concurrent increments end at exactly 20', async () => {
    const session = record(variant);
    await variant.store.create(session);
    await Promise.all(Array.from({ length: 20 }, () => variant.store.applySessionState!(session.id, { increment: { n: 1 } })));
    expect((await variant.store.get(session.id))?.sessionState).toEqual({ n: 20 });
  });

  test('an increment of a non-integer is refused; nothing of that write is kept', async () => {
    const session = record(variant);
    await variant.store.create(session);
    await variant.store.applySessionState!(session.id, { set: { name: 'ada' } });
    expect(await variant.store.applySessionState!(session.id, { increment: { name: 1 }, set: { other: 1 } })).toMatchObject({ ok: false, reason: 'not_integer' });
    expect((await variant.store.get(session.id))?.sessionState).toEqual({ name: 'ada' });
  });

  test('an expired or deleted session takes no state', async () => {
    const expired = record(variant, 10);
    await variant.store.create(expired);
    variant.clock.ms += 11_000;
    expect(await variant.store.applySessionState!(expired.id, { set: { a: 1 } })).toMatchObject({ ok: false, reason: 'gone' });
    const deleted = record(variant);
    await variant.store.create(deleted);
    await variant.store.delete(deleted.id);
    expect(await variant.store.applySessionState!(deleted.id, { set: { a: 1 } })).toMatchObject({ ok: false, reason: 'gone' });
  });

  test('logging/setLevel and expiry updates leave the state alone', async () => {
    const session = record(variant);
    await variant.store.create(session);
    await variant.store.applySessionState!(session.id, { set: { keep: true } });
    await variant.store.update(session.id, { logLevel: 'error', expiresAt: variant.clock.seconds + 7200 });
    expect((await variant.store.get(session.id))?.sessionState).toEqual({ keep: true });
  });
});
