/**
 * The `_sessionState` contract a tool author writes to: what is accepted, and the
 * sentence that says what is wrong otherwise; and the result mapping around it.
 */
import {
  applySessionStateChanges, MAX_SESSION_STATE_BYTES, parseSessionStateChanges,
} from '../../lambda-src/model/session-state-changes';
import type { SessionStateStore, SessionStateWrite } from '../../lambda-src/store/session-state-store';
import { toCallToolResult } from '../../lambda-src/tools/tool-result';
import { keepSessionState, takeSessionStateChanges, withSessionStateError } from '../../lambda-src/tools/tool-session-state';

describe('parseSessionStateChanges', () => {
  test('accepts set, increment and remove on disjoint keys', () => {
    expect(parseSessionStateChanges({ set: { cart: ['a'] }, increment: { n: -2 }, remove: ['draft'] }))
      .toEqual({ ok: true, changes: { set: { cart: ['a'] }, increment: { n: -2 }, remove: ['draft'] } });
  });

  test.each([
    ['not an object', [], /must be an object/],
    ['an unknown operation', { replace: {} }, /unknown operation 'replace'/],
    ['a null value (use remove)', { set: { a: null } }, /use 'remove'/],
    ['a fractional increment', { increment: { a: 0.5 } }, /'increment' of key 'a' must be a safe integer/],
    ['an unsafe increment', { increment: { a: 2 ** 60 } }, /safe integer/],
    ['a key in two operations', { set: { a: 1 }, remove: ['a'] }, /key 'a' appears in more than one operation/],
    ['an empty key', { set: { '': 1 } }, /empty key/],
    ['a key over 256 bytes', { remove: ['k'.repeat(257)] }, /over 256 bytes/],
    ['remove that is not a list of names', { remove: 'a' }, /'remove' must be an array/],
  ])('refuses %s', (_name, value, message) => {
    const parsed = parseSessionStateChanges(value);
    expect(parsed.ok).toBe(false);
    expect((parsed as { problem: string }).problem).toMatch(message);
  });
});

test('applySessionStateChanges counts from 0 and refuses to increment a non-integer', () => {
  expect(applySessionStateChanges({ a: 'x' }, { increment: { n: 2 }, remove: ['a'] })).toEqual({ ok: true, state: { n: 2 } });
  expect(applySessionStateChanges({ a: 'x' }, { increment: { a: 1 } })).toMatchObject({ ok: false, key: 'a' });
});

describe('a tool result carrying _sessionState', () => {
  test('the reserved key never reaches the client, in a CallToolResult or in structuredContent', () => {
    const call = takeSessionStateChanges({ ok: true, payload: { content: [{ type: 'text', text: 'hi' }], _sessionState: { set: { a: 1 } } } });
    expect(call.changes).toEqual({ set: { a: 1 } });
    expect(toCallToolResult('t', call.outcome)).toEqual({ content: [{ type: 'text', text: 'hi' }] });
    const plain = takeSessionStateChanges({ ok: true, payload: { count: 3, _sessionState: { increment: { count: 1 } } } });
    expect(toCallToolResult('t', plain.outcome)).toEqual({ content: [{ type: 'text', text: '{"count":3}' }], structuredContent: { count: 3 } });
    expect(takeSessionStateChanges({ ok: true, payload: [1] }).changes).toBeUndefined();
  });

  const recording = (answer: SessionStateWrite = { ok: true }) => {
    const calls: unknown[] = [];
    const store: SessionStateStore = {
      applySessionState: async (id, changes) => {
        calls.push({ id, changes });
        return answer;
      },
    };
    return { store, calls };
  };

  test('valid operations in a session are written once', async () => {
    const { store, calls } = recording();
    expect(await keepSessionState({ toolName: 't', sessionId: 's1', seen: {}, store }, { increment: { n: 1 } })).toEqual({ kept: true });
    expect(calls).toEqual([{ id: 's1', changes: { increment: { n: 1 } } }]);
  });

  test('without a session (2026-07-28) operations are dropped, not written', async () => {
    const { store, calls } = recording();
    expect(await keepSessionState({ toolName: 't', store }, { increment: { n: 1 } })).toEqual({ kept: false, ignored: true });
    expect(calls).toEqual([]);
  });

  test('invalid operations, a state over 64 KiB, and a store refusal become the reason of an isError result', async () => {
    const { store, calls } = recording();
    const invalid = await keepSessionState({ toolName: 't', sessionId: 's', store }, { set: { a: null } });
    expect(invalid).toMatchObject({ kept: false, error: expect.stringMatching(/^tool 't' returned an invalid _sessionState: /) });
    const big = await keepSessionState({ toolName: 't', sessionId: 's', seen: { old: 'x'.repeat(40_000) }, store }, { set: { more: 'y'.repeat(30_000) } });
    expect(big).toMatchObject({ kept: false, error: expect.stringContaining(`over the limit of ${MAX_SESSION_STATE_BYTES}`) });
    expect(calls).toEqual([]);
    const gone = recording({ ok: false, reason: 'gone', message: 'the session is unknown, expired or was deleted' });
    expect(await keepSessionState({ toolName: 't', sessionId: 's', store: gone.store }, { set: { a: 1 } }))
      .toEqual({ kept: false, error: "tool 't''s session state change was not kept: the session is unknown, expired or was deleted" });
    expect(withSessionStateError({ content: [{ type: 'text', text: 'done' }] }, 'why')).toEqual({
      content: [{ type: 'text', text: 'why' }, { type: 'text', text: 'done' }], isError: true,
    });
  });
});

test('a caller that keeps no session state (a task run) still never shows _sessionState to the client', () => {
  const payload = { content: [{ type: 'text', text: 'ok' }], _sessionState: { set: { a: 1 } } };
  expect(toCallToolResult('t', { ok: true, payload })).toEqual({ content: [{ type: 'text', text: 'ok' }] });
  expect(toCallToolResult('t', { ok: true, payload: { n: 1, _sessionState: {} } })).toEqual({ content: [{ type: 'text', text: '{"n":1}' }], structuredContent: { n: 1 } });
});
