// The MCP requests every benchmark target is called with, exactly as the official
// clients send them (captured from @modelcontextprotocol/client 2.4 and sdk 1.x).
const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const CLIENT_INFO = { name: 'bench', version: '1.0.0' };

function modernMeta() {
  return {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
    'io.modelcontextprotocol/clientCapabilities': {},
  };
}

/** @returns {{ method: string, headers: Record<string,string>, body: object }} */
function modern(method, params, id, name) {
  const headers = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'mcp-protocol-version': MODERN,
    'mcp-method': method,
  };
  if (name) headers['mcp-name'] = name;
  return { headers, body: { jsonrpc: '2.0', id, method, params: { ...(params || {}), _meta: modernMeta() } } };
}

function legacy(method, params, id, sessionId) {
  const headers = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'mcp-protocol-version': LEGACY,
  };
  if (sessionId) headers['mcp-session-id'] = sessionId;
  const body = { jsonrpc: '2.0', id, method };
  if (params) body.params = params;
  return { headers, body };
}

function initialize(id) {
  return {
    headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
    body: { jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: CLIENT_INFO } },
  };
}

function initialized(sessionId) {
  const r = legacy('notifications/initialized', undefined, undefined, sessionId);
  delete r.body.id;
  return r;
}

const KINDS = {
  'modern tools/list': (id) => modern('tools/list', {}, id),
  'modern tools/call': (id) => modern('tools/call', { name: 'add', arguments: { a: id, b: 2 } }, id, 'add'),
  'session tools/list': (id, sid) => legacy('tools/list', undefined, id, sid),
  'session tools/call': (id, sid) => legacy('tools/call', { name: 'add', arguments: { a: id, b: 2 } }, id, sid),
};

module.exports = { KINDS, initialize, initialized, MODERN, LEGACY };
