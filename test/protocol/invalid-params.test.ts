/**
 * invalid-params.ts corrects one SDK answer. These tests pin both sides: that the SDK
 * still answers schema-invalid params with -32603 and a zod issue list (when this
 * first test fails, the SDK fixed it: delete invalid-params.ts), and that the
 * correction turns it into -32602 with a readable message.
 */
import { McpServer, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { correctInvalidParams, withInvalidParamsCorrection } from '../../lambda-src/protocol/invalid-params';
import { SessionExchangeTransport } from '../../lambda-src/protocol/session-exchange-transport';

async function setLevel(server: McpServer, level: string): Promise<JSONRPCMessage> {
  const transport = new SessionExchangeTransport({ responseMode: 'json', keepAliveMs: 0 });
  await server.connect(transport);
  const outcome = await transport.exchange([{ jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level } }]);
  if (outcome.kind !== 'json') throw new Error(`expected JSON, got ${outcome.kind}`);
  return outcome.messages[0];
}

const newServer = () => new McpServer({ name: 'x', version: '1' }, { capabilities: { logging: {} } });

test('the SDK answers schema-invalid params with -32603 and a zod issue list', async () => {
  const answer = (await setLevel(newServer(), 'loud')) as { error: { code: number; message: string } };
  expect(answer.error.code).toBe(-32603);
  expect(JSON.parse(answer.error.message)[0].path).toEqual(['params', 'level']);
});

test('with the correction the client gets -32602 naming the bad param', async () => {
  const answer = (await setLevel(withInvalidParamsCorrection(newServer()), 'loud')) as { error: { code: number; message: string } };
  expect(answer.error.code).toBe(-32602);
  expect(answer.error.message).toMatch(/^Invalid params: params\.level: Invalid option: expected one of "debug"/);
});

test('valid params and other errors pass unchanged', async () => {
  expect(await setLevel(withInvalidParamsCorrection(newServer()), 'info')).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  const internal = { jsonrpc: '2.0' as const, id: 2, error: { code: -32603, message: 'the database is down' } };
  expect(correctInvalidParams(internal)).toBe(internal);
});
