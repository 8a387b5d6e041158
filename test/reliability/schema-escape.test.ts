/**
 * Input that tries to get past the registry's declarations, through the real handler
 * (Function URL events via the awslambda shim), property-based:
 * - tool arguments that escape their JSON Schema (extra properties, type confusion,
 *   `__proto__` / `constructor.prototype` payloads) never reach the function: the
 *   call is an `isError` result naming the problem (MCP 2025-11-25 server/tools, "Error
 *   Handling"), and Object.prototype is never polluted;
 * - resource URIs with traversal (`../`, percent-encoded dots and slashes) never match
 *   a template so that a variable carries a path separator or a `..` segment to the
 *   function;
 * - prompt arguments with control characters are handled: rendered literally (never
 *   re-expanded, never splitting the message) or refused with -32602; never a 5xx.
 */
import fc from 'fast-check';
import { createHarness, type Harness, openHarnessSession, urlEvent } from './handler-harness';
import { PROFILE, recordResult } from './reliability-profile';
import type { RegistryItem } from '../../lambda-src/model/registry-item';

jest.setTimeout(120_000);

const STRICT_SCHEMA = {
  type: 'object',
  properties: { n: { type: 'integer', minimum: 0, maximum: 100 }, tag: { type: 'string', maxLength: 20 } },
  required: ['n'],
  additionalProperties: false,
};

const ITEMS: RegistryItem[] = [
  { type: 'tool', name: 'strict', inputSchema: STRICT_SCHEMA, lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:strict' },
  { type: 'resourceTemplate', uriTemplate: 'file:///docs/{name}', name: 'docs', lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:docs' },
  {
    type: 'prompt',
    name: 'greet',
    arguments: [{ name: 'who', required: true }, { name: 'tone' }],
    messages: [{ role: 'user', content: { type: 'text', text: 'Greet {{who}} in a {{tone}} tone.' } }],
  },
];

let harness: Harness;
let sessionId: string;
const tally = { toolArgumentsTried: 0, refusedBeforeInvoke: 0, protoKeysStripped: 0, uriTried: 0, promptArgumentsTried: 0 };

beforeAll(async () => {
  harness = await createHarness(ITEMS);
  sessionId = await openHarnessSession(harness, '2025-11-25');
});

afterAll(() => recordResult('schema-escape', tally));

const fcParams = () => ({
  numRuns: PROFILE.fuzzRuns,
  ...(process.env.MCP_RELIABILITY_SEED ? { seed: Number(process.env.MCP_RELIABILITY_SEED), path: process.env.MCP_RELIABILITY_PATH } : {}),
});

async function request(id: number, method: string, params: Record<string, unknown>): Promise<Record<string, any>> {
  const answer = await harness.send(urlEvent({
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
  }));
  expect(answer.status).toBeLessThan(500);
  expect(answer.messages).toHaveLength(1);
  const [message] = answer.messages!;
  expect(message).toMatchObject({ jsonrpc: '2.0', id });
  return message;
}

/** An independent check of STRICT_SCHEMA, not the server's validator. */
function conforms(args: unknown): boolean {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return false;
  const keys = Object.keys(args);
  const a = args as Record<string, unknown>;
  return keys.every((k) => k === 'n' || k === 'tag')
    && Number.isInteger(a.n) && (a.n as number) >= 0 && (a.n as number) <= 100
    && (a.tag === undefined || (typeof a.tag === 'string' && [...a.tag].length <= 20));
}

test('tool arguments that escape their schema never reach the function', async () => {
  const pollution = fc.constantFrom(
    '{"n":1,"__proto__":{"polluted":true}}',
    '{"n":1,"constructor":{"prototype":{"polluted":true}}}',
    '{"__proto__":{"n":1}}',
    '{"n":"1"}', '{"n":1.5}', '{"n":[1]}', '{"n":{"valueOf":1}}', '{"n":true}', '{"n":null}', '{"n":1e400}', '{"n":-1}', '{"n":101}',
    '{"n":1,"tag":1}', '{"n":1,"extra":"x"}', '{"n":1,"tag":"123456789012345678901"}', '[]', '"n"', 'null', '1',
  ).map((text) => JSON.parse(text) as unknown);
  const random = fc.oneof(
    fc.record({
      n: fc.oneof(fc.integer({ min: -5, max: 105 }), fc.double(), fc.string(), fc.constant(null)),
      tag: fc.oneof(fc.string({ maxLength: 25 }), fc.integer()),
    }, { requiredKeys: [] }),
    fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    fc.jsonValue({ maxDepth: 2 }),
  );
  let id = 0;
  await fc.assert(fc.asyncProperty(fc.oneof(pollution, random), async (args) => {
    tally.toolArgumentsTried++;
    const invoked = harness.invoker.events.length;
    const message = await request(++id, 'tools/call', { name: 'strict', arguments: args });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const reached = harness.invoker.events.slice(invoked);
    // Whatever reaches the function conforms to the schema (checked independently).
    for (const { event } of reached) {
      expect({ args, reached: event.arguments, conforms: conforms(event.arguments) }).toMatchObject({ conforms: true });
    }
    if (conforms(args)) {
      expect(reached).toHaveLength(1);
      // The arguments travel as JSON, which has no -0 (fast-check's jsonValue can make
      // one): what must arrive is exactly the JSON the client sent.
      expect(reached[0].event.arguments).toEqual(JSON.parse(JSON.stringify(args)));
      expect(message.result.isError).toBeUndefined();
      return;
    }
    if (reached.length > 0) {
      // Only a `__proto__` key may vanish on the way (the SDK's params parsing turns it
      // into the prototype of the arguments object, which JSON never carries): what
      // arrives is the rest of the input, and conforms.
      expect(Object.prototype.hasOwnProperty.call(args, '__proto__')).toBe(true);
      tally.protoKeysStripped++;
      return;
    }
    tally.refusedBeforeInvoke++;
    // Arguments that are not an object are -32602 from the SDK; the rest an isError result.
    if ('error' in message) {
      expect(message.error.code).toBe(-32602);
    } else {
      expect(message.result).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringMatching(/invalid arguments for tool 'strict'/) }] });
    }
  }), fcParams());
});

