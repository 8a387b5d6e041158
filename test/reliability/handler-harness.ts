/**
 * The real Lambda handler (entry/index.ts `createHandler`) driven in process with
 * Function URL events through the awslambda shim (`invokeStreamingHandler` +
 * `CollectingSink`): the exact code path Lambda runs, fast enough for thousands of
 * property-based runs. The stores are the in-memory ones, wrapped so that every write
 * is counted and the store can be compared before and after a request.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ACCEPT_BOTH, messagesOf } from './raw-client';
import { CollectingSink, createInvocationContext, invokeStreamingHandler } from '../../lambda-src/entry/awslambda-shim';
import { createHandler, type StreamingHandler } from '../../lambda-src/entry/index';
import type { HandlerConfig } from '../../lambda-src/model/config';
import type { RegistryItem, RegistryItemType, StoredRegistryItem, FunctionTarget } from '../../lambda-src/model/registry-item';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import type { RegistryStore } from '../../lambda-src/store/registry-store';
import type { SessionPatch, SessionRecord, SessionStore } from '../../lambda-src/store/session-store';
import type { InvokeOptions, InvokeOutcome, ToolInvoker } from '../../lambda-src/tools/tool-invoker';

/** A SessionStore that counts the writes that went through. */
export class CountingSessionStore implements SessionStore {
  writes = 0;
  readonly ids = new Set<string>();
  constructor(private readonly inner: SessionStore = new MemorySessionStore()) {}
  async create(record: SessionRecord): Promise<void> {
    await this.inner.create(record);
    this.ids.add(record.id);
    this.writes++;
  }
  get(id: string): Promise<SessionRecord | undefined> {
    return this.inner.get(id);
  }
  async update(id: string, patch: SessionPatch, expectedVersion?: number): Promise<SessionRecord | undefined> {
    const updated = await this.inner.update(id, patch, expectedVersion);
    if (updated) this.writes++;
    return updated;
  }
  async delete(id: string): Promise<boolean> {
    const existed = await this.inner.delete(id);
    if (existed) this.writes++;
    return existed;
  }
  /** Every live session as stored, for before/after comparison. */
  async snapshot(): Promise<Array<SessionRecord | undefined>> {
    return Promise.all([...this.ids].sort().map((id) => this.inner.get(id)));
  }
}

/** A RegistryStore that counts writes (the HTTP edge must never make one). */
export class CountingRegistryStore implements RegistryStore {
  writes = 0;
  constructor(private readonly inner: RegistryStore = new MemoryRegistryStore()) {}
  list(): Promise<StoredRegistryItem[]> {
    return this.inner.list();
  }
  get(type: RegistryItemType, id: string): Promise<StoredRegistryItem | undefined> {
    return this.inner.get(type, id);
  }
  put(item: RegistryItem, expectedVersion?: number): Promise<StoredRegistryItem> {
    this.writes++;
    return this.inner.put(item, expectedVersion);
  }
  delete(type: RegistryItemType, id: string, expectedVersion?: number): Promise<boolean> {
    this.writes++;
    return this.inner.delete(type, id, expectedVersion);
  }
}

/** What a well-behaved function returns for a tool call, a resource read and a prompt. */
function answerByKind(e: any): unknown {
  if (typeof e.uri === 'string') return { contents: [{ uri: e.uri, mimeType: 'text/plain', text: JSON.stringify(e.variables ?? null) }] };
  if (typeof e.prompt === 'string') return { messages: [{ role: 'user', content: { type: 'text', text: JSON.stringify(e.arguments) } }] };
  return { content: [{ type: 'text', text: JSON.stringify(e.arguments ?? null) }] };
}

/** Runs every function in process and records exactly what each one was given. */
export class RecordingInvoker implements ToolInvoker {
  readonly events: Array<{ target: FunctionTarget; event: any }> = [];
  constructor(private readonly answer: (event: any) => unknown = answerByKind) {}
  async invoke(target: FunctionTarget, event: unknown, _options?: InvokeOptions): Promise<InvokeOutcome> {
    this.events.push({ target, event });
    return { ok: true, payload: this.answer(event) };
  }
}

