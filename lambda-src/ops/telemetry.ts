/**
 * The operations interface of the runtime: what the layers report about each request,
 * function invocation and stream, and nothing about how it is written. The Powertools
 * implementation (powertools-telemetry.ts) turns each report into a structured log line
 * and EMF metrics; `silentTelemetry` drops them. Every method is synchronous and never
 * throws: reporting must not fail or slow a request.
 *
 * Nothing passed here may hold a token, a secret, an Authorization header, a cookie or
 * a full session id: records carry `sessionTag` (log-tag.ts) and a principal's id only.
 */

/** One HTTP request, reported when its status and headers are ready. */
export interface RequestRecord {
  readonly requestId: string;
  /** HTTP method. */
  readonly method: string;
  /** Path without the query string (queries may carry tokens). */
  readonly path: string;
  readonly status: number;
  /** Milliseconds until status and headers were ready (a streamed body goes on after). */
  readonly latencyMs: number;
  /** The JSON-RPC method as the client sent it (logs only). */
  readonly mcpMethod?: string;
  /** The bounded label (mcp-method-label.ts) the metrics use for this request. */
  readonly methodLabel: string;
  /** The tool (tools/call) or prompt (prompts/get) named by the request, for the log. */
  readonly tool?: string;
  readonly protocolVersion?: string;
  /** log-tag.ts tag of the `Mcp-Session-Id`, never the id. */
  readonly sessionTag?: string;
  readonly principalKind?: string;
  /** The principal's stable id (an ARN, a JWT `sub`), never a credential. */
  readonly principalId?: string;
  readonly origin?: string;
  /** The response is an event stream. */
  readonly streamed?: boolean;
  /** `gzip` or `br` when the body was compressed. */
  readonly contentEncoding?: string;
  /** An unexpected error behind a 500: its stack goes to the log, never to the client. */
  readonly error?: unknown;
}

/** One function invocation (tool call, resource read, prompt get), without its data. */
export interface InvocationReport {
  readonly requestId?: string;
  readonly kind: 'tool' | 'resource' | 'prompt';
  /** The tool or prompt name (from the registry), or the resource URI. */
  readonly name: string;
  /** `ok`, or the InvokeFailureKind. */
  readonly outcome: string;
  readonly latencyMs: number;
  readonly sessionTag?: string;
}

/** An event stream's end. */
export interface StreamReport {
  readonly requestId: string;
  /** The bounded label (mcp-method-label.ts) of the request that opened the stream. */
  readonly methodLabel: string;
  /** Events with data written since the last report of this stream. */
  readonly events: number;
  readonly durationMs?: number;
}

export interface Telemetry {
  request(record: RequestRecord): void;
  invocation(report: InvocationReport): void;
  streamOpened(requestId: string, methodLabel: string): void;
  /** Events delivered on a stream still open (a periodic report of a long stream). */
  eventsDelivered(report: StreamReport): void;
  streamClosed(report: StreamReport): void;
  /** A warning or error that belongs to no request line (the error's stack is logged). */
  problem(level: 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

export const silentTelemetry: Telemetry = {
  request: () => undefined,
  invocation: () => undefined,
  streamOpened: () => undefined,
  eventsDelivered: () => undefined,
  streamClosed: () => undefined,
  problem: () => undefined,
};
