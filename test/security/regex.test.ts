/**
 * Regular expressions from schemas cannot freeze the process.
 *
 * - End to end, the real handler in a child process: a tool whose `inputSchema` has
 *   `pattern: "^(a+)+$"`, or `patternProperties` `^(x+x+)+y$`, called with inputs a
 *   backtracking engine needs about 2^40 steps for; a `ping` from another session on the
 *   same process is answered, and so is the call, with the validation error. Before
 *   the fix the call froze the process (18 s for 28 characters, doubling per character).
 * - The validator never hands a schema pattern to the JavaScript engine; a fuzz of
 *   known catastrophic patterns (fast-check, bounded by count) with pumped inputs
 *   thousands of characters long completes, and on short inputs agrees with ECMAScript.
 * - Registration refuses what the linear-time engine cannot run (backreferences,
 *   lookaround), naming the pattern and where it is.
 */
import fc from 'fast-check';
import { startChildHandler, type ChildHandler } from './handler-child-process';
import type { RegistryItem } from '../../lambda-src/model/registry-item';
import { validateRegistryItem } from '../../lambda-src/registry/registry-item-validation';
import { checkSchemaDefinition } from '../../lambda-src/registry/schema-definition-check';
import { JsonSchemaValidators } from '../../lambda-src/tools/json-schema-validators';
import { callTool, openSession, post, sessionHeaders } from '../reliability/raw-client';

/** The formats @cfworker/json-schema asserts. */
const FORMATS = [
  'date', 'time', 'date-time', 'duration', 'uri', 'uri-reference', 'uri-template', 'url', 'email', 'hostname',
  'ipv4', 'ipv6', 'regex', 'uuid', 'json-pointer', 'json-pointer-uri-fragment', 'relative-json-pointer',
];

const ITEMS: RegistryItem[] = [
  {
    type: 'tool',
    name: 'nested',
    inputSchema: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } }, required: ['s'] },
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:nested',
  },
  {
    type: 'tool',
    name: 'keys',
    inputSchema: { type: 'object', patternProperties: { '^(x+x+)+y$': { type: 'number' } } },
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:keys',
  },
  {
    type: 'tool',
    name: 'formats',
    inputSchema: {
      type: 'object',
      properties: Object.fromEntries(FORMATS.map((f) => [f, { type: 'array', items: { type: 'string', format: f } }])),
    },
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:formats',
  },
];

/** Adversarial values for the validator's own formats: pumped repetitions that make backtracking regexes explode. */
function pumped(n: number): string[] {
  return [
    'a'.repeat(n), `${'a'.repeat(n)}!`, `${'1'.repeat(n)}x`, `a@${'a.'.repeat(n / 2)}!`, `http://${'a'.repeat(n)}\u0000`,
    `${':'.repeat(n)}!`, `${'0'.repeat(n)}:!`, `${'a'.repeat(10)}.`.repeat(n / 11) + '!', `${'/'.repeat(n)}\u0000`,
    `http://a.${'a-'.repeat(n / 2)}!`, `http://${'1.'.repeat(n / 2)}!`, `${'a.'.repeat(n / 2)}!`, `2020-01-01T${'0'.repeat(n)}`,
    `[${':'.repeat(n)}!`, `a${'-a'.repeat(n / 2)}-`, `P${'1'.repeat(n)}`, `#${'/a'.repeat(n / 2)}%`,
  ];
}

