/**
 * The SessionStore contract, run against DynamoDB (on DynamoDB Local) and memory alike.
 */
import { randomBytes } from 'node:crypto';
import { BACKENDS, type SessionVariant, type StoreBackend } from './store-variants';
import { ItemTooLargeError } from '../../lambda-src/store/item-size';
import { SessionConflictError, type SessionRecord } from '../../lambda-src/store/session-store';

function newId(): string {
  return randomBytes(16).toString('hex');
}

function sessionRecord(clockSeconds: number, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: newId(),
    protocolVersion: '2025-11-25',
    clientCapabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } },
    clientInfo: { name: 'test-client', version: '1.2.3' },
    createdAt: clockSeconds * 1000,
    expiresAt: clockSeconds + 3600,
    version: 1,
    ...overrides,
  };
}

describe.each(BACKENDS)('%s session store', (_name, makeBackend) => {
  let backend: StoreBackend;
  let v: SessionVariant;
  beforeAll(async () => {
    backend = makeBackend();
  });
  afterAll(async () => backend?.close());
  beforeEach(async () => {
    v = await backend.sessionStore();
  });

  test('create then get returns the record as written', async () => {
    const record = sessionRecord(v.clock.seconds, {
      logLevel: 'warning',
      initialized: false,
      principal: { kind: 'oauth', id: 'user-1', claims: { scope: 'mcp:read', nested: { deep: [1, 2.5, 'x'] } } },
      // Shapes DynamoDB maps refuse (empty key, nesting past 32 levels, huge numbers)
      // must round-trip untouched: a client sends what it likes.
      clientCapabilities: { '': 1, 'experimental': { big: 1e300, deep: deepObject(40) } },
    });
    await v.store.create(record);
    expect(await v.store.get(record.id)).toEqual(record);
  });

  test('optional fields left out stay absent', async () => {
    const record = sessionRecord(v.clock.seconds);
    await v.store.create(record);
    const got = await v.store.get(record.id);
    expect(got).toEqual(record);
    expect(Object.keys(got!)).not.toEqual(expect.arrayContaining(['logLevel']));
    expect(got).not.toHaveProperty('principal');
    expect(got).not.toHaveProperty('initialized');
  });

  test('an unknown id reads as absent', async () => {
    expect(await v.store.get(newId())).toBeUndefined();
  });

  test('a duplicate create is refused and the first session is unchanged', async () => {
    const record = sessionRecord(v.clock.seconds, { logLevel: 'info' });
    await v.store.create(record);
    await expect(v.store.create({ ...record, logLevel: 'debug', clientInfo: { name: 'intruder' } }))
      .rejects.toBeInstanceOf(SessionConflictError);
    expect(await v.store.get(record.id)).toEqual(record);
  });

  test('an expired session reads as absent although its item is still stored (TTL deletes late)', async () => {
    const record = sessionRecord(v.clock.seconds, { expiresAt: v.clock.seconds - 60 });
    await v.store.create(record);
    expect(await v.store.get(record.id)).toBeUndefined();
    if (v.peek) expect(await v.peek(record.id)).toMatchObject({ id: record.id, expiresAt: record.expiresAt });
  });

  test('a session expires when the clock passes expiresAt, to the second', async () => {
    const record = sessionRecord(v.clock.seconds, { expiresAt: v.clock.seconds + 10 });
    await v.store.create(record);
    v.clock.ms = (record.expiresAt - 1) * 1000;
    expect(await v.store.get(record.id)).toEqual(record);
    v.clock.ms = record.expiresAt * 1000;
    expect(await v.store.get(record.id)).toBeUndefined();
  });

  test('create may reuse the id of an expired session', async () => {
    const old = sessionRecord(v.clock.seconds, { expiresAt: v.clock.seconds - 1 });
    await v.store.create(old);
    const fresh = { ...old, clientInfo: { name: 'new' }, expiresAt: v.clock.seconds + 100 };
    await v.store.create(fresh);
    expect(await v.store.get(old.id)).toEqual(fresh);
  });

  test('update applies the patch, increments version and returns the new record', async () => {
    const record = sessionRecord(v.clock.seconds);
    await v.store.create(record);
    const updated = await v.store.update(record.id, { logLevel: 'error', initialized: true, expiresAt: record.expiresAt + 60 });
    const expected = { ...record, logLevel: 'error', initialized: true, expiresAt: record.expiresAt + 60, version: 2 };
    expect(updated).toEqual(expected);
    expect(await v.store.get(record.id)).toEqual(expected);
    // An empty patch still bumps the version (a touch); fields left out keep their value.
    expect(await v.store.update(record.id, {}, 2)).toEqual({ ...expected, version: 3 });
    expect(await v.store.update(record.id, { logLevel: 'debug' })).toEqual({ ...expected, logLevel: 'debug', version: 4 });
  });

  test('update of an expired session returns undefined and writes nothing', async () => {
    const record = sessionRecord(v.clock.seconds, { expiresAt: v.clock.seconds + 10, logLevel: 'info' });
    await v.store.create(record);
    const created = v.clock.ms;
    v.clock.ms = (record.expiresAt + 5) * 1000;
    expect(await v.store.update(record.id, { logLevel: 'debug', expiresAt: record.expiresAt + 3600 })).toBeUndefined();
    expect(await v.store.update(record.id, { logLevel: 'debug' }, 1)).toBeUndefined();
    // Back before expiry: the session is exactly as created (no revival, no version bump).
    v.clock.ms = created;
    expect(await v.store.get(record.id)).toEqual(record);
  });

  test('update of a deleted or unknown session returns undefined and creates nothing', async () => {
    const record = sessionRecord(v.clock.seconds);
    await v.store.create(record);
    expect(await v.store.delete(record.id)).toBe(true);
    expect(await v.store.update(record.id, { logLevel: 'debug', expiresAt: v.clock.seconds + 3600 })).toBeUndefined();
    expect(await v.store.get(record.id)).toBeUndefined();
    const unknown = newId();
    expect(await v.store.update(unknown, { initialized: true }, 1)).toBeUndefined();
    expect(await v.store.get(unknown)).toBeUndefined();
    if (v.peek) {
      expect(await v.peek(record.id)).toBeUndefined();
      expect(await v.peek(unknown)).toBeUndefined();
    }
  });

  test('a stale expectedVersion is a SessionConflictError and changes nothing', async () => {
    const record = sessionRecord(v.clock.seconds);
    await v.store.create(record);
    const v2 = await v.store.update(record.id, { logLevel: 'info' }, 1);
    expect(v2?.version).toBe(2);
    await expect(v.store.update(record.id, { logLevel: 'debug', initialized: true }, 1))
      .rejects.toThrow(SessionConflictError);
    await expect(v.store.update(record.id, { logLevel: 'debug' }, 1)).rejects.toThrow(/version 2, not 1/);
    expect(await v.store.get(record.id)).toEqual(v2);
  });

  test('concurrent updates at one expectedVersion: exactly one wins', async () => {
    const record = sessionRecord(v.clock.seconds);
    await v.store.create(record);
    const levels = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];
    const results = await Promise.allSettled(levels.map((logLevel) => v.store.update(record.id, { logLevel }, 1)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(levels.length - 1);
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(SessionConflictError);
    const winner = (won[0] as PromiseFulfilledResult<SessionRecord>).value;
    expect(winner.version).toBe(2);
    expect(await v.store.get(record.id)).toEqual(winner);
  });

  test('concurrent updates without expectedVersion: none is lost', async () => {
    const record = sessionRecord(v.clock.seconds);
    await v.store.create(record);
    const n = 12;
    const results = await Promise.all(Array.from({ length: n }, () => v.store.update(record.id, { initialized: true })));
    expect(results.map((r) => r!.version).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 2));
    expect((await v.store.get(record.id))!.version).toBe(n + 1);
  });

  test('moveStreamResume is a compare-and-set on streamResumeId, with the expiry in the same write', async () => {
    const record = sessionRecord(v.clock.seconds);
    await v.store.create(record);
    const move = v.store.moveStreamResume!.bind(v.store);
    // Never set: only a move from "absent" takes.
    expect(await move(record.id, 'r-0', 'r-1')).toBe('raced');
    expect(await move(record.id, undefined, 'r-1', record.expiresAt + 60)).toBe('moved');
    expect(await v.store.get(record.id)).toEqual({ ...record, streamResumeId: 'r-1', expiresAt: record.expiresAt + 60, version: 2 });
    // From a value that is no longer there: nothing written.
    expect(await move(record.id, undefined, 'r-2')).toBe('raced');
    expect(await move(record.id, 'r-0', 'r-2')).toBe('raced');
    expect(await move(record.id, 'r-1', 'r-2')).toBe('moved');
    const got = await v.store.get(record.id);
    expect(got).toEqual({ ...record, streamResumeId: 'r-2', expiresAt: record.expiresAt + 60, version: 3 });
    // Other writes keep it.
    expect((await v.store.update(record.id, { logLevel: 'debug' }))!.streamResumeId).toBe('r-2');
  });

  test('concurrent moveStreamResume from one value: exactly one moves', async () => {
    const record = sessionRecord(v.clock.seconds);
    await v.store.create(record);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => v.store.moveStreamResume!(record.id, undefined, `r-${i}`)));
    expect(results.filter((r) => r === 'moved')).toHaveLength(1);
    expect(results.filter((r) => r === 'raced')).toHaveLength(7);
    const winner = results.indexOf('moved');
    expect((await v.store.get(record.id))!.streamResumeId).toBe(`r-${winner}`);
  });

  test('moveStreamResume of an expired, deleted or unknown session is gone and writes nothing', async () => {
    const record = sessionRecord(v.clock.seconds, { expiresAt: v.clock.seconds + 10 });
    await v.store.create(record);
    const created = v.clock.ms;
    v.clock.ms = (record.expiresAt + 5) * 1000;
    expect(await v.store.moveStreamResume!(record.id, undefined, 'r-1', record.expiresAt + 3600)).toBe('gone');
    v.clock.ms = created;
    expect(await v.store.get(record.id)).toEqual(record);
    await v.store.delete(record.id);
    expect(await v.store.moveStreamResume!(record.id, undefined, 'r-1')).toBe('gone');
    expect(await v.store.moveStreamResume!(newId(), undefined, 'r-1')).toBe('gone');
    expect(await v.store.get(record.id)).toBeUndefined();
  });

  test('delete returns whether a live session existed, and removes expired ones too', async () => {
    const live = sessionRecord(v.clock.seconds);
    await v.store.create(live);
    expect(await v.store.delete(live.id)).toBe(true);
    expect(await v.store.get(live.id)).toBeUndefined();
    expect(await v.store.delete(live.id)).toBe(false);
    expect(await v.store.delete(newId())).toBe(false);

    const expired = sessionRecord(v.clock.seconds, { expiresAt: v.clock.seconds + 5 });
    await v.store.create(expired);
    const before = v.clock.ms;
    v.clock.ms = (expired.expiresAt + 1) * 1000;
    expect(await v.store.delete(expired.id)).toBe(false);
    v.clock.ms = before;
    expect(await v.store.get(expired.id)).toBeUndefined();
    if (v.peek) expect(await v.peek(expired.id)).toBeUndefined();
  });

  test('a session over the 400 KB item limit is refused with a clear error and not stored', async () => {
    const record = sessionRecord(v.clock.seconds, { clientInfo: { name: 'big', blob: 'x'.repeat(410 * 1024) } });
    const refused = v.store.create(record);
    await expect(refused).rejects.toBeInstanceOf(ItemTooLargeError);
    await expect(v.store.create(record)).rejects.toThrow(`session ${record.id} is`);
    expect(await v.store.get(record.id)).toBeUndefined();
    // Just under the limit is accepted.
    const fits = sessionRecord(v.clock.seconds, { clientInfo: { name: 'big', blob: 'x'.repeat(390 * 1024) } });
    await v.store.create(fits);
    expect(await v.store.get(fits.id)).toEqual(fits);
  });

  test('ids that could never be stored read as unknown sessions instead of failing', async () => {
    const tooLong = 'a'.repeat(3000);
    expect(await v.store.get(tooLong)).toBeUndefined();
    expect(await v.store.update(tooLong, { logLevel: 'debug' })).toBeUndefined();
    expect(await v.store.delete(tooLong)).toBe(false);
    expect(await v.store.get('')).toBeUndefined();
    await expect(v.store.create(sessionRecord(v.clock.seconds, { id: tooLong }))).rejects.toThrow(/cannot be stored/);
  });
});

function deepObject(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) value = { [`l${i}`]: value };
  return value;
}
