/**
 * Prompt and resource functions that ask the client for input, like tools do
 * (2026-07-28 basic/patterns/mrtr: `prompts/get` and `resources/read` may answer
 * `input_required`): over real HTTP with the official clients, in both eras.
 *
 * - 2026-07-28 (raw requests, as the conformance suite's
 *   `input-required-result-non-tool-request` sends them): the `input_required` result,
 *   then the retry with `inputResponses` and the sealed `requestState`.
 * - 2025-11-25 (SDK v1 client with an elicitation handler): the input request arrives as
 *   a server-to-client request on the POST stream and the function runs again.
 *
 * The functions are local handler modules run by the real LocalInvoker.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
// eslint-disable-next-line import/no-unresolved
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// eslint-disable-next-line import/no-unresolved
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { RegistryItem } from '../../lambda-src/model/registry-item';
import { createMcpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { RequestStateSeal } from '../../lambda-src/s2c/request-state-seal';
import { MemoryPendingRequestStore } from '../../lambda-src/store/memory-pending-request-store';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { LocalInvoker } from '../../lambda-src/tools/local-invoker';
import { ALICE, testConfig } from '../protocol/endpoint-fixture';
import { startWebRequestServer, type WebRequestServer } from '../protocol/web-request-server';
import { postRawModern } from '../support/raw-modern-request';

const FIXTURES = join(__dirname, 'fixtures');
const ITEMS: RegistryItem[] = [
  { type: 'prompt', name: 'briefing', arguments: [{ name: 'topic', required: true }], handler: './ask-items.js#briefing', baseDir: FIXTURES },
  { type: 'prompt', name: 'bad_prompt', handler: './ask-items.js#badAsk', baseDir: FIXTURES },
  { type: 'resource', uri: 'vault://secret', name: 'secret', handler: './ask-items.js#secret', baseDir: FIXTURES },
];

let server: WebRequestServer;
let nextId = 1;

beforeAll(async () => {
  const registryStore = new MemoryRegistryStore();
  for (const item of ITEMS) await registryStore.put(item);
  const key = randomBytes(32);
  const endpoint = createMcpEndpoint({
    config: testConfig(),
    sessions: new MemorySessionStore(),
    registry: new RegistrySource(registryStore),
    invoker: new LocalInvoker(),
    pending: new MemoryPendingRequestStore(),
    inputSeal: new RequestStateSeal(async () => key),
    options: { log: () => undefined },
  });
  server = await startWebRequestServer((request, ctx) => endpoint.handle(request, ctx), { context: () => ({ principal: ALICE }) });
});

afterAll(async () => {
  await server?.close();
});

type Reply = { result?: Record<string, any>; error?: Record<string, any> };

async function modern(method: string, params: Record<string, unknown>, name: string): Promise<Reply> {
  return postRawModern<Reply>(server.url, method, params, { id: nextId++, name, clientCapabilities: { elicitation: {} } });
}

describe('2026-07-28: input_required from prompts/get and resources/read', () => {
  test('prompts/get asks, then answers the retry with inputResponses and the sealed requestState', async () => {
    const first = await modern('prompts/get', { name: 'briefing', arguments: { topic: 'tides' } }, 'briefing');
    expect(first.error).toBeUndefined();
    expect(first.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: { user_context: { method: 'elicitation/create', params: { message: 'What context should the prompt use?' } } },
    });
    const state = first.result!.requestState as string;
    // The function's own state travels sealed, not as it wrote it.
    expect(state).not.toContain('tides');

    const second = await modern('prompts/get', {
      name: 'briefing',
      arguments: { topic: 'tides' },
      inputResponses: { user_context: { action: 'accept', content: { context: 'sailing' } } },
      requestState: state,
    }, 'briefing');
    expect(second.result).toMatchObject({
      resultType: 'complete',
      messages: [{ role: 'user', content: { type: 'text', text: 'Brief me on tides in the context of sailing' } }],
    });
  });

  test("a prompt's sealed state is refused on another prompt (-32602)", async () => {
    const first = await modern('prompts/get', { name: 'briefing', arguments: { topic: 'tides' } }, 'briefing');
    const replayed = await modern('prompts/get', { name: 'bad_prompt', requestState: first.result!.requestState, inputResponses: {} }, 'bad_prompt');
    expect(replayed.error).toMatchObject({ code: -32602, message: expect.stringMatching(/Invalid or expired requestState/) });
  });

  test('resources/read asks, then returns the contents', async () => {
    const first = await modern('resources/read', { uri: 'vault://secret' }, 'vault://secret');
    expect(first.result).toMatchObject({ resultType: 'input_required', inputRequests: { passphrase: { method: 'elicitation/create' } } });
    const second = await modern('resources/read', {
      uri: 'vault://secret', inputResponses: { passphrase: { action: 'accept', content: { word: 'open sesame' } } },
    }, 'vault://secret');
    expect(second.result).toMatchObject({ contents: [{ uri: 'vault://secret', text: 'opened with open sesame' }] });
  });

  test('a malformed request for input from a prompt function is an internal error naming the mistake', async () => {
    const bad = await modern('prompts/get', { name: 'bad_prompt' }, 'bad_prompt');
    expect(bad.error).toMatchObject({ code: -32603, message: expect.stringMatching(/prompt 'bad_prompt' returned an invalid input_required result: inputRequests\.x\.method "tools\/call"/) });
  });
});

describe('2025-11-25: the same functions through server-to-client requests', () => {
  test('prompts/get and resources/read elicit on the POST stream, and the functions run again with the answers', async () => {
    const client = new Client({ name: 'v1', version: '1' }, { capabilities: { elicitation: {} } });
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return request.params.message.startsWith('Passphrase')
        ? { action: 'accept', content: { word: 'swordfish' } }
        : { action: 'accept', content: { context: 'a storm' } };
    });
    await client.connect(new StreamableHTTPClientTransport(server.url));
    const prompt = await client.getPrompt({ name: 'briefing', arguments: { topic: 'tides' } });
    expect(prompt.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Brief me on tides in the context of a storm' } }]);
    const read = await client.readResource({ uri: 'vault://secret' });
    expect(read.contents).toEqual([{ uri: 'vault://secret', mimeType: 'text/plain', text: 'opened with swordfish' }]);
    expect(asked).toEqual(['What context should the prompt use?', 'Passphrase for vault://secret?']);
    await client.close();
  });
});