test('resource URIs with traversal never hand a path separator or a dot-dot segment to the template function', async () => {
  const traversal = fc.constantFrom(
    'file:///docs/../secrets.txt', 'file:///docs/..', 'file:///docs/%2e%2e', 'file:///docs/%2E%2E%2Fsecrets', 'file:///docs/..%2fsecrets',
    'file:///docs/a/b', 'file:///docs/a%2Fb', 'file:///docs/%252e%252e%252f', 'file:///docs/.%2e/x', 'file:///docs/\u0000', 'file:///docs/a?b=../c',
    'file:///docs/a#../b', 'file:///docs//etc/passwd', 'file:///docs/%5c..%5csecrets', 'file:///docs/..\\secrets', 'file:///etc/passwd',
  );
  const random = fc.tuple(fc.constantFrom('file:///docs/', 'file:///', 'file://docs/'), fc.string({ maxLength: 30 })).map(([p, s]) => p + s);
  let id = 10_000;
  await fc.assert(fc.asyncProperty(fc.oneof(traversal, random), async (uri) => {
    tally.uriTried++;
    const invoked = harness.invoker.events.length;
    const message = await request(++id, 'resources/read', { uri });
    for (const { event } of harness.invoker.events.slice(invoked)) {
      const name = String(event.variables?.name);
      // RFC 6570 simple expansion percent-encodes a value, so a function recovers it by
      // decoding once: that decoded value must not be able to climb out of /docs/.
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // not decodable: the raw value is what the function sees
      }
      expect({ uri, name, decoded }).toEqual({ uri, name, decoded: expect.not.stringMatching(/[/\\]|^\.\.?$/) });
    }
    if ('error' in message) expect([-32002, -32602, -32603]).toContain(message.error.code);
  }), fcParams());
});

test('prompt arguments with control characters are rendered literally or refused, never a 5xx', async () => {
  const control = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 10 });
  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    control,
    fc.tuple(fc.string({ maxLength: 10 }), control, fc.string({ maxLength: 10 })).map(([a, b, c]) => a + b + c),
    fc.constantFrom('{{tone}}', '{{who}}', '\u2028\u2029', '\u0000', '"},{"role":"assistant"', '\r\n\r\nHTTP/1.1 200 OK'),
  );
  let id = 20_000;
  await fc.assert(fc.asyncProperty(text, fc.option(text), async (who, tone) => {
    tally.promptArgumentsTried++;
    const args: Record<string, string> = { who, ...(tone === null ? {} : { tone }) };
    const message = await request(++id, 'prompts/get', { name: 'greet', arguments: args });
    if ('error' in message) {
      expect(message.error.code).toBe(-32602);
      return;
    }
    expect(message.result.messages).toHaveLength(1);
    // Literal substitution, once: an argument that looks like a placeholder is not expanded again.
    expect(message.result.messages[0].content.text).toBe(`Greet ${who} in a ${tone ?? ''} tone.`);
  }), fcParams());
});

test('an ordinary resource URI still matches its template, encoded characters included', async () => {
  for (const [uri, name] of [['file:///docs/readme.md', 'readme.md'], ['file:///docs/a%20b.txt', 'a%20b.txt'], ['file:///docs/..hidden', '..hidden']]) {
    const invoked = harness.invoker.events.length;
    const message = await request(30_000 + invoked, 'resources/read', { uri });
    expect(message.result).toBeDefined();
    expect(harness.invoker.events.slice(invoked).map((e) => e.event.variables)).toEqual([{ name }]);
  }
});
