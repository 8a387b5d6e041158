/**
 * Where the dev server keeps its state, chosen on the command line: the embedded store
 * by default (nothing to install), or a DynamoDB Local endpoint shared by two dev
 * servers, which then serve one set of sessions as two Lambda environments do. Driven
 * through runCli, the official SDK v1 client and real HTTP.
 */
import { join } from 'node:path';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { runCli } from '../../lambda-src/local/cli';
import type { DevServer } from '../../lambda-src/local/dev-server';
import { type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';

const REGISTRY = join(__dirname, '..', '..', 'examples', 'local-registry', 'registry.json');
const quietIo = { out: () => undefined, err: (t: string) => process.stderr.write(t) };

async function dev(args: string[]): Promise<DevServer> {
  const result = await runCli(['dev', '--port', '0', '--quiet', '--registry', REGISTRY, ...args], quietIo);
  if (typeof result === 'number') throw new Error(`dev exited with ${result}`);
  return result as DevServer;
}

async function connect(url: string, sessionId?: string): Promise<{ client: ClientV1; transport: TransportV1 }> {
  const client = new ClientV1({ name: 'stores-test', version: '1.0.0' });
  const transport = new TransportV1(new URL(url), sessionId ? { sessionId } : undefined);
  await client.connect(transport);
  return { client, transport };
}

describe('the embedded default', () => {
  let a: DevServer;
  let b: DevServer;
  beforeAll(async () => {
    a = await dev([]);
    b = await dev([]);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  test('serves with no DynamoDB and keeps each server\'s sessions to itself', async () => {
    expect(a.store).toBe('embedded');
    expect(a.dynamoDbEndpoint).toBeUndefined();
    const { client, transport } = await connect(a.url);
    expect((await client.callTool({ name: 'echo', arguments: { message: 'embedded' } })).content).toEqual([{ type: 'text', text: 'embedded' }]);
    // The same session id on the other process: unknown there (404), as the spec says of an unknown session.
    const res = await fetch(b.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
    await client.close();
  });
});

describe('two dev servers on one --dynamodb-endpoint', () => {
  let ddb: DynamoDbLocal;
  let a: DevServer;
  let b: DevServer;
  beforeAll(async () => {
    ddb = await startDynamoDbLocal();
    a = await dev(['--dynamodb-endpoint', ddb.endpoint]);
    b = await dev(['--dynamodb-endpoint', ddb.endpoint]);
  }, 120_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await ddb?.stop();
  });

  test('a session opened on one is served by the other, and a DELETE on the other ends it on both', async () => {
    expect(a.store).toBe('dynamodb');
    expect(a.config.sessionTable).toBe(b.config.sessionTable);
    const first = await connect(a.url);
    const sessionId = first.transport.sessionId!;
    expect(sessionId).toBeTruthy();

    // The v1 client carries on with the session id, on the other server, without initializing again.
    const second = await connect(b.url, sessionId);
    const echoed = await second.client.callTool({ name: 'echo', arguments: { message: 'moved' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'moved' }]);
    await second.transport.terminateSession();

    const res = await fetch(a.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
    await first.client.close();
    await second.client.close();
  });
});
