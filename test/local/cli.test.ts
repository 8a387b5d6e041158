import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { banner, localInterpreters, nodeVersionNotice, runCli } from '../../lambda-src/local/cli';
import type { DevServer } from '../../lambda-src/local/dev-server';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

test('--help prints the usage with every flag', async () => {
  const { io, out } = capture();
  expect(await runCli(['dev', '--help'], io)).toBe(0);
  for (const flag of ['--port', '--host', '--registry', '--allow-origin', '--app', '--stack', '--watch', '--hang-ups']) expect(out.join('')).toContain(flag);
});

test('an unknown command is refused with the usage', async () => {
  const { io, err } = capture();
  expect(await runCli(['deploy'], io)).toBe(1);
  expect(err.join('')).toMatch(/unknown command 'deploy'/);
});

test('an unknown flag is refused', async () => {
  const { io, err } = capture();
  expect(await runCli(['dev', '--prot', '3000'], io)).toBe(1);
  expect(err.join('')).toMatch(/--prot/);
});

test.each(['-1', '70000', 'abc', '1.5'])('--port %s is refused', async (port) => {
  const { io, err } = capture();
  expect(await runCli(['dev', `--port=${port}`], io)).toBe(1);
  expect(err.join('')).toMatch(/--port must be a whole number/);
});

test('a broken registry file is reported before anything starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-cli-'));
  const file = join(dir, 'registry.json');
  writeFileSync(file, '{ "not": "an array" }');
  const { io, err } = capture();
  expect(await runCli(['dev', '--port', '0', '--registry', file], io)).toBe(1);
  expect(err.join('')).toContain(file);
});

test('--stack needs --app; --watch needs --app or --registry', async () => {
  const a = capture();
  expect(await runCli(['dev', '--stack', 'S'], a.io)).toBe(1);
  expect(a.err.join('')).toMatch(/--stack needs --app <cdk\.out>/);
  const b = capture();
  expect(await runCli(['dev', '--watch'], b.io)).toBe(1);
  expect(b.err.join('')).toMatch(/--watch needs --app <cdk\.out> \(--registry always reloads\)/);
});

test('--app and --registry are not combined', async () => {
  const { io, err } = capture();
  expect(await runCli(['dev', '--app', 'cdk.out', '--registry', 'r.json'], io)).toBe(1);
  expect(err.join('')).toMatch(/--app and --registry cannot be combined/);
});

test('--app with a folder that is not a cloud assembly fails before anything starts, saying what to pass', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-cli-'));
  const { io, err } = capture();
  expect(await runCli(['dev', '--port', '0', '--app', dir], io)).toBe(1);
  expect(err.join('')).toContain(`mcp-lambda-server: ${join(dir, 'manifest.json')} does not exist: pass the folder \`cdk synth\` writes`);
});

test.each([
  [['--store', 'sqlite'], /--store must be embedded or dynamodb-local, got 'sqlite'/],
  [['--store', 'dynamodb-local', '--dynamodb-endpoint', 'http://127.0.0.1:8000'], /--store and --dynamodb-endpoint cannot be combined/],
  [['--dynamodb-endpoint', 'localhost:8000'], /--dynamodb-endpoint must be an http\(s\) URL/],
  [['--dynamodb-endpoint', 'file:///etc/passwd'], /--dynamodb-endpoint must be an http\(s\) URL/],
  [['--table-prefix', 'x'], /--table-prefix names DynamoDB tables/],
  [['--dynamodb-endpoint', 'http://127.0.0.1:8000', '--table-prefix', 'a b'], /--table-prefix may hold letters/],
])('store options %j are refused before anything starts', async (args, message) => {
  const { io, err } = capture();
  expect(await runCli(['dev', '--port', '0', ...args], io)).toBe(1);
  expect(err.join('')).toMatch(message);
});

test('--hang-ups takes signalled or hidden only', async () => {
  const { io, err } = capture();
  expect(await runCli(['dev', '--port', '0', '--hang-ups', 'sometimes'], io)).toBe(1);
  expect(err.join('')).toMatch(/--hang-ups must be signalled or hidden, got 'sometimes'/);
});