describe('end to end: one request cannot freeze the execution environment', () => {
  let child: ChildHandler;
  beforeAll(async () => {
    child = await startChildHandler(ITEMS);
  }, 60_000);
  afterAll(() => child?.close());

  test('catastrophic inputs against pattern and patternProperties are answered, and a concurrent ping too', async () => {
    const [attacker, bystander] = await Promise.all([openSession(child.url), openSession(child.url)]);
    const calls = Promise.all([
      post(child.url, callTool(1, 'nested', { s: `${'a'.repeat(40)}!` }), sessionHeaders(attacker)),
      post(child.url, callTool(2, 'keys', { [`${'x'.repeat(40)}`]: 1, [`${'x'.repeat(40)}y`]: 'not a number' }), sessionHeaders(attacker)),
      // Linear: 200,000 characters cost a few ms more, not 2^200,000 steps.
      post(child.url, callTool(3, 'nested', { s: `${'a'.repeat(200_000)}!` }), sessionHeaders(attacker)),
    ]);
    const ping = await post(child.url, { jsonrpc: '2.0', id: 9, method: 'ping' }, sessionHeaders(bystander));
    expect(ping.status).toBe(200);
    expect(ping.messages[0]).toMatchObject({ id: 9, result: {} });
    for (const answer of await calls) {
      expect(answer.status).toBe(200);
      const text = JSON.stringify(answer.messages[0]);
      // A mismatch is a validation failure the model can correct (isError or -32602).
      expect(text).toMatch(/must match pattern|does not match|must be number/);
    }
    // The validator's own formats: `url` was an exponential regular expression (17 s
    // for 32 characters); each format gets every pumped value, up to 2,000 characters long.
    const formats = await post(child.url, callTool(5, 'formats', Object.fromEntries(FORMATS.map((f) => [f, [...pumped(40), ...pumped(2_000)]]))), sessionHeaders(bystander));
    expect(formats.status).toBe(200);
    expect(JSON.stringify(formats.messages[0])).toMatch(/must match format/);
    // And a valid call still passes validation.
    const ok = await post(child.url, callTool(4, 'nested', { s: 'a'.repeat(50) }), sessionHeaders(attacker));
    expect(ok.messages[0].result?.isError).not.toBe(true);
  }, 60_000);
});

/** Known catastrophic (super-linear under backtracking) patterns, each with its pumping parts. */
const CATASTROPHIC: Array<{ pattern: string; prefix: string; pump: string; suffix: string }> = [
  { pattern: '^(a+)+$', prefix: '', pump: 'a', suffix: '!' },
  { pattern: '^(a|a)*$', prefix: '', pump: 'a', suffix: '!' },
  { pattern: '^(a|aa)+$', prefix: '', pump: 'a', suffix: '!' },
  { pattern: '^(a|a?)+$', prefix: '', pump: 'a', suffix: '!' },
  { pattern: '^(a*)*b$', prefix: '', pump: 'a', suffix: '' },
  { pattern: '^(x+x+)+y$', prefix: '', pump: 'x', suffix: '' },
  { pattern: '^(\\w+\\s?)*$', prefix: '', pump: 'ab ', suffix: '!' },
  { pattern: '^(\\d+)*$', prefix: '', pump: '1', suffix: 'x' },
  { pattern: '^(.*a){12}$', prefix: '', pump: 'a', suffix: '' },
  { pattern: '^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$', prefix: 'a', pump: 'a', suffix: '!' },
  { pattern: '^(([a-z])+.)+[A-Z]([a-z])+$', prefix: '', pump: 'aa', suffix: '!' },
  { pattern: '(\\s*,\\s*)*$', prefix: 'x', pump: ' ,', suffix: 'x' },
  { pattern: '^(?:[^"\\\\]|\\\\.)*"?(a|a)*$', prefix: '', pump: 'a', suffix: '!' },
];

