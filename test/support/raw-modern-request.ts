/**
 * One 2026-07-28 request sent as raw HTTP (no SDK client), with the `_meta` envelope
 * and the `mcp-method`/`mcp-name` headers that protocol version asks of every request;
 * the JSON-RPC answer is read from a JSON body or the last message of an SSE body.
 */

export interface RawModernOptions {
  readonly id: number;
  /** The `mcp-name` header (the tool, prompt or resource the request is about). */
  readonly name?: string;
  /** `io.modelcontextprotocol/clientCapabilities` in `_meta`. */
  readonly clientCapabilities: Record<string, unknown>;
}

export async function postRawModern<T>(url: URL | string, method: string, params: Record<string, unknown>, options: RawModernOptions): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'accept': 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(options.name !== undefined ? { 'mcp-name': options.name } : {}),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: options.id,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': options.clientCapabilities,
        },
      },
    }),
  });
  const text = await response.text();
  const data = text.startsWith('{') ? text : text.split('\n').filter((l) => l.startsWith('data: {')).map((l) => l.slice(6)).pop()!;
  return JSON.parse(data) as T;
}
