/**
 * Truthful capabilities (docs/endpoint.md, "Capabilities: exactly what this deployment serves"): for every combination of what a registry holds
 * (tools, resources, templates, prompts, completion values) and whether events are on,
 * the capabilities a real client receives, from `initialize` (SDK v1, 2025-11-25) and
 * from `server/discover` (SDK v2, 2026-07-28), are exactly what the deployment serves.
 * The expectation is written out here from the rules in docs/readme/capabilities.md, not
 * computed by the code under test. Each server runs the real handler over HTTP; in
 * buffered mode too, where 2026-07-28 has no `subscriptions/listen` stream to carry
 * notifications.
 */
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// eslint-disable-next-line import/no-unresolved
import { ListResourcesResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { createBufferedLambdaHandler, type RuntimeOverrides } from '../../lambda-src/entry/index';
import type { HandlerConfig } from '../../lambda-src/model/config';
import type { RegistryItem } from '../../lambda-src/model/registry-item';
import { MemoryEventLog } from '../../lambda-src/store/memory-event-log';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { MemoryTaskStore } from '../../lambda-src/store/memory-task-store';
import { startBufferedServer } from '../buffered/buffered-handler-server';
import { startHandlerServer } from '../reliability/handler-server';
import { handlerConfig } from '../support/handler-config';

const config: HandlerConfig = handlerConfig({ serverName: 'caps' });

interface Shape {
  tools: boolean; resources: boolean; templates: boolean; prompts: boolean; completions: boolean; events: boolean;
}

function registryOf(shape: Shape): RegistryItem[] {
  const items: RegistryItem[] = [];
  if (shape.tools) items.push({ type: 'tool', name: 'echo', inputSchema: { type: 'object' }, lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo' });
  if (shape.resources) items.push({ type: 'resource', uri: 'app://readme', name: 'readme', text: 'hi' });
  if (shape.templates) {
    items.push({
      type: 'resourceTemplate',
      uriTemplate: 'app://docs/{name}',
      name: 'doc',
      lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:doc',
      ...(shape.completions && !shape.prompts ? { completions: { name: ['alpha', 'beta'] } } : {}),
    });
  }
  if (shape.prompts) {
    items.push({
      type: 'prompt',
      name: 'greet',
      arguments: [{ name: 'who', required: true, ...(shape.completions ? { completions: ['world'] } : {}) }],
      messages: [{ role: 'user', content: { type: 'text', text: 'hello {{who}}' } }],
    });
  }
  return items;
}

/** The rules, written out: docs/readme/capabilities.md. */
function expected(shape: Shape, era: '2025' | '2026', mode: 'streaming' | 'buffered'): Record<string, unknown> {
  // Events reach a 2025-era session on its GET stream (polled in buffered mode), and a
  // 2026-07-28 client only on a subscriptions/listen stream, which needs streaming.
  const notify = shape.events && (era === '2025' || mode === 'streaming');
  const caps: Record<string, unknown> = { tools: notify ? { listChanged: true } : {} };
  // Tools here are plain (not streaming) Lambda functions, which have no log channel
  // back: log messages reach a client only as events (SNS notifications/message). A
  // streaming tool adds `logging` (test/tools/streaming-tools-e2e.test.ts).
  if (shape.events) caps.logging = {};
  if (shape.resources || shape.templates) caps.resources = notify ? { listChanged: true, subscribe: true } : {};
  if (shape.prompts) caps.prompts = notify ? { listChanged: true } : {};
  // completion/complete answers for any prompt or template: their values, or none.
  if (shape.prompts || shape.templates) caps.completions = {};
  return caps;
}

const DIMENSIONS = ['tools', 'resources', 'templates', 'prompts', 'completions', 'events'] as const;
/** Every combination of the dimensions, on and off. */
const combinations = DIMENSIONS.reduce<Shape[]>(
  (acc, dimension) => acc.flatMap((shape) => [{ ...shape, [dimension]: false }, { ...shape, [dimension]: true }]),
  [{} as Shape],
);
// Completion values live on a prompt argument or a template variable.
const shapes = combinations.filter((s) => !s.completions || s.prompts || s.templates);

const name = (s: Shape) => Object.entries(s).filter(([, on]) => on).map(([k]) => k).join('+') || 'empty registry, events off';

async function overridesFor(shape: Shape): Promise<RuntimeOverrides> {
  const registryStore = new MemoryRegistryStore();
  for (const item of registryOf(shape)) await registryStore.put(item);
  return {
    config,
    registryStore,
    sessions: new MemorySessionStore(),
    log: () => undefined,
    ...(shape.events ? { eventLog: new MemoryEventLog(), eventConfig: { pollIntervalMs: 1000, eventTtlSeconds: 3600 } } : {}),
  };
}

async function capabilitiesOf(url: string): Promise<{ v1: unknown; v2: unknown }> {
  const v1 = new ClientV1({ name: 'caps-v1', version: '1.0.0' });
  await v1.connect(new TransportV1(new URL(url)));
  const v1Caps = v1.getServerCapabilities();
  await v1.close();
  const v2 = new ClientV2({ name: 'caps-v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await v2.connect(new TransportV2(new URL(url)));
  const v2Caps = (await v2.discover()).capabilities;
  await v2.close();
  return { v1: v1Caps, v2: v2Caps };
}

describe.each(shapes.map((s) => [name(s), s] as const))('%s', (_name, shape) => {
  test('streaming: initialize and server/discover declare exactly what is served', async () => {
    const server = await startHandlerServer(await overridesFor(shape));
    try {
      const { v1, v2 } = await capabilitiesOf(server.url);
      expect(v1).toEqual(expected(shape, '2025', 'streaming'));
      expect(v2).toEqual(expected(shape, '2026', 'streaming'));
    } finally {
      await server.close();
    }
  });

  test('buffered: the same, without notifications where no stream carries them', async () => {
    const server = await startBufferedServer(createBufferedLambdaHandler(await overridesFor(shape)));
    try {
      const { v1, v2 } = await capabilitiesOf(server.url);
      expect(v1).toEqual(expected(shape, '2025', 'buffered'));
      expect(v2).toEqual(expected(shape, '2026', 'buffered'));
    } finally {
      await server.close();
    }
  });
});

test('every advertised method answers, and an unadvertised one is refused as not found', async () => {
  const shape: Shape = { tools: false, resources: false, templates: false, prompts: true, completions: false, events: false };
  const server = await startHandlerServer(await overridesFor(shape));
  try {
    const client = new ClientV1({ name: 'caps-v1', version: '1.0.0' });
    await client.connect(new TransportV1(new URL(server.url)));
    expect((await client.listTools()).tools).toEqual([]);
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['greet']);
    await expect(client.request({ method: 'resources/list', params: {} }, ListResourcesResultSchema))
      .rejects.toMatchObject({ code: -32601 });
    // A prompt without completion values still gets an answer: none.
    expect((await client.complete({ ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'who', value: 'w' } })).completion.values).toEqual([]);
    // Events are off and tools run as Lambda functions: no log message can reach the client.
    await expect(client.setLoggingLevel('error')).rejects.toMatchObject({ code: -32601 });
    await client.close();
  } finally {
    await server.close();
  }
});

test('with nothing to complete, completion/complete is not served', async () => {
  const shape: Shape = { tools: true, resources: true, templates: false, prompts: false, completions: false, events: true };
  const server = await startHandlerServer(await overridesFor(shape));
  try {
    const client = new ClientV1({ name: 'caps-v1', version: '1.0.0' });
    await client.connect(new TransportV1(new URL(server.url)));
    await expect(client.complete({ ref: { type: 'ref/resource', uri: 'app://readme' }, argument: { name: 'x', value: '' } }))
      .rejects.toMatchObject({ code: -32601 });
    await client.close();
  } finally {
    await server.close();
  }
});

test('tasks are declared only when a registered tool may run as one, in both eras', async () => {
  async function capabilitiesWith(taskSupport: 'optional' | undefined) {
    const registryStore = new MemoryRegistryStore();
    await registryStore.put({
      type: 'tool', name: 'report', inputSchema: { type: 'object' }, lambdaArn: 'report', ...(taskSupport ? { taskSupport } : {}),
    } as RegistryItem);
    const server = await startHandlerServer({
      config, registryStore, sessions: new MemorySessionStore(), tasks: new MemoryTaskStore(), log: () => undefined,
    });
    try {
      return await capabilitiesOf(server.url);
    } finally {
      await server.close();
    }
  }
  const without = await capabilitiesWith(undefined);
  expect(without.v1).not.toHaveProperty('tasks');
  expect(without.v2).not.toHaveProperty('extensions');
  const withTasks = await capabilitiesWith('optional');
  expect(withTasks.v1).toHaveProperty('tasks');
  expect(withTasks.v2).toHaveProperty(['extensions', 'io.modelcontextprotocol/tasks']);
});
