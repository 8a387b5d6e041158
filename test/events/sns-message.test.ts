/**
 * The SNS message contract (events/sns-message.ts): what a record becomes, and what is
 * refused with a reason instead of crashing or retrying.
 */
import { parseSnsRecord, SNS_MAX_MESSAGE_BYTES, type SnsRecordLike } from '../../lambda-src/events/sns-message';

function record(message: string, attributes: Record<string, string | { Type: string; Value: string }> = {}, messageId = 'm-1'): SnsRecordLike {
  return {
    EventSource: 'aws:sns',
    Sns: {
      MessageId: messageId,
      Message: message,
      Timestamp: '2026-11-23T18:00:00.000Z',
      MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, typeof v === 'string' ? { Type: 'String', Value: v } : v])),
    },
  };
}

test('a plain text body becomes an info log message, broadcast, keyed by MessageId', () => {
  expect(parseSnsRecord(record('deploy finished'))).toEqual({
    ok: true,
    event: { method: 'notifications/message', params: { level: 'info', data: 'deploy finished' }, dedupKey: 'm-1' },
  });
});

test('a JSON body with level and data is the params as they are; other JSON is wrapped as data', () => {
  const full = parseSnsRecord(record(JSON.stringify({ level: 'error', logger: 'billing', data: { id: 7 } })));
  expect(full).toMatchObject({ ok: true, event: { params: { level: 'error', logger: 'billing', data: { id: 7 } } } });
  expect(parseSnsRecord(record('[1,2]'))).toMatchObject({ ok: true, event: { params: { level: 'info', data: [1, 2] } } });
});

test('sessionId targets one session; uri names the updated resource', () => {
  expect(parseSnsRecord(record('x', { sessionId: 'abc' }))).toMatchObject({ ok: true, event: { sessionId: 'abc' } });
  expect(parseSnsRecord(record('', { method: 'notifications/resources/updated', uri: 'file:///a' }))).toMatchObject({
    ok: true, event: { method: 'notifications/resources/updated', params: { uri: 'file:///a' } },
  });
  expect(parseSnsRecord(record('{"uri":"file:///b","title":"B"}', { method: 'notifications/resources/updated' }))).toMatchObject({
    ok: true, event: { params: { uri: 'file:///b', title: 'B' } },
  });
  expect(parseSnsRecord(record('', { method: 'notifications/tools/list_changed' }))).toMatchObject({
    ok: true, event: { method: 'notifications/tools/list_changed', params: {} },
  });
});

test.each([
  ['an unknown method', record('{}', { method: 'tools/call' }), /must be one of/],
  ['resources/updated without a uri', record('{}', { method: 'notifications/resources/updated' }), /resource URI/],
  ['a non-object body for a list change', record('"x"', { method: 'notifications/prompts/list_changed' }), /JSON object/],
  ['an unknown log level', record('{"level":"loud","data":1}'), /not a logging level/],
  ['a session id with spaces', record('x', { sessionId: 'a b' }), /visible ASCII/],
  ['a binary attribute', record('x', { method: { Type: 'Binary', Value: 'AAA=' } }), /type String/],
  ['a record without MessageId', { EventSource: 'aws:sns', Sns: { Message: 'x' } } as SnsRecordLike, /MessageId/],
  ['a body over the SNS limit', record('x'.repeat(SNS_MAX_MESSAGE_BYTES + 1)), /limit/],
])('refuses %s', (_what, input, reason) => {
  const parsed = parseSnsRecord(input);
  expect(parsed.ok).toBe(false);
  expect((parsed as { reason: string }).reason).toMatch(reason);
});
