/**
 * `--registry` mode reloads: edits of the registry file and of the handler modules it
 * names (JavaScript in process, Python in local execution environments) apply while
 * the server runs, sessions carry on, and a tool-only edit announces only
 * `notifications/tools/list_changed` on an open GET stream (SDK v1).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LoggingMessageNotificationSchema, PromptListChangedNotificationSchema, ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { type DevServer, startDevServer } from '../../lambda-src/local/dev-server';
import { buildSnsEvent } from '../../lambda-src/local/local-publish';
import { bundleCli, devServerOutput, stopCli } from '../support/dev-server-cli';
import { pollUntil } from '../support/poll-until';

jest.setTimeout(120_000);

let dir: string;
let server: DevServer;
const out: string[] = [];

const cjsTool = (version: string) => `exports.handler = async (event) => ({ content: [{ type: 'text', text: '${version}:' + event.arguments.message }] });\n`;
const pyTool = (version: string) => `import os\n\ndef handler(event, context):\n    print("py tool", event["arguments"])\n    return {"content": [{"type": "text", "text": "${version}:" + event["arguments"]["message"] + ":" + context.function_name}]}\n`;
const items = (echoDescription: string) => [
  { type: 'tool', name: 'echo', description: echoDescription, inputSchema: { type: 'object' }, handler: './cjs-echo.js#handler' },
  { type: 'prompt', name: 'hello', messages: [{ role: 'user', content: { type: 'text', text: 'Hello' } }] },
  { type: 'resource', uri: 'example://note', name: 'note', mimeType: 'text/plain', text: 'a note' },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-reload-'));
  writeFileSync(join(dir, 'cjs-echo.js'), cjsTool('v1'));
  writeFileSync(join(dir, 'py_tool.py'), pyTool('v1'));
  writeFileSync(join(dir, 'registry.json'), JSON.stringify(items('Echo, first version')));
  server = await startDevServer({ port: 0, registryFile: join(dir, 'registry.json'), watch: true, log: () => undefined, out: (line) => out.push(line) });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function text(result: unknown): string {
  return (result as { content: Array<{ text: string }> }).content[0].text;
}

const until = (condition: () => boolean | Promise<boolean>) => pollUntil(condition, 50);

describe('the CLI as it ships (bundled, in its own Node process)', () => {
  // Under jest, modules go through jest's own loader and registry, which the dev server
  // cannot refresh; so this part runs the CLI as users run it.
  let cli: ChildProcess;
  let cliDir: string;
  let url: string;
  const lines: string[] = [];

  beforeAll(async () => {
    cliDir = mkdtempSync(join(tmpdir(), 'mcp-cli-'));
    await bundleCli(cliDir);
    writeFileSync(join(dir, 'cjs-echo.js'), cjsTool('v1'));
    writeFileSync(join(dir, 'cli-registry.json'), JSON.stringify([
      { type: 'tool', name: 'cjs_echo', inputSchema: { type: 'object' }, handler: './cjs-echo.js#handler' },
      { type: 'tool', name: 'py_echo', inputSchema: { type: 'object' }, handler: './py_tool.py#handler' },
    ]));
    cli = spawn(process.execPath, ['-e', `require(${JSON.stringify(join(cliDir, 'cli.js'))}).main(['dev', '--registry', ${JSON.stringify(join(dir, 'cli-registry.json'))}, '--port', '0', '--quiet'])`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: cli.stderr! }).on('line', (line) => lines.push(line));
    ({ url } = await devServerOutput(cli, lines));
  });

  afterAll(async () => {
    await stopCli(cli);
    rmSync(cliDir, { recursive: true, force: true });
  });

  test('Python handler files run in local execution environments, and edits of handler modules apply in the same session', async () => {
    const client = new Client({ name: 'reload', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    try {
      expect(text(await client.callTool({ name: 'cjs_echo', arguments: { message: 'a' } }))).toBe('v1:a');
      expect(text(await client.callTool({ name: 'py_echo', arguments: { message: 'a' } }))).toBe('v1:a:py_tool-handler');
      await until(() => lines.includes("[py_tool-handler] py tool {'message': 'a'}"));

      writeFileSync(join(dir, 'cjs-echo.js'), cjsTool('v2'));
      writeFileSync(join(dir, 'py_tool.py'), pyTool('v2'));
      // The watcher polls: call until the new code answers (bounded by the test timeout, not a timer).
      await until(async () => text(await client.callTool({ name: 'cjs_echo', arguments: { message: 'b' } })) === 'v2:b');
      await until(async () => text(await client.callTool({ name: 'py_echo', arguments: { message: 'b' } })) === 'v2:b:py_tool-handler');
      expect(lines.some((l) => l.startsWith('registry reloaded: no item changed'))).toBe(true);
    } finally {
      await client.close();
    }
  });
});

test('a tool-only edit of the registry file announces tools/list_changed only, in the session opened before it', async () => {
  const client = new Client({ name: 'reload', version: '1.0.0' });
  const seen: string[] = [];
  const logs: unknown[] = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    seen.push('tools');
  });
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => {
    seen.push('prompts');
  });
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
    seen.push('resources');
  });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(n.params.data);
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  const publish = (message: string) => fetch(server.publishUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(buildSnsEvent({ message })) });
  try {
    // Wait until the SDK's GET stream is live (it opens asynchronously after initialize).
    while (logs.length === 0) {
      await publish(`probe-${randomUUID()}`);
      for (let i = 0; i < 40 && logs.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    }
    writeFileSync(join(dir, 'registry.json'), JSON.stringify(items('Echo, second version')));
    await until(() => seen.includes('tools'));
    // A marker published after the change: by the time it arrives, any list_changed of the same reload has too.
    const marker = `marker-${randomUUID()}`;
    await publish(marker);
    await until(() => logs.includes(marker));
    expect(seen).toEqual(['tools']);
    const tools = await client.listTools();
    expect(tools.tools.find((t) => t.name === 'echo')?.description).toBe('Echo, second version');
    expect(out).toContain('registry reloaded: ~tool#echo; handler modules will load afresh');
  } finally {
    await client.close();
  }
});

test('a broken edit is reported and the previous items keep serving', async () => {
  const file = join(dir, 'registry.json');
  const good = readFileSync(file, 'utf8');
  writeFileSync(file, '[{ "type": "tool" ');
  const result = await server.reload();
  expect(result.ok).toBe(false);
  expect(result.error).toContain(file);
  expect(server.items.map((i) => i.type === 'resource' ? i.uri : i.name)).toEqual(['echo', 'hello', 'example://note']);
  writeFileSync(file, good);
  expect((await server.reload()).ok).toBe(true);
});
