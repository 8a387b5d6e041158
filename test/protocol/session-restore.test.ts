/**
 * Restoring a stored session on a fresh SDK server instance (session-restore.ts).
 * These tests pin what we rely on in the SDK: after the replayed initialize and
 * setLevel, the SDK's public accessors report the stored state and its log filter
 * honours the stored level. If an SDK release changes how a server learns its
 * session's state, they fail here rather than in production.
 */
import { McpServer, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { SessionExchangeTransport } from '../../lambda-src/protocol/session-exchange-transport';
import { restoreSession } from '../../lambda-src/protocol/session-restore';

const stored = {
  protocolVersion: '2025-06-18',
  clientCapabilities: { sampling: {}, roots: { listChanged: true } },
  clientInfo: { name: 'restored-client', version: '9.8.7' },
};

function serverThatLogsAtEveryLevel(): McpServer {
  const server = new McpServer({ name: 'restore-test', version: '1.0.0' }, { capabilities: { logging: {} } });
  server.registerTool('log-all', { description: 'logs once per level' }, async (ctx) => {
    for (const level of ['debug', 'info', 'warning', 'error'] as const) await ctx.mcpReq.log(level, `at ${level}`);
    return { content: [{ type: 'text', text: 'done' }] };
  });
  return server;
}

async function callLogAll(logLevel: string | undefined): Promise<{ server: McpServer; frames: JSONRPCMessage[] }> {
  const server = serverThatLogsAtEveryLevel();
  const transport = new SessionExchangeTransport({ sessionId: 'session-a', responseMode: 'auto', keepAliveMs: 0 });
  await server.connect(transport);
  await restoreSession(transport, { ...stored, logLevel });
  const outcome = await transport.exchange([{ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'log-all', arguments: {} } }]);
  if (outcome.kind !== 'stream') throw new Error(`expected an SSE stream, got ${outcome.kind}`);
  const text = await outcome.response.text();
  const frames = text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)) as JSONRPCMessage);
  return { server, frames };
}

function loggedLevels(frames: JSONRPCMessage[]): string[] {
  return frames
    .filter((f) => 'method' in f && f.method === 'notifications/message')
    .map((f) => (f as unknown as { params: { level: string } }).params.level);
}

describe('restoreSession', () => {
  test('a fresh server reports the stored version, client capabilities and client info', async () => {
    const server = serverThatLogsAtEveryLevel();
    const transport = new SessionExchangeTransport({ sessionId: 'session-a', responseMode: 'auto', keepAliveMs: 0 });
    await server.connect(transport);
    expect(server.server.getNegotiatedProtocolVersion()).toBeUndefined();

    await restoreSession(transport, stored);

    expect(server.server.getNegotiatedProtocolVersion()).toBe('2025-06-18');
    expect(server.server.getClientCapabilities()).toEqual(stored.clientCapabilities);
    expect(server.server.getClientVersion()).toEqual(stored.clientInfo);
    await server.close();
  });

  test('the stored log level filters notifications/message on the restored server', async () => {
    const { frames } = await callLogAll('warning');
    expect(loggedLevels(frames)).toEqual(['warning', 'error']);
    const result = frames.find((f) => 'id' in f && f.id === 7);
    expect(result).toMatchObject({ result: { content: [{ type: 'text', text: 'done' }] } });
  });

  test('without a stored level every message is sent', async () => {
    const { frames } = await callLogAll(undefined);
    expect(loggedLevels(frames)).toEqual(['debug', 'info', 'warning', 'error']);
  });

  test('the replayed requests never reach the client', async () => {
    const { frames } = await callLogAll('error');
    const ids = frames.filter((f) => 'id' in f).map((f) => (f as { id: unknown }).id);
    expect(ids).toEqual([7]);
  });
});