test('--hang-ups hidden reaches the server and the banner says so', async () => {
  const { io, out } = capture();
  const server = await runCli(['dev', '--port', '0', '--hang-ups', 'hidden', '--quiet'], io) as DevServer;
  try {
    expect(server.hangUps).toBe('hidden');
    expect(out.join('')).toContain('hang-ups   hidden, as on Lambda');
  } finally {
    await server.stop();
  }
  const plain = capture();
  const signalled = await runCli(['dev', '--port', '0', '--quiet'], plain.io) as DevServer;
  try {
    expect(signalled.hangUps).toBe('signalled');
    expect(plain.out.join('')).not.toContain('hang-ups');
  } finally {
    await signalled.stop();
  }
});

test('the banner shows the URL, the items and how to point the MCP Inspector at it', () => {
  const server = {
    url: 'http://127.0.0.1:4123/mcp',
    port: 4123,
    host: '127.0.0.1',
    dynamoDbEndpoint: 'http://127.0.0.1:8000',
    store: 'dynamodb',
    storeDescription: 'DynamoDB at http://127.0.0.1:8000',
    config: { sessionTable: 's', registryTable: 'r' },
    items: [
      { type: 'tool', name: 'echo', inputSchema: { type: 'object' } },
      { type: 'resource', uri: 'example://readme', name: 'readme' },
      { type: 'resourceTemplate', uriTemplate: 'example://g/{name}', name: 'g' },
      { type: 'prompt', name: 'review_code' },
    ],
    stop: async () => undefined,
  } as unknown as DevServer;
  const text = banner(server, 'examples/local-registry/registry.json');
  expect(text).toContain('endpoint   http://127.0.0.1:4123/mcp');
  expect(text).toContain('tools      echo');
  expect(text).toContain('resources  example://readme, example://g/{name}');
  expect(text).toContain('prompts    review_code');
  expect(text).toContain('store      DynamoDB at http://127.0.0.1:8000 (tables s, r)');
});

test('the banner gives copy-paste client configuration, with the Inspector pinned to 2.x in every command', () => {
  const url = 'http://127.0.0.1:4123/mcp';
  const text = banner({
    url, port: 4123, host: '127.0.0.1', store: 'embedded', storeDescription: 'embedded', config: { sessionTable: 's', registryTable: 'r' }, items: [],
  } as unknown as DevServer);
  // Every mention of the Inspector names its major version.
  const mentions = text.match(/@modelcontextprotocol\/inspector\S*/g) ?? [];
  expect(mentions.length).toBeGreaterThanOrEqual(2);
  for (const m of mentions) expect(m).toBe('@modelcontextprotocol/inspector@2');
  expect(text).toContain(`npx -y @modelcontextprotocol/inspector@2 --cli ${url} --transport http --method tools/list`);
  expect(text).toContain('"Add Servers" > "+ Add manually", Transport "streamable-http"');
  // The JSON lines parse, and point at the server.
  const jsonAfter = (label: string) => JSON.parse(text.split(label)[1].split('\n')[1].trim());
  expect(jsonAfter('Claude Desktop')).toEqual({ mcpServers: { 'mcp-lambda-server-local': { command: 'npx', args: ['-y', 'mcp-remote', url] } } });
  expect(jsonAfter('Cursor')).toEqual({ mcpServers: { 'mcp-lambda-server-local': { url } } });
  expect(jsonAfter('VS Code')).toEqual({ servers: { 'mcp-lambda-server-local': { type: 'http', url } } });
});

test('localInterpreters says what runs each runtime here', () => {
  const found = localInterpreters(['nodejs22.x', 'python3.13', 'java21'], process.execPath);
  expect(found['nodejs22.x']).toBe(`node ${process.version} (the Node running this CLI)`);
  // Any executable answers --version; node stands in for python here.
  expect(found['python3.13']).toBe(`${process.execPath} (${process.version})`);
  expect(found.java21).toBeUndefined();
  expect(localInterpreters(['python3.12'], 'no-such-python-here')['python3.12']).toMatch(/^no-such-python-here \(not found on the PATH \(ENOENT\)/);
});

test('on Node 20 one line replaces the AWS SDK\'s nine-line warning; on 22 and later nothing is said', () => {
  const env: NodeJS.ProcessEnv = {};
  expect(nodeVersionNotice('v20.20.2', env)).toMatch(/^mcp-lambda-server: Node v20\.20\.2 is older than the supported 22 \(see \.nvmrc\)/);
  expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
  const modern: NodeJS.ProcessEnv = {};
  expect(nodeVersionNotice('v22.12.0', modern)).toBeUndefined();
  expect(nodeVersionNotice('v24.1.0', modern)).toBeUndefined();
  expect(modern).toEqual({});
});
