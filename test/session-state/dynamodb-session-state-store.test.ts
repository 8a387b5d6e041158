/**
 * The session-state store against DynamoDB Local: the atomicity a tool relies on
 * (concurrent increments end at the exact count, disjoint keys never lose each other),
 * the stored form round-trips every JSON value, and a write never revives a session.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { decodeSessionState } from '../../lambda-src/store/session-state-attribute';
import { SESSION_STATE_ATTRIBUTE } from '../../lambda-src/store/session-state-store';
import { sessionKey } from '../../lambda-src/store/table-schema';
import { useSessionStateTable } from '../support/session-state-table';

const table = useSessionStateTable('state-session');
const { newSession } = table;

async function stored(id: string): Promise<Record<string, unknown>> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: sessionKey(id), ConsistentRead: true }));
  return decodeSessionState(Item?.[SESSION_STATE_ATTRIBUTE]);
}

test('100 concurrent increments of one key, including the session\'s first state write, end at exactly 100', async () => {
  const id = await newSession();
  const writes = await Promise.all(Array.from({ length: 100 }, () => table.state.applySessionState(id, { increment: { counter: 1 } })));
  expect(writes.every((w) => w.ok)).toBe(true);
  expect(await stored(id)).toEqual({ counter: 100 });
});

test('concurrent writes of disjoint keys all stay', async () => {
  const id = await newSession();
  await Promise.all(Array.from({ length: 20 }, (_, i) => table.state.applySessionState(id, { set: { [`key${i}`]: { i } } })));
  const after = await stored(id);
  expect(Object.keys(after).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `key${i}`).sort());
  expect(after.key7).toEqual({ i: 7 });
});

test('set, increment and remove in one write; every JSON value round-trips exactly', async () => {
  const id = await newSession();
  const deep: unknown = JSON.parse(`${'['.repeat(40)}1${']'.repeat(40)}`);
  const values = {
    'text': 'héllo ✓',
    'empty': '',
    'float': 0.1,
    'huge': 1e300,
    'unsafe': 2 ** 60,
    'negative': -5,
    'flag': false,
    'list': [1, 'two', { three: 3 }],
    'nested': { a: { b: { c: [] } } },
    deep,
    'emptyObject': {},
    'a.b': 'dotted key',
    '': undefined,
  };
  delete (values as Record<string, unknown>)[''];
  expect(await table.state.applySessionState(id, { set: values, increment: { counter: 2 } })).toEqual({ ok: true });
  expect(await table.state.applySessionState(id, { remove: ['flag', 'never-set'], increment: { counter: 3, negative: -1 } })).toEqual({ ok: true });
  const { flag: _flag, ...rest } = values;
  expect(await stored(id)).toEqual({ ...rest, negative: -6, counter: 5 });
});

test('an increment of a key that holds no integer is refused and changes nothing', async () => {
  const id = await newSession();
  await table.state.applySessionState(id, { set: { name: 'ada', ratio: 1.5 }, increment: { n: 1 } });
  const write = await table.state.applySessionState(id, { increment: { name: 1, n: 1 } });
  expect(write).toMatchObject({ ok: false, reason: 'not_integer' });
  expect((write as { message: string }).message).toContain("'name'");
  expect((await table.state.applySessionState(id, { increment: { ratio: 1 } }))).toMatchObject({ ok: false, reason: 'not_integer' });
  expect(await stored(id)).toEqual({ name: 'ada', ratio: 1.5, n: 1 });
});

test('an increment that would leave the safe integer range is refused', async () => {
  const id = await newSession();
  await table.state.applySessionState(id, { set: { big: Number.MAX_SAFE_INTEGER - 1 } });
  expect(await table.state.applySessionState(id, { increment: { big: 1 } })).toEqual({ ok: true });
  const write = await table.state.applySessionState(id, { increment: { big: 1 } });
  expect(write).toMatchObject({ ok: false, reason: 'not_integer' });
  expect((write as { message: string }).message).toContain('safe integer range');
  expect(await stored(id)).toEqual({ big: Number.MAX_SAFE_INTEGER });
});

test('a write to a deleted, expired or unknown session is refused and revives nothing', async () => {
  const deleted = await newSession();
  await table.sessions.delete(deleted);
  expect(await table.state.applySessionState(deleted, { increment: { counter: 1 } })).toMatchObject({ ok: false, reason: 'gone' });
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: sessionKey(deleted) }));
  expect(Item).toBeUndefined();

  const expired = await newSession(-1);
  expect(await table.state.applySessionState(expired, { set: { a: 1 } })).toMatchObject({ ok: false, reason: 'gone' });
  expect(await stored(expired)).toEqual({});
  expect(await table.state.applySessionState('never-created', { set: { a: 1 } })).toMatchObject({ ok: false, reason: 'gone' });
});

test('state writes bump the session version and leave its other fields alone', async () => {
  const id = await newSession();
  await table.sessions.update(id, { logLevel: 'error' });
  await table.state.applySessionState(id, { set: { a: 1 } });
  const record = await table.sessions.get(id);
  expect(record).toMatchObject({ logLevel: 'error', version: 3, clientInfo: { name: 't', version: '1' } });
});
