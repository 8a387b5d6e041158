/**
 * What the protocol tests share: a config, a registry of two tools over the real
 * RegistrySource, a ToolInvoker for those tools (the seam the registry layer calls,
 * in place of Lambda), a SessionStore wrapper that records every call made to the
 * real store underneath, and request builders.
 */
import type { HandlerConfig } from '../../lambda-src/model/config';
import type { FunctionTarget, PromptItem, ToolItem } from '../../lambda-src/model/registry-item';
import type { RequestContext } from '../../lambda-src/model/request-context';
import { buildMcpServer } from '../../lambda-src/protocol/server-builder';
import type { Principal, SessionPatch, SessionRecord, SessionStore } from '../../lambda-src/store/session-store';
import type { InvokeOptions, InvokeOutcome, ToolInvoker } from '../../lambda-src/tools/tool-invoker';
import { handlerConfig } from '../support/handler-config';

export const ACCEPT_BOTH = 'application/json, text/event-stream';

export function testConfig(overrides: Partial<HandlerConfig> = {}): HandlerConfig {
  return handlerConfig({
    serverName: 'protocol-test',
    serverVersion: '1.2.3',
    registryCacheSeconds: 30,
    maxBodyBytes: 64 * 1024,
    toolTimeoutSeconds: 10,
    ...overrides,
  });
}

export const TOOLS: ToolItem[] = [
  {
    type: 'tool',
    name: 'echo',
    description: 'Echo a message',
    inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
  },
  {
    type: 'tool',
    name: 'count',
    description: 'Counts to `steps`, reporting progress at each step',
    inputSchema: { type: 'object', properties: { steps: { type: 'integer', minimum: 1 } }, required: ['steps'] },
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:count',
  },
];

/** A static prompt whose argument offers completions (for `completion/complete`). */
export const PROMPT: PromptItem = {
  type: 'prompt',
  name: 'greet',
  description: 'Greets someone',
  arguments: [{ name: 'language', required: true, completions: ['english', 'esperanto', 'estonian', 'french'] }],
  messages: [{ role: 'user', content: { type: 'text', text: 'Say hello in {{language}}' } }],
};

interface ToolEvent {
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  readonly context: Record<string, unknown>;
}

/** Runs the two test tools in-process; records every event it was given. */
export class TestToolInvoker implements ToolInvoker {
  readonly events: ToolEvent[] = [];

  async invoke(_target: FunctionTarget, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome> {
    const e = event as ToolEvent;
    this.events.push(e);
    switch (e.tool) {
      case 'echo':
        return { ok: true, payload: { content: [{ type: 'text', text: String(e.arguments.message) }] } };
      case 'count': {
        const steps = Number(e.arguments.steps);
        for (let i = 1; i <= steps; i++) {
          options?.onProgress?.({ progress: i, total: steps, message: `step ${i}` });
          await new Promise((resolve) => setImmediate(resolve));
        }
        return { ok: true, payload: { content: [{ type: 'text', text: `counted to ${steps}` }] } };
      }
      default:
        return { ok: false, kind: 'not_found', message: `no function behind ${e.tool}` };
    }
  }
}

export interface StoreCall {
  readonly op: 'create' | 'get' | 'update' | 'delete';
  readonly id: string;
  readonly patch?: SessionPatch;
}

/** Delegates to a real SessionStore and records each call, so tests can count reads and see every write. */
export class RecordingSessionStore implements SessionStore {
  readonly calls: StoreCall[] = [];
  constructor(readonly inner: SessionStore) {}

  create(record: SessionRecord): Promise<void> {
    this.calls.push({ op: 'create', id: record.id });
    return this.inner.create(record);
  }
  get(id: string): Promise<SessionRecord | undefined> {
    this.calls.push({ op: 'get', id });
    return this.inner.get(id);
  }
  update(id: string, patch: SessionPatch, expectedVersion?: number): Promise<SessionRecord | undefined> {
    this.calls.push({ op: 'update', id, patch });
    return this.inner.update(id, patch, expectedVersion);
  }
  delete(id: string): Promise<boolean> {
    this.calls.push({ op: 'delete', id });
    return this.inner.delete(id);
  }
  writes(): StoreCall[] {
    return this.calls.filter((c) => c.op !== 'get');
  }
  reset(): void {
    this.calls.length = 0;
  }
}

export const ALICE: Principal = { kind: 'oauth', id: 'alice' };
export const BOB: Principal = { kind: 'oauth', id: 'bob' };

let requestCounter = 0;

export function context(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    requestId: `test-${++requestCounter}`,
    principal: ALICE,
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    ...overrides,
  };
}

export function postRequest(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request('http://127.0.0.1/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': ACCEPT_BOTH, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function initializeMessage(protocolVersion: string, id: number | string = 1): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion, capabilities: { roots: {} }, clientInfo: { name: 'raw-test-client', version: '0.0.1' } },
  };
}

/** The `_meta` envelope every 2026-07-28 request carries. */
export function modernMeta(): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'raw-modern-client', version: '0.0.1' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
}

export function modernRequest(method: string, params: Record<string, unknown> = {}, id: number = 1, name?: string): Request {
  const headers: Record<string, string> = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': method };
  if (name !== undefined) headers['mcp-name'] = name;
  return postRequest({ jsonrpc: '2.0', id, method, params: { ...params, _meta: modernMeta() } }, headers);
}

/** The JSON-RPC messages of an SSE body, in order. */
export function sseMessages(text: string): Array<Record<string, any>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line.length > 'data: '.length)
    .map((line) => JSON.parse(line.slice('data: '.length)));
}

const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;

/**
 * The registry's builder around which the tests run, plus a `ping` that sends one
 * `notifications/message` per level: something whose log output the tests can watch
 * the session's `logging/setLevel` filter with, without a tool module.
 */
export const buildServerThatLogs: typeof buildMcpServer = (snapshot, deps, call) => {
  const mcp = buildMcpServer(snapshot, deps, call);
  mcp.server.setRequestHandler('ping', async (_request, ctx) => {
    for (const level of LOG_LEVELS) await ctx.mcpReq.log(level, `ping at ${level}`);
    return {};
  });
  return mcp;
};
