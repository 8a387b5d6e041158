/**
 * Session state keys are own properties, end to end, against DynamoDB Local: a tool
 * (on behalf of a client that picks the key, like the example counter's `name`) cannot
 * reach the prototype chain or slip past the 64 KiB bound.
 *
 * Before: `__proto__` set to a 150 KB object was accepted and stored (the bound measured
 * a JSON serialization that left it out), and `constructor` or `toString` read through
 * the prototype ("holds a function, not an integer").
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_SESSION_STATE_BYTES, parseSessionStateChanges } from '../../lambda-src/model/session-state-changes';
import { decodeSessionState } from '../../lambda-src/store/session-state-attribute';
import { sessionKey } from '../../lambda-src/store/table-schema';
import { keepSessionState, takeSessionStateChanges } from '../../lambda-src/tools/tool-session-state';
import { useSessionStateTable } from '../support/session-state-table';

const table = useSessionStateTable('keys-session');
const { newSession } = table;

/** The operations as a Lambda function's JSON result carries them (JSON.parse makes `__proto__` an own key). */
function fromFunction(json: string): unknown {
  return takeSessionStateChanges({ ok: true, payload: JSON.parse(json) }).changes;
}

async function itemBytes(id: string): Promise<number> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: sessionKey(id), ConsistentRead: true }));
  return Buffer.byteLength(JSON.stringify(Item ?? {}), 'utf8');
}

async function keep(id: string, changes: unknown) {
  const session = await table.sessions.get(id);
  return keepSessionState({ toolName: 'counter', sessionId: id, seen: session?.sessionState, store: table.state }, changes);
}

describe('__proto__', () => {
  test('set to a 150 KB object: refused with a clear error, nothing stored', async () => {
    const id = await newSession();
    const before = await itemBytes(id);
    const big = JSON.stringify({ blob: 'x'.repeat(150 * 1024) });
    const outcome = await keep(id, fromFunction(`{"content":[],"_sessionState":{"set":{"__proto__":${big}}}}`));
    expect(outcome).toMatchObject({ kept: false });
    expect((outcome as { error: string }).error).toMatch(/'__proto__', which is reserved/);
    expect(await itemBytes(id)).toBe(before);
  });

  test.each(['set', 'increment'])('named by %s: refused', (op) => {
    const parsed = parseSessionStateChanges(JSON.parse(`{"${op}":{"__proto__":1}}`));
    expect(parsed).toMatchObject({ ok: false });
  });

  test('removing it is allowed (a state written before the refusal can be cleaned)', () => {
    expect(parseSessionStateChanges({ remove: ['__proto__'] })).toMatchObject({ ok: true });
  });

  test('a stored map holding it decodes to an own property, never a prototype', () => {
    const state = decodeSessionState(JSON.parse('{"__proto__":"{\\"polluted\\":true}","n":1}'));
    expect(Object.getPrototypeOf(state)).toBeNull();
    expect(Object.keys(state)).toEqual(['__proto__', 'n']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('constructor, prototype, toString and friends are ordinary keys', () => {
  const KEYS = ['constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

  test('incremented from absent, they count from 0 and read back exactly', async () => {
    const id = await newSession();
    for (const key of KEYS) expect(await keep(id, { increment: { [key]: 2 } })).toEqual({ kept: true });
    for (const key of KEYS) expect(await keep(id, { increment: { [key]: 1 } })).toEqual({ kept: true });
    const state = (await table.sessions.get(id))!.sessionState!;
    expect(Object.getPrototypeOf(state)).toBeNull();
    expect({ ...state }).toEqual(Object.fromEntries(KEYS.map((k) => [k, 3])));
  });

  test('set, their value counts in the bound', async () => {
    const id = await newSession();
    const outcome = await keep(id, { set: { constructor: 'x'.repeat(MAX_SESSION_STATE_BYTES) } });
    expect((outcome as { error: string }).error).toMatch(/over the limit of 65536/);
  });
});

test('regression: the bound holds for an ordinary key, and a key over 256 bytes is refused', async () => {
  const id = await newSession();
  expect((await keep(id, { set: { blob: 'x'.repeat(MAX_SESSION_STATE_BYTES) } })) as { error: string })
    .toMatchObject({ kept: false, error: expect.stringMatching(/over the limit/) });
  expect(parseSessionStateChanges({ set: { ['k'.repeat(257)]: 1 } })).toMatchObject({ ok: false });
});
