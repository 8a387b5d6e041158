/**
 * Raw 2025-era and 2026-07-28 requests over fetch, for tests that must see the exact
 * status, headers and JSON-RPC body of each answer (the SDK clients hide them).
 */
export const ACCEPT_BOTH = 'application/json, text/event-stream';
export const LEGACY_VERSION = '2025-11-25';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The JSON-RPC message(s): the JSON body, or the data lines of an SSE body. */
  readonly messages: Array<Record<string, any>>;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': ACCEPT_BOTH, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
  return read(response);
}

export async function read(response: Response): Promise<RawAnswer> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, messages: messagesOf(text, response.headers.get('content-type')) };
}

export function messagesOf(text: string, contentType: string | null): Array<Record<string, any>> {
  if (contentType?.startsWith('text/event-stream')) {
    return text.split('\n').filter((l) => l.startsWith('data: ') && l.length > 6).map((l) => JSON.parse(l.slice(6)));
  }
  if (text.trim() === '') return [];
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return [];
  }
}

export function initializeBody(id: number | string = 0, protocolVersion = LEGACY_VERSION): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'reliability-test', version: '1.0.0' } },
  };
}

/** initialize + notifications/initialized; the session id. Throws when the server refused. */
export async function openSession(url: string, signal?: AbortSignal): Promise<string> {
  const init = await post(url, initializeBody(), {}, signal);
  const id = init.headers.get('mcp-session-id');
  if (init.status !== 200 || !id) throw new Error(`initialize failed: ${init.status} ${init.text}`);
  const ack = await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, sessionHeaders(id), signal);
  if (ack.status !== 202) throw new Error(`notifications/initialized failed: ${ack.status} ${ack.text}`);
  return id;
}

export function sessionHeaders(sessionId: string): Record<string, string> {
  return { 'mcp-session-id': sessionId, 'mcp-protocol-version': LEGACY_VERSION };
}

export function callTool(id: number | string, name: string, args: Record<string, unknown>): Record<string, unknown> {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
}

/** The `_meta` envelope every 2026-07-28 request carries. */
export function modernBody(id: number | string, method: string, params: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id,
    method,
    params: {
      ...params,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name: 'reliability-test', version: '1.0.0' },
        'io.modelcontextprotocol/clientCapabilities': {},
      },
    },
  };
}

export function modernHeaders(method: string, name?: string): Record<string, string> {
  return { 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(name === undefined ? {} : { 'mcp-name': name }) };
}
