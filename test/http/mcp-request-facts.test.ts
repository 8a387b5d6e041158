/** What the request log reads from an MCP request: method and tool, headers first. */
import { mcpRequestFacts } from '../../lambda-src/http/mcp-request-facts';
import { RequestBody } from '../../lambda-src/http/request-body';

/** A body in memory, as the http layer hands it on. */
const body = (value: unknown) => new RequestBody(new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)));

test('2026-07-28 headers win over the body', () => {
  const headers = new Headers({ 'mcp-method': 'tools/call', 'mcp-name': 'lookup' });
  expect(mcpRequestFacts(headers, body({ method: 'ping' }))).toEqual({ mcpMethod: 'tools/call', tool: 'lookup' });
  expect(mcpRequestFacts(new Headers({ 'mcp-method': 'resources/read', 'mcp-name': 'file:///x' }), undefined)).toEqual({ mcpMethod: 'resources/read' });
});

test('the body: method, the tool or prompt name, responses and batches', () => {
  const h = new Headers();
  expect(mcpRequestFacts(h, body({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } }))).toEqual({ mcpMethod: 'tools/call', tool: 'echo' });
  expect(mcpRequestFacts(h, body({ jsonrpc: '2.0', id: 1, method: 'prompts/get', params: { name: 'review' } }))).toEqual({ mcpMethod: 'prompts/get', tool: 'review' });
  expect(mcpRequestFacts(h, body({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { name: 'n' } }))).toEqual({ mcpMethod: 'resources/read' });
  expect(mcpRequestFacts(h, body({ jsonrpc: '2.0', id: 1, result: {} }))).toEqual({ mcpMethod: 'response' });
  expect(mcpRequestFacts(h, body([{ jsonrpc: '2.0', id: 1, method: 'ping' }]))).toEqual({ mcpMethod: 'batch' });
});

test('nothing from what is not JSON-RPC, or too large to parse twice', () => {
  const h = new Headers();
  expect(mcpRequestFacts(h, body('not json'))).toEqual({});
  expect(mcpRequestFacts(h, body('42'))).toEqual({});
  expect(mcpRequestFacts(h, undefined)).toEqual({});
  const big = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { pad: 'x'.repeat(70 * 1024) } } };
  expect(mcpRequestFacts(h, body(big))).toEqual({});
});

test('client-chosen names are cut for the log', () => {
  const facts = mcpRequestFacts(new Headers(), body({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'n'.repeat(500) } }));
  expect(facts.tool!.length).toBeLessThanOrEqual(129);
});
