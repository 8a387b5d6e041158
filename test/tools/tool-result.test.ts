import { JsonSchemaValidators } from '../../lambda-src/tools/json-schema-validators';
import { parseProtocolError, toCallToolResult } from '../../lambda-src/tools/tool-result';

const ok = (payload: unknown) => ({ ok: true as const, payload });

test('a CallToolResult passes through unchanged', () => {
  const result = { content: [{ type: 'text', text: 'hi' }, { type: 'image', data: 'AQID', mimeType: 'image/png' }], isError: false };
  expect(toCallToolResult('t', ok(result))).toBe(result);
});

test('a CallToolResult with a bad block is an error that says which block and why', () => {
  const result = toCallToolResult('t', ok({ content: [{ type: 'text', text: 'a' }, { type: 'text' }] }));
  expect(result).toEqual({ isError: true, content: [{ type: 'text', text: "tool 't' returned an invalid CallToolResult: content[1] is a text block without a string 'text'" }] });
  expect(toCallToolResult('t', ok({ content: [{ type: 'image', data: 'x' }] })).isError).toBe(true);
  expect(toCallToolResult('t', ok({ content: [], isError: 'yes' })).isError).toBe(true);
});

test('an object becomes JSON text plus structuredContent', () => {
  expect(toCallToolResult('t', ok({ a: 1 }))).toEqual({ content: [{ type: 'text', text: '{"a":1}' }], structuredContent: { a: 1 } });
});

test('arrays, numbers and null become JSON text without structuredContent; a string is its own text', () => {
  expect(toCallToolResult('t', ok([1, 2]))).toEqual({ content: [{ type: 'text', text: '[1,2]' }] });
  expect(toCallToolResult('t', ok(42))).toEqual({ content: [{ type: 'text', text: '42' }] });
  expect(toCallToolResult('t', ok(null))).toEqual({ content: [{ type: 'text', text: 'null' }] });
  expect(toCallToolResult('t', ok('plain words'))).toEqual({ content: [{ type: 'text', text: 'plain words' }] });
});

test.each([
  ['function_error', 'boom', "tool 'lookup' failed: boom"],
  ['timeout', 'no response from f within 30 s', "tool 'lookup' timed out: no response from f within 30 s"],
  ['throttled', 'Rate Exceeded.', "tool 'lookup' was throttled by AWS Lambda (too many concurrent invocations); retry later: Rate Exceeded."],
  ['payload_too_large', 'the response is 7.0 MB', "tool 'lookup' exceeded the 6 MB payload limit of a synchronous Lambda invocation: the response is 7.0 MB"],
  ['malformed', 'not JSON', "tool 'lookup' returned a response that is not valid JSON: not JSON"],
  ['not_found', 'no function f', "tool 'lookup' has no function to run: no function f"],
  ['aborted', 'cancelled', "tool 'lookup' was cancelled: cancelled"],
  ['invoke_failed', 'socket hang up', "tool 'lookup' could not be invoked: socket hang up"],
] as const)('failure %s becomes an isError result that names the tool and the kind', (kind, message, text) => {
  expect(toCallToolResult('lookup', { ok: false, kind, message })).toEqual({ isError: true, content: [{ type: 'text', text }] });
});

describe('with an outputSchema', () => {
  const outputSchema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };

  test('conforming structured content passes', () => {
    expect(toCallToolResult('t', ok({ n: 3 }), { outputSchema })).toEqual({ content: [{ type: 'text', text: '{"n":3}' }], structuredContent: { n: 3 } });
  });

  test('non-conforming structured content is an error naming the field', () => {
    const result = toCallToolResult('t', ok({ n: 'three' }), { outputSchema });
    expect(result.isError).toBe(true);
    expect((result.content[0] as { text: string }).text).toBe("tool 't' returned structuredContent that does not match its outputSchema: structuredContent/n must be integer");
  });

  test('a CallToolResult without structuredContent is an error; an isError one passes as is', () => {
    expect(toCallToolResult('t', ok({ content: [{ type: 'text', text: 'x' }] }), { outputSchema }).isError).toBe(true);
    const failed = { content: [{ type: 'text', text: 'x' }], isError: true };
    expect(toCallToolResult('t', ok(failed), { outputSchema })).toBe(failed);
  });

  test('a non-object value becomes structuredContent when the schema allows it (2026-07-28 any-root schemas)', () => {
    expect(toCallToolResult('t', ok([1]), { outputSchema: { type: 'array' } })).toEqual({ content: [{ type: 'text', text: '[1]' }], structuredContent: [1] });
  });
});