describe('the validator runs patterns on the linear-time engine', () => {
  let nativeEngineUsed = false;

  test('no schema pattern reaches the JavaScript engine during validation', async () => {
    const validators = new JsonSchemaValidators();
    const schema = { type: 'object', properties: { s: { type: 'string', pattern: '^b+$' } }, patternProperties: { '^k\\d$': { type: 'string' } } };
    await validators.prepare(schema);
    validators.compile(schema);
    const Native = globalThis.RegExp;
    const seen: string[] = [];
    globalThis.RegExp = new Proxy(Native, {
      construct(target, args) {
        seen.push(String(args[0]));
        return Reflect.construct(target, args);
      },
    });
    try {
      expect(validators.validate(schema, { s: 'bbb', k1: 'v' }, 'arguments')).toEqual({ ok: true });
      expect(validators.validate(schema, { s: 'bab', k1: 2 }, 'arguments')).toMatchObject({ ok: false });
    } finally {
      globalThis.RegExp = Native;
    }
    nativeEngineUsed = seen.includes('^b+$') || seen.includes('^k\\d$');
    expect(seen).not.toContain('^b+$');
    expect(seen).not.toContain('^k\\d$');
  });

  test('a fuzz of catastrophic patterns with pumped inputs completes and refuses what does not match', () => {
    // On the backtracking engine this would not finish: refuse to start it there.
    expect(nativeEngineUsed).toBe(false);
    const validators = new JsonSchemaValidators();
    let validated = 0;
    fc.assert(fc.property(
      fc.constantFrom(...CATASTROPHIC), fc.integer({ min: 1_000, max: 20_000 }),
      ({ pattern, prefix, pump, suffix }, n) => {
        const input = `${prefix}${pump.repeat(Math.ceil(n / pump.length))}${suffix}`;
        const asValue = validators.validate({ type: 'string', pattern }, input, 'arguments');
        const asKey = validators.validate({ type: 'object', patternProperties: { [pattern]: false } }, { [input]: 1 }, 'arguments');
        validated += 2;
        // Each input is built to fail the match on its last character, except where the
        // pattern accepts it; either way, the two keywords agree.
        expect(asKey.ok).toBe(!asValue.ok);
      },
    ), { numRuns: 60 });
    expect(validated).toBe(120);
  });

  test('on short inputs the linear engine agrees with ECMAScript', () => {
    const validators = new JsonSchemaValidators();
    const patterns = [
      ...CATASTROPHIC.map((c) => c.pattern),
      '^[a-z]+$', '^\\d{3}-\\d{4}$', '^\\p{L}+$', '(?<year>\\d{4})-\\d\\d', '^\\u{1F600}?x$', 'b', '^$', '^[^@]+@[^@]+\\.[a-z]{2,}$', '\\bword\\b',
    ];
    fc.assert(fc.property(
      fc.constantFrom(...patterns), fc.string({ unit: fc.constantFrom('a', 'b', 'x', 'y', '1', '-', ' ', ',', '@', '.', 'é', '😀', '!', 'A', 'w', 'o', 'r', 'd'), maxLength: 12 }),
      (pattern, input) => {
        const expected = new RegExp(pattern, 'u').test(input);
        expect(validators.validate({ type: 'string', pattern }, input, 'arguments').ok).toBe(expected);
      },
    ), { numRuns: 2000 });
  });
});

