import { uriTemplateProblem, validateRegistryItem, validateRegistryItems } from '../../lambda-src/registry/registry-item-validation';

const tool = { type: 'tool', name: 'echo', inputSchema: { type: 'object', properties: { m: { type: 'string' } } }, lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo' };

test('a valid item of each type has no problems', () => {
  expect(validateRegistryItem(tool)).toEqual([]);
  expect(validateRegistryItem({ type: 'resource', uri: 'test://static-text', name: 'r', mimeType: 'text/plain', text: 'hi' })).toEqual([]);
  expect(validateRegistryItem({ type: 'resource', uri: 'file:///a/b.png', name: 'r', blob: 'AQID' })).toEqual([]);
  expect(validateRegistryItem({ type: 'resourceTemplate', uriTemplate: 'files://{+path}{?q,lang}', name: 't', lambdaArn: 'reader:live' })).toEqual([]);
  expect(validateRegistryItem({
    type: 'prompt',
    name: 'p',
    arguments: [{ name: 'who', required: true }],
    messages: [{ role: 'user', content: { type: 'text', text: 'hi {{who}}' } }],
  })).toEqual([]);
});

test.each([
  ['name with a space', { ...tool, name: 'my tool' }, "tool 'my tool': 'name' must be 1 to 128 characters of A-Z a-z 0-9 _ - . (got \"my tool\"); rename it, e.g. 'my_tool'"],
  ['name too long', { ...tool, name: 'x'.repeat(129) }, 'must be 1 to 128 characters'],
  ['empty name', { ...tool, name: '' }, 'must be 1 to 128 characters'],
  ['inputSchema not an object schema', { ...tool, inputSchema: { type: 'string' } }, '\'inputSchema\' must have "type": "object" at its root (got "string")'],
  ['inputSchema missing', { ...tool, inputSchema: undefined }, "'inputSchema' must be a JSON Schema object"],
  ['inputSchema that does not compile', { ...tool, inputSchema: { type: 'object', properties: { a: { type: 'strin' } } } }, "'inputSchema' is not a valid JSON Schema"],
  ['outputSchema that does not compile', { ...tool, outputSchema: { type: 'object', required: 'a' } }, "'outputSchema' is not a valid JSON Schema"],
  ['no function', { ...tool, lambdaArn: undefined }, "needs exactly one of 'lambdaArn'"],
  ['a handler outside a local file', { ...tool, handler: './x.js#h' }, "'handler' (a local module) is allowed only in a local registry file"],
  ['a bad ARN', { ...tool, lambdaArn: 'arn:aws:s3:::bucket' }, "'lambdaArn' \"arn:aws:s3:::bucket\" is not a Lambda function name or ARN"],
  ['a timeout over 15 minutes', { ...tool, timeoutSeconds: 901 }, "'timeoutSeconds' must be a number of seconds above 0 and at most 900"],
  ['icons without src', { ...tool, icons: [{ mimeType: 'image/png' }] }, "'icons' must be an array"],
  ['streaming not a boolean', { ...tool, streaming: 'yes' }, "'streaming' must be true or false (got \"yes\")"],
  ['streaming with the Gateway contract', { ...tool, streaming: true, contract: 'bedrock-agentcore-gateway' }, "'streaming' cannot be used with the 'bedrock-agentcore-gateway' contract"],
])('tool: %s', (_case, item, message) => {
  const errors = validateRegistryItem(item);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain(message);
});

test('streaming applies to tools only, and a streaming tool is valid', () => {
  expect(validateRegistryItem({ ...tool, streaming: true })).toEqual([]);
  expect(validateRegistryItem({ ...tool, streaming: false })).toEqual([]);
  expect(validateRegistryItem({ type: 'prompt', name: 'p', lambdaArn: 'p', streaming: true })).toEqual(["prompt 'p': 'streaming' applies to tools only; remove it"]);
});

test('a handler is refused outside a local registry file, and checked inside one', () => {
  const local = { ...tool, lambdaArn: undefined, handler: './tools/echo.js#handler' };
  expect(validateRegistryItem(local)[0]).toContain("'handler' (a local module) is allowed only in a local registry file");
  expect(validateRegistryItem(local, { allowHandler: true })).toEqual([]);
  expect(validateRegistryItem({ ...local, handler: './x.js#not-valid' }, { allowHandler: true })[0]).toContain("must look like './tools/echo.js#handler'");
  expect(validateRegistryItem({ ...tool, handler: './x.js#h' }, { allowHandler: true })).toEqual([
    "tool 'echo': has 'lambdaArn' and 'handler'; keep exactly one of 'lambdaArn', 'handler'",
  ]);
});

test('resources need a parseable absolute URI and exactly one source', () => {
  expect(validateRegistryItem({ type: 'resource', uri: 'relative/path', name: 'r', text: 'x' })[0]).toContain("'uri' \"relative/path\" is not an absolute URI");
  expect(validateRegistryItem({ type: 'resource', uri: 'app://x', name: 'r' })[0]).toContain("needs exactly one of 'text', 'blob', 'lambdaArn'");
  expect(validateRegistryItem({ type: 'resource', uri: 'app://x', name: 'r', text: 'a', blob: 'AQID' })[0]).toContain("has 'text' and 'blob'");
  expect(validateRegistryItem({ type: 'resource', uri: 'app://x', name: 'r', blob: 'not base64!' })[0]).toContain("'blob' must be base64");
  expect(validateRegistryItem({ type: 'resource', uri: 'app://x', text: 'a' })[0]).toContain("'name' is required");
});

test.each([
  ['files://{path', "'{' at position 9 is never closed"],
  ['files://path}', "unmatched '}'"],
  ['files://{}', 'empty expression'],
  ['files://{a b}', "'a b' in the expression"],
  ['files://{=x}', "operator '=' at position 10 is reserved"],
  ['files://{x:0}', "'x:0' in the expression"],
  ['files://{x:10000}', "'x:10000' in the expression"],
  ['files://a b/{x}', 'character " " at position 10'],
])('URI template %s is refused', (template, message) => {
  expect(uriTemplateProblem(template).problem).toContain(message);
  expect(validateRegistryItem({ type: 'resourceTemplate', uriTemplate: template, name: 't', lambdaArn: 'f' })[0]).toContain(message);
});

test('RFC 6570 levels 1 to 4 are accepted, and their variables found', () => {
  expect(uriTemplateProblem('app://{var}/{+path}/{#frag}{.ext}{/seg*}{;p}{?q,r:3}{&s}{x.y}{%20a}')).toEqual({
    variables: ['var', 'path', 'frag', 'ext', 'seg', 'p', 'q', 'r', 's', 'x.y', '%20a'],
  });
  expect(validateRegistryItem({ type: 'resourceTemplate', uriTemplate: 'app://fixed', name: 't', lambdaArn: 'f' })[0]).toContain('has no {variable}');
  expect(validateRegistryItem({ type: 'resourceTemplate', uriTemplate: 'app://{x}', name: 't', lambdaArn: 'f', completions: { y: ['a'] } })[0]).toContain("names 'y', which is not a variable");
});

test('prompt arguments are unique, placeholders declared, one source', () => {
  const base = { type: 'prompt', name: 'p' };
  expect(validateRegistryItem({ ...base, arguments: [{ name: 'a' }, { name: 'a' }], messages: [{ role: 'user', content: { type: 'text', text: '{{a}}' } }] })[0])
    .toContain("argument name 'a' is used twice");
  expect(validateRegistryItem({ ...base, arguments: [], messages: [{ role: 'user', content: { type: 'text', text: 'hi {{who}}' } }] })[0])
    .toContain('uses {{who}}, which is not a declared argument');
  expect(validateRegistryItem({ ...base, messages: [{ role: 'system', content: { type: 'text', text: 'x' } }] })[0]).toContain("role must be 'user' or 'assistant'");
  expect(validateRegistryItem({ ...base })[0]).toContain("needs exactly one of 'messages', 'lambdaArn'");
  expect(validateRegistryItem({ ...base, lambdaArn: 'f', messages: [{ role: 'user', content: { type: 'text', text: 'x' } }] })[0]).toContain("has 'messages' and 'lambdaArn'");
});

test('an unknown type, or not an object, is refused', () => {
  expect(validateRegistryItem({ type: 'widget', name: 'x' })[0]).toContain("'type' must be one of 'tool', 'resource', 'resourceTemplate', 'prompt'");
  expect(validateRegistryItem('tool')[0]).toContain('must be a JSON object');
});

test('a list reports every problem, with positions, and duplicate identities', () => {
  const errors = validateRegistryItems([tool, { ...tool, name: 'bad name' }, tool, { type: 'prompt', name: 'echo', messages: [{ role: 'user', content: { type: 'text', text: 'x' } }] }], { source: 'registry.json' });
  expect(errors).toEqual([
    expect.stringContaining("registry.json item 2 (tool 'bad name'): 'name' must be"),
    "registry.json item 3 (tool 'echo'): duplicate tool name 'echo', already used by item 1; give it another",
  ]);
  expect(validateRegistryItems({})).toEqual(['registry: must be a JSON array of registry items']);
});
