/**
 * modern-claim.ts answers "not legacy" without asking the SDK. Wherever it says so, the
 * SDK's own isLegacyRequest must agree; when it does not say so, the endpoint asks the
 * SDK, so a `false` is never wrong. If an SDK upgrade starts routing such a message to
 * legacy handling, the first test fails.
 */
import { isLegacyRequest, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import { claimsModernEnvelope } from '../../lambda-src/protocol/modern-claim';

const META = {
  [PROTOCOL_VERSION_META_KEY]: '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

function post(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request('https://x.lambda-url.us-east-1.on.aws/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Bodies with an envelope claim, well-formed or not, and header combinations around them. */
const CLAIMING: Array<[string, unknown, Record<string, string>]> = [
  ['tools/call', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: {}, _meta: META } }, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' }],
  ['tools/list without headers', { jsonrpc: '2.0', id: 'a', method: 'tools/list', params: { _meta: META } }, {}],
  ['a 2025 header', { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: META } }, { 'mcp-protocol-version': '2025-11-25' }],
  ['a mismatched method header', { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: META } }, { 'mcp-method': 'tools/call' }],
  ['an invalid envelope', { jsonrpc: '2.0', id: 4, method: 'tools/list', params: { _meta: { [PROTOCOL_VERSION_META_KEY]: 7 } } }, {}],
  ['an unknown revision', { jsonrpc: '2.0', id: 5, method: 'tools/list', params: { _meta: { ...META, [PROTOCOL_VERSION_META_KEY]: '2030-01-01' } } }, {}],
  ['a notification', { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: META } }, {}],
  ['no jsonrpc member', { id: 6, method: 'tools/list', params: { _meta: META } }, {}],
  ['a non-scalar id', { jsonrpc: '2.0', id: { x: 1 }, method: 'tools/list', params: { _meta: META } }, {}],
];

test.each(CLAIMING)('claims the envelope, and the SDK agrees it is not legacy: %s', async (_name, body, headers) => {
  expect(claimsModernEnvelope(body)).toBe(true);
  expect(await isLegacyRequest(post(body, headers), body)).toBe(false);
});

test('everything else is left to the SDK', () => {
  const left = [
    { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' }, _meta: META } },
    { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { progressToken: 1 } } },
    { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: [META] } },
    { jsonrpc: '2.0', id: 1, result: {}, method: 'tools/list', params: { _meta: META } },
    { jsonrpc: '2.0', id: 1, error: { code: 1, message: 'x' }, method: 'tools/list', params: { _meta: META } },
    [{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } }],
    { jsonrpc: '2.0', id: 1, method: 7, params: { _meta: META } },
    null,
    'tools/list',
  ];
  for (const body of left) expect(claimsModernEnvelope(body)).toBe(false);
});