export interface HarnessAnswer {
  readonly status: number;
  readonly headers: Array<[string, string]>;
  readonly body: string;
  /** JSON-RPC messages of a JSON or SSE body; undefined when the body is not parseable as either. */
  readonly messages?: Array<Record<string, any>>;
  header(name: string): string | undefined;
}

export interface Harness {
  readonly handler: StreamingHandler;
  readonly sessions: CountingSessionStore;
  readonly registryStore: CountingRegistryStore;
  readonly invoker: RecordingInvoker;
  readonly config: HandlerConfig;
  /** Sends one Function URL event; throws only if the handler threw out of its entry point. */
  send(event: APIGatewayProxyEventV2): Promise<HarnessAnswer>;
}

export async function createHarness(
  items: RegistryItem[], configOverrides: Partial<HandlerConfig> = {}, invoker = new RecordingInvoker(),
): Promise<Harness> {
  const config: HandlerConfig = {
    sessionTable: 'sessions',
    registryTable: 'registry',
    serverName: 'reliability-fuzz',
    serverVersion: '1.0.0',
    sessionTtlSeconds: 3600,
    registryCacheSeconds: 3600,
    authMode: 'none',
    allowedOrigins: [],
    maxBodyBytes: 64 * 1024,
    toolTimeoutSeconds: 10,
    ...configOverrides,
  };
  const registryStore = new CountingRegistryStore();
  for (const item of items) await registryStore.put(item);
  registryStore.writes = 0;
  const sessions = new CountingSessionStore();
  const handler = createHandler({ config, sessions, registryStore, invoker, log: () => undefined });
  return {
    handler,
    sessions,
    registryStore,
    invoker,
    config,
    async send(event) {
      const sink = new CollectingSink();
      await invokeStreamingHandler(handler, event, sink, createInvocationContext({ timeoutMs: 60_000 }));
      const body = sink.body();
      const contentType = sink.header('content-type') ?? null;
      let messages: Array<Record<string, any>> | undefined;
      try {
        messages = body === '' ? [] : messagesOf(body, contentType);
        if (!contentType?.startsWith('text/event-stream') && body !== '' && messages.length === 0) messages = undefined;
      } catch {
        messages = undefined;
      }
      return { status: sink.statusCode ?? 0, headers: sink.headers, body, messages, header: (n) => sink.header(n) };
    },
  };
}

/** A Function URL event (payload format 2.0) as AWS sends it for a request to `/mcp`. */
export function urlEvent(options: {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  path?: string;
}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/mcp';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {
      'host': 'abc.lambda-url.us-east-1.on.aws',
      'content-type': 'application/json',
      'accept': ACCEPT_BOTH,
      ...options.headers,
    },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abc',
      domainName: 'abc.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'fuzz' },
      requestId: 'fuzz',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: options.body,
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/** Opens a 2025-era session through the handler; its id. */
export async function openHarnessSession(harness: Harness, protocolVersion: string): Promise<string> {
  const init = await harness.send(urlEvent({
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } }),
  }));
  const id = init.header('mcp-session-id');
  if (init.status !== 200 || !id) throw new Error(`initialize failed: ${init.status} ${init.body}`);
  const ack = await harness.send(urlEvent({
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    headers: { 'mcp-session-id': id, 'mcp-protocol-version': protocolVersion },
  }));
  if (ack.status !== 202) throw new Error(`initialized failed: ${ack.status} ${ack.body}`);
  return id;
}

/** Whether a message is a well-formed JSON-RPC 2.0 response (result xor error). */
export function isJsonRpcResponse(m: Record<string, any>): boolean {
  if (m === null || typeof m !== 'object' || m.jsonrpc !== '2.0' || !('id' in m)) return false;
  const idOk = m.id === null || typeof m.id === 'string' || (typeof m.id === 'number' && Number.isFinite(m.id));
  if (!idOk) return false;
  if ('result' in m) return !('error' in m) && typeof m.result === 'object' && m.result !== null;
  return typeof m.error === 'object' && m.error !== null && Number.isInteger(m.error.code) && typeof m.error.message === 'string';
}

/** Whether a message is a JSON-RPC notification or request the server may send on a stream. */
export function isJsonRpcServerMessage(m: Record<string, any>): boolean {
  return isJsonRpcResponse(m) || (m?.jsonrpc === '2.0' && typeof m.method === 'string');
}