describe('JsonSchemaValidators', () => {
  test('compiles each schema once: the same object, or an equal one, finds the same validator', () => {
    const validators = new JsonSchemaValidators();
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const first = validators.compile(schema);
    expect(validators.compile(schema)).toBe(first);
    expect(validators.compile(JSON.parse(JSON.stringify(schema)))).toBe(first);
  });

  test('draft-07 schemas declared with $schema compile; unknown dialects are refused by name', () => {
    const validators = new JsonSchemaValidators();
    expect(validators.validate({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', required: ['a'] }, {}, 'arguments')).toEqual({
      ok: false,
      errors: ["arguments must have required property 'a'"],
    });
    expect(validators.compile({ $schema: 'http://json-schema.org/draft-04/schema#' })).toEqual({ error: expect.stringContaining('unsupported $schema') });
  });

  test('formats are checked and errors read naturally', () => {
    const validators = new JsonSchemaValidators();
    const schema = { type: 'object', properties: { when: { type: 'string', format: 'date' }, kind: { enum: ['a', 'b'] } }, additionalProperties: false };
    const check = validators.validate(schema, { when: 'tomorrow', kind: 'c', extra: 1 }, 'arguments');
    expect(check).toEqual({
      ok: false,
      errors: expect.arrayContaining([
        "arguments must not have the property 'extra'",
        'arguments/when must match format "date"',
        'arguments/kind must be one of "a", "b"',
      ]),
    });
  });

  test('two different schemas with the same $id both compile', () => {
    const validators = new JsonSchemaValidators();
    expect('validate' in validators.compile({ $id: 'https://example.com/s.json', type: 'string' })).toBe(true);
    const second = validators.validate({ $id: 'https://example.com/s.json', type: 'number' }, 'text', 'v');
    expect(second).toEqual({ ok: false, errors: ['v must be number'] });
  });
});

describe("a function's JSON-RPC error (resultType 'error')", () => {
  test('a valid one is read with its code, message and data; anything else is not one', () => {
    expect(parseProtocolError({ resultType: 'error', error: { code: -32603, message: 'down', data: { a: 1 } } }))
      .toEqual({ code: -32603, message: 'down', data: { a: 1 } });
    expect(parseProtocolError({ resultType: 'complete', error: { code: 1, message: 'x' } })).toBeUndefined();
    expect(parseProtocolError({ error: { code: 1, message: 'x' } })).toBeUndefined();
    expect(parseProtocolError('error')).toBeUndefined();
  });

  test.each([
    [{ resultType: 'error' }, /needs an 'error' object/],
    [{ resultType: 'error', error: { code: 1.5, message: 'x' } }, /'error.code' must be an integer/],
    [{ resultType: 'error', error: { code: '-32603', message: 'x' } }, /'error.code' must be an integer/],
    [{ resultType: 'error', error: { code: -32603, message: '' } }, /non-empty string/],
    [{ resultType: 'error', error: { code: -32603, message: 'x'.repeat(5000) } }, /over 4096 characters/],
  ])('a malformed one is a problem the author can act on: %j', (payload, problem) => {
    const parsed = parseProtocolError(payload);
    expect(parsed).toEqual({ problem: expect.stringMatching(problem) });
    // Where it reaches a result, it is an isError result saying so, never structured content.
    const result = toCallToolResult('t', { ok: true, payload });
    expect(result).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringMatching(/tool 't' returned an invalid error result/) }] });
  });
});
