/**
 * End to end: the real dev server (the embedded store, the real handler from
 * entry/index.ts behind node:http on 127.0.0.1) on the bundled example registry, driven
 * by the official SDK clients: v1 in a 2025-11-25 session, v2 pinned to 2026-07-28.
 */
import { join } from 'node:path';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type DevServer, startDevServer } from '../../lambda-src/local/dev-server';

const REGISTRY = join(__dirname, '..', '..', 'examples', 'local-registry', 'registry.json');
const ACCEPT_BOTH = 'application/json, text/event-stream';

let server: DevServer;
const logs: string[] = [];

beforeAll(async () => {
  server = await startDevServer({ port: 0, registryFile: REGISTRY, log: (line) => logs.push(line) });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

test('listens on a free loopback port and registers the example items in file order', () => {
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  expect(server.port).toBeGreaterThan(0);
  // Nothing to install: the default store is in this process, with no listener of its own.
  expect(server.store).toBe('embedded');
  expect(server.dynamoDbEndpoint).toBeUndefined();
  expect(server.items.map((i) => `${i.type}:${'name' in i ? i.name : ''}`)).toEqual([
    'tool:echo', 'tool:get_weather', 'tool:count_slowly', 'tool:counter', 'resource:readme', 'resourceTemplate:greeting', 'prompt:review_code',
  ]);
});

describe('SDK v1 client, 2025-11-25 session', () => {
  test('initialize, every tool, the resources, the prompt, DELETE, then 404', async () => {
    const client = new ClientV1({ name: 'v1-client', version: '1.0.0' });
    const transport = new TransportV1(new URL(server.url));
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    expect(sessionId).toBeTruthy();
    expect(transport.protocolVersion).toBe('2025-11-25');
    expect(client.getServerVersion()).toMatchObject({ name: 'mcp-lambda-server-local' });

    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(['echo', 'get_weather', 'count_slowly', 'counter']);
    expect(tools.tools[1].outputSchema).toMatchObject({ required: ['city', 'temperature', 'units', 'conditions'] });

    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'hello from v1' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'hello from v1' }]);

    const weather = await client.callTool({ name: 'get_weather', arguments: { city: 'Oslo' } });
    expect(weather.isError).toBeFalsy();
    expect(weather.structuredContent).toMatchObject({ city: 'Oslo', units: 'metric', conditions: expect.any(String), temperature: expect.any(Number) });

    const progress: Array<{ progress: number; total?: number }> = [];
    const counted = await client.callTool({ name: 'count_slowly', arguments: { steps: 3, delayMs: 0 } }, undefined, {
      onprogress: (p) => progress.push({ progress: p.progress, total: p.total }),
    });
    expect(counted.content).toEqual([{ type: 'text', text: 'counted to 3' }]);
    expect(progress).toEqual([{ progress: 1, total: 3 }, { progress: 2, total: 3 }, { progress: 3, total: 3 }]);

    const bad = await client.callTool({ name: 'echo', arguments: {} });
    expect(bad.isError).toBe(true);

    const resources = await client.listResources();
    expect(resources.resources.map((r) => r.uri)).toEqual(['example://readme']);
    const readme = await client.readResource({ uri: 'example://readme' });
    expect(readme.contents[0]).toMatchObject({ uri: 'example://readme', mimeType: 'text/markdown' });
    expect((readme.contents[0] as { text: string }).text).toMatch(/^# Example registry/);

    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toEqual(['example://greetings/{name}']);
    const greeting = await client.readResource({ uri: 'example://greetings/Ada' });
    expect(greeting.contents).toEqual([{ uri: 'example://greetings/Ada', mimeType: 'text/plain', text: 'Hello, Ada!' }]);

    const prompts = await client.listPrompts();
    expect(prompts.prompts[0]).toMatchObject({ name: 'review_code', arguments: [{ name: 'code', required: true }, { name: 'language', required: false }] });
    const prompt = await client.getPrompt({ name: 'review_code', arguments: { code: 'let x = 1', language: 'TypeScript' } });
    expect(prompt.messages[0].content).toMatchObject({ type: 'text', text: expect.stringContaining('review this TypeScript code') });
    expect((prompt.messages[0].content as { text: string }).text).toContain('let x = 1');

    await transport.terminateSession();
    await client.close();

    const after = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': ACCEPT_BOTH, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);

    // The request log went through the http layer: one line per request, no session id in full.
    expect(logs.length).toBeGreaterThan(5);
    expect(logs.join('\n')).not.toContain(sessionId);
  });
});

describe('SDK v2 client, 2026-07-28', () => {
  test('every tool, the resources and the prompt, without a session', async () => {
    const client = new ClientV2({ name: 'v2-client', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new TransportV2(new URL(server.url)));
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');

    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(['echo', 'get_weather', 'count_slowly', 'counter']);

    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'hello from v2' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'hello from v2' }]);

    const weather = await client.callTool({ name: 'get_weather', arguments: { city: 'Lima', units: 'imperial' } });
    expect(weather.structuredContent).toMatchObject({ city: 'Lima', units: 'imperial' });

    const progress: number[] = [];
    const counted = await client.callTool({ name: 'count_slowly', arguments: { steps: 2, delayMs: 0 } }, {
      onprogress: (p: { progress: number }) => progress.push(p.progress),
    });
    expect(counted.content).toEqual([{ type: 'text', text: 'counted to 2' }]);
    expect(progress).toEqual([1, 2]);

    const readme = await client.readResource({ uri: 'example://readme' });
    expect((readme.contents[0] as { text: string }).text).toMatch(/^# Example registry/);
    const greeting = await client.readResource({ uri: 'example://greetings/Grace' });
    expect((greeting.contents[0] as { text: string }).text).toBe('Hello, Grace!');

    const prompt = await client.getPrompt({ name: 'review_code', arguments: { code: 'x()' } });
    expect((prompt.messages[0].content as { text: string }).text).toContain('x()');
    await client.close();
  });
});

describe('the http edge of the local server', () => {
  test('a browser preflight from the Inspector origin is answered with the MCP headers', async () => {
    const res = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { 'origin': 'http://localhost:6274', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, mcp-session-id' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    expect(res.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
  });

  test('a foreign Origin is refused with 403 (DNS rebinding)', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'origin': 'http://evil.example', 'content-type': 'application/json', 'accept': ACCEPT_BOTH },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/evil\.example/);
  });

  test('an unknown path is 404', async () => {
    const res = await fetch(server.url.replace(/\/mcp$/, '/nope'));
    expect(res.status).toBe(404);
  });
});