describe('what one validation may spend on patterns is bounded', () => {
  // 5,002 RE2 instructions: linear, but ~0.4 s per 100,000 characters.
  const costly = { type: 'array', items: { type: 'string', pattern: '(.*a){1000}' } };

  test.each([
    ['one string of 1 MB', ['b'.repeat(1024 * 1024)]],
    ['20,000 strings of 100 characters', Array.from({ length: 20_000 }, () => 'b'.repeat(100))],
  ])('%s against a costly pattern: refused with a clear error, before the work', async (_what, strings) => {
    const validators = new JsonSchemaValidators();
    await validators.prepare(costly);
    const check = validators.validate(costly, strings, 'arguments');
    expect(check).toMatchObject({ ok: false });
    expect((check as { errors: string[] }).errors[0]).toMatch(/too long to check against the schema's pattern "\(\.\*a\)\{1000\}".*send shorter strings/);
  });

  test('ordinary use stays far below the bound: a megabyte of strings against a small pattern', async () => {
    const validators = new JsonSchemaValidators();
    const schema = { type: 'array', items: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' } };
    await validators.prepare(schema);
    expect(validators.validate(schema, Array.from({ length: 16_000 }, () => 'a'.repeat(64)), 'arguments')).toEqual({ ok: true });
  });

  test('the regex format checks a client\'s pattern for validity without compiling it for matching', async () => {
    const validators = new JsonSchemaValidators();
    const schema = { type: 'string', format: 'regex' };
    expect(validators.validate(schema, '(a)\\1(?=b)', 'arguments').ok).toBe(true);
    expect(validators.validate(schema, '(unclosed', 'arguments').ok).toBe(false);
  });
});

test('the url format, without its regular expression, still tells web URLs from the rest', () => {
  const validators = new JsonSchemaValidators();
  const schema = { type: 'string', format: 'url' };
  for (const url of ['https://example.com', 'http://example.com:8080/a/b?c=d#e', 'ftp://files.example.org/x', 'http://user:pw@example.co.uk/', 'http://8.8.8.8/']) {
    expect(validators.validate(schema, url, 'arguments').ok).toBe(true);
  }
  for (const notUrl of ['example.com', 'mailto:a@example.com', 'http://localhost/', 'http://10.0.0.1/', 'http://192.168.1.1', 'http://127.0.0.1:80', 'http://exa mple.com', 'http://', 'http://aaa\u0000']) {
    expect(validators.validate(schema, notUrl, 'arguments').ok).toBe(false);
  }
});

describe('registration refuses patterns the linear-time engine cannot run', () => {
  test.each([
    ['a backreference', { type: 'string', pattern: '^(a)\\1$' }, '^(a)\\1$', '/pattern'],
    ['a lookahead', { type: 'object', properties: { s: { type: 'string', pattern: '^(?=a)a+$' } } }, '^(?=a)a+$', '/properties/s/pattern'],
    ['a lookbehind', { type: 'object', properties: { s: { type: 'string', pattern: '(?<!a)b' } } }, '(?<!a)b', '/properties/s/pattern'],
    ['a negative lookahead in patternProperties', { type: 'object', patternProperties: { '^(?!x)': { type: 'string' } } }, '^(?!x)', '/patternProperties'],
    ['a named backreference under $defs', { $defs: { d: { type: 'string', pattern: '(?<q>a)\\k<q>' } } }, '(?<q>a)\\k<q>', '/$defs/d/pattern'],
  ])('%s: refused, naming the pattern and where it is', (_what, schema, pattern, at) => {
    const problem = checkSchemaDefinition(schema);
    expect(problem).toContain(JSON.stringify(pattern));
    expect(problem).toContain(`at ${at}`);
    expect(problem).toMatch(/linear-time engine/);
  });

  test('a tool item with such a pattern is refused with the field named', () => {
    const errors = validateRegistryItem({
      type: 'tool',
      name: 't',
      lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:t',
      inputSchema: { type: 'object', properties: { s: { type: 'string', pattern: '(a)\\1' } } },
    });
    expect(errors.join('\n')).toMatch(/'inputSchema' is not a valid JSON Schema: the pattern "\(a\)\\\\1" at \/properties\/s\/pattern is not supported/);
  });

  test.each([
    ['^(a+)+$'], ['^\\p{L}+$'], ['(?<year>\\d{4})'], ['^\\u{1F600}$'], ['^[\\s\\S]*$'], ['\\cA'],
  ])('%s is accepted: regular, so it runs in linear time', (pattern) => {
    expect(checkSchemaDefinition({ type: 'string', pattern })).toBeUndefined();
  });

  test('a pattern-looking string inside data keywords (const, enum, default, examples) is not a pattern', () => {
    expect(checkSchemaDefinition({ type: 'object', const: { pattern: '(a)\\1' }, examples: [{ pattern: '(?=x)' }] })).toBeUndefined();
  });
});
