/**
 * What the request log and the metrics say about an MCP request: its JSON-RPC method
 * and, for `tools/call` and `prompts/get`, the tool or prompt it names.
 *
 * 2026-07-28 clients send `Mcp-Method` and `Mcp-Name` headers (SEP-2243), which are read
 * first; otherwise the body is parsed when it is small enough that a second parse (the
 * protocol layer parses it again, unless the body was kept with its request and the
 * parse is shared, request-body.ts) costs microseconds. A larger body is logged
 * without them rather than parsed twice.
 */
import type { RequestBody } from './request-body';
import { BATCH_LABEL, RESPONSE_LABEL } from '../ops/mcp-method-label';

export interface McpRequestFacts {
  readonly mcpMethod?: string;
  readonly tool?: string;
}

/** Bodies up to this size are parsed for the log. */
export const FACTS_PARSE_LIMIT_BYTES = 64 * 1024;
/** Client-chosen strings are cut to this length in the log. */
const MAX_LOGGED_NAME = 128;

/** `body`: the request's body in memory (request-body.ts), parsed once for the log and the endpoint. */
export function mcpRequestFacts(headers: Headers, body: RequestBody | undefined): McpRequestFacts {
  const headerMethod = headers.get('mcp-method') ?? undefined;
  const headerName = headers.get('mcp-name') ?? undefined;
  if (headerMethod !== undefined) {
    return { mcpMethod: cut(headerMethod), ...(headerName !== undefined && namesTool(headerMethod) ? { tool: cut(headerName) } : {}) };
  }
  if (!body || body.bytes.byteLength === 0 || body.bytes.byteLength > FACTS_PARSE_LIMIT_BYTES) return {};
  let message: unknown;
  try {
    message = body.json();
  } catch {
    return {};
  }
  if (Array.isArray(message)) return { mcpMethod: BATCH_LABEL };
  if (typeof message !== 'object' || message === null) return {};
  const m = message as { method?: unknown; params?: { name?: unknown }; result?: unknown; error?: unknown };
  if (typeof m.method !== 'string') return 'result' in m || 'error' in m ? { mcpMethod: RESPONSE_LABEL } : {};
  const name = namesTool(m.method) && typeof m.params?.name === 'string' ? cut(m.params.name) : undefined;
  return { mcpMethod: cut(m.method), ...(name !== undefined ? { tool: name } : {}) };
}

function namesTool(method: string): boolean {
  return method === 'tools/call' || method === 'prompts/get';
}

function cut(value: string): string {
  return value.length > MAX_LOGGED_NAME ? `${value.slice(0, MAX_LOGGED_NAME)}…` : value;
}
