/**
 * `cdk-mcp-lambda-server/tool`: a small helper for Node.js tool functions
 * (docs/writing-tools.md). It is not part of the construct's jsii API: it runs inside
 * your tool's Lambda function, has no dependencies, and is bundled by
 * scripts/bundle.mjs to assets/tool/ (the package's `tool/` folder points there).
 *
 *   import { defineTool } from 'cdk-mcp-lambda-server/tool';
 *
 *   export const handler = defineTool({
 *     name: 'scan_table',
 *     description: 'Counts the rows of a table',
 *     inputSchema: { type: 'object', properties: { table: { type: 'string' } }, required: ['table'] },
 *     async run(args, call) {
 *       call.progress(1, 3, 'reading');
 *       call.log('info', { table: args.table });
 *       return { rows: 120 };
 *     },
 *   });
 *
 * The contract it types is the one every runtime speaks without a helper (the README's
 * tool function contract): the event, the result, `_sessionState` operations,
 * `input_required`, and the tool stream for progress and logs (tools/tool-stream.ts).
 *
 * The returned handler works in every place a tool function runs:
 * - on Lambda's Node.js runtime it is a response-streaming handler
 *   (`awslambda.streamifyResponse`), writing progress and log lines, then its result
 *   line; register the tool with `streaming: true` (a definition read with
 *   `McpToolDefinition.fromModule` does so);
 * - called as `(event, context)` (a local `handler` module under `mcp-lambda-server
 *   dev`, or a function run locally from a CDK app), it returns its result and reports
 *   through `context.sendProgress`/`context.sendLog`.
 * Which one is decided per call by the second argument: a response stream has `write`.
 *
 * The definition (name, description, schemas, streaming) is on the handler as
 * `handler.definition`, so the construct reads the schema from the module at synth
 * time and it is written once.
 */

/** A JSON Schema object. */
export type JsonSchema = { readonly [key: string]: unknown };

/** RFC 5424 severities, as MCP's `logging/setLevel` names them. */
export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';

/** Who called, as the server authenticated them. */
export interface Principal {
  readonly kind: string;
  readonly id: string;
  readonly claims?: { readonly [key: string]: unknown };
}

/** The event a tool function receives (the README's tool function contract). */
export interface ToolEvent<A = Record<string, unknown>> {
  readonly tool: string;
  readonly arguments: A;
  readonly context: {
    readonly requestId: string;
    readonly protocolVersion: string;
    readonly sessionId?: string;
    readonly sessionState?: { readonly [key: string]: unknown };
    readonly principal?: Principal;
    readonly progressToken?: string | number;
  };
  /** The client's answers to the requests of an `input_required` result, by key. */
  readonly inputResponses?: { readonly [key: string]: unknown };
  /** The `requestState` of the `input_required` result being answered. */
  readonly requestState?: string;
}

/** One request for input: `elicitation/create`, `sampling/createMessage` or `roots/list`. */
export interface InputRequest {
  readonly method: 'elicitation/create' | 'sampling/createMessage' | 'roots/list';
  readonly params?: { readonly [key: string]: unknown };
}

/** A result that asks the client for input; the function is invoked again with the answers. */
export interface InputRequiredResult {
  readonly resultType: 'input_required';
  readonly inputRequests: { readonly [key: string]: InputRequest };
  readonly requestState?: string;
}

/** The calls a tool makes while it runs. */
export interface ToolCall<A = Record<string, unknown>> {
  /** The whole event, as the function received it. */
  readonly event: ToolEvent<A>;
  /** The Lambda context (`awsRequestId`, `getRemainingTimeInMillis()`, ...). */
  readonly lambdaContext: unknown;
  /** The session's tool state when the call began; undefined without a session (2026-07-28). */
  readonly sessionState?: { readonly [key: string]: unknown };
  /** Answers to an earlier `inputRequired(...)`, by key; undefined on the first invocation. */
  readonly inputResponses?: { readonly [key: string]: unknown };
  /** The `requestState` given to `inputRequired`, back on the next invocation. */
  readonly requestState?: string;
  /**
   * Reports progress (`notifications/progress`), when the client asked for it. Each
   * report must be higher than the last; lower ones are dropped by the server.
   */
  progress(progress: number, total?: number, message?: string): void;
  /** Sends a log message (`notifications/message`), filtered by the client's level. */
  log(level: LogLevel, data: unknown, logger?: string): void;
  /** Sets a session state key (any JSON but null), kept when the result is returned. */
  setState(key: string, value: unknown): void;
  /** Adds an integer to a session state key (an absent key counts as 0). */
  incrementState(key: string, by?: number): void;
  /** Removes a session state key. */
  removeState(key: string): void;
}

export interface ToolDefinition {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
  readonly outputSchema?: JsonSchema;
  readonly annotations?: { readonly [key: string]: unknown };
  /**
   * Whether the handler streams (progress and logs during the call) when Lambda's
   * Node.js runtime runs it. Register the tool with `streaming: true` to match.
   * @default true
   */
  readonly streaming?: boolean;
}

export interface ToolSpec<A = Record<string, unknown>, R = unknown> extends ToolDefinition {
  /**
   * Runs the tool. Return a JSON value (an object also becomes `structuredContent`), a
   * string, a `CallToolResult`, or `inputRequired(...)`; throw to fail the call.
   */
  run(args: A, call: ToolCall<A>): R | Promise<R>;
}

/** A Lambda handler that also carries its definition. */
export interface ToolHandler {
  (event: ToolEvent<any>, second?: unknown, third?: unknown): Promise<unknown>;
  readonly definition: ToolDefinition;
}

/** The reserved result key for session state operations. */
const SESSION_STATE_KEY = '_sessionState';

/** Builds a tool function's handler (see the module comment). */
export function defineTool<A = Record<string, unknown>, R = unknown>(spec: ToolSpec<A, R>): ToolHandler {
  const definition: ToolDefinition = Object.freeze(compact({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: spec.inputSchema,
    outputSchema: spec.outputSchema,
    annotations: spec.annotations,
    streaming: spec.streaming ?? true,
  }));

  const handler = async (event: ToolEvent<any>, second?: unknown, third?: unknown): Promise<unknown> => {
    if (isResponseStream(second)) {
      return runStreaming(spec, event, second, third);
    }
    const context = (second ?? {}) as LocalContext;
    const call = toolCall<A>(event, context, {
      progress: (p, t, m) => context.sendProgress?.(p, t, m),
      log: (l, d, g) => context.sendLog?.(l, d, g),
    });
    return call.finish(await spec.run(event.arguments as A, call));
  };
  Object.defineProperty(handler, 'definition', { value: definition, enumerable: true });
  // On Lambda's Node.js runtime `awslambda` is a global: mark the handler as streaming
  // so the runtime passes it a response stream (it still works when called plainly).
  const awslambda = (globalThis as { awslambda?: { streamifyResponse?: (fn: unknown) => unknown } }).awslambda;
  if (definition.streaming && typeof awslambda?.streamifyResponse === 'function') awslambda.streamifyResponse(handler);
  return handler as ToolHandler;
}

/** An `input_required` result: the server asks the client, then invokes the function again with `inputResponses`. */
export function inputRequired(inputRequests: { readonly [key: string]: InputRequest }, requestState?: string): InputRequiredResult {
  return requestState === undefined ? { resultType: 'input_required', inputRequests } : { resultType: 'input_required', inputRequests, requestState };
}

/** A form elicitation request (`elicitation/create`). */
export function elicit(message: string, requestedSchema: JsonSchema): InputRequest {
  return { method: 'elicitation/create', params: { message, requestedSchema } };
}

/** The extras a local runner's context has (tools/local-invoker.ts). */
interface LocalContext {
  sendProgress?(progress: number, total?: number, message?: string): void;
  sendLog?(level: string, data: unknown, logger?: string): void;
}

interface ResponseStreamLike {
  write(chunk: string): unknown;
  end(): unknown;
}

function isResponseStream(value: unknown): value is ResponseStreamLike {
  if (typeof value !== 'object' || value === null) return false;
  const stream = value as ResponseStreamLike;
  return typeof stream.write === 'function' && typeof stream.end === 'function';
}

/** Writes the tool stream: one JSON object a line, the result (or error) last. */
async function runStreaming<A, R>(spec: ToolSpec<A, R>, event: ToolEvent<any>, stream: ResponseStreamLike, lambdaContext: unknown): Promise<void> {
  const line = (value: unknown) => stream.write(`${JSON.stringify(value)}\n`);
  const call = toolCall<A>(event, lambdaContext, {
    progress: (progress, total, message) => line(compact({ type: 'progress', progress, total, message })),
    log: (level, data, logger) => line(compact({ type: 'log', level, data: data ?? null, logger })),
  });
  try {
    const result = call.finish(await spec.run(event.arguments as A, call));
    line({ type: 'result', result: result === undefined ? null : result });
  } catch (err) {
    // Bytes are already out, so the runtime could no longer report the error itself:
    // the error line tells the server, as a thrown error does for a plain handler.
    const error = err instanceof Error ? err : new Error(String(err));
    line({ type: 'error', errorType: error.name || 'Error', errorMessage: error.message });
  }
  stream.end();
}

interface Reporter {
  progress(progress: number, total?: number, message?: string): void;
  log(level: LogLevel, data: unknown, logger?: string): void;
}

function toolCall<A>(event: ToolEvent<any>, lambdaContext: unknown, reporter: Reporter): ToolCall<A> & { finish(result: unknown): unknown } {
  const ops: { set: Record<string, unknown>; increment: Record<string, number>; remove: string[] } = { set: {}, increment: {}, remove: [] };
  let changed = false;
  const wantsProgress = event.context?.progressToken !== undefined;
  return {
    event: event as ToolEvent<A>,
    lambdaContext,
    sessionState: event.context?.sessionState,
    inputResponses: event.inputResponses,
    requestState: event.requestState,
    // Without a progress token nobody receives progress: not even a line is written.
    progress: (progress, total, message) => {
      if (wantsProgress) reporter.progress(progress, total, message);
    },
    log: (level, data, logger) => reporter.log(level, data, logger),
    setState: (key, value) => {
      ops.set[key] = value;
      changed = true;
    },
    incrementState: (key, by = 1) => {
      ops.increment[key] = (ops.increment[key] ?? 0) + by;
      changed = true;
    },
    removeState: (key) => {
      ops.remove.push(key);
      changed = true;
    },
    finish: (result) => {
      if (!changed) return result;
      const changes = compact({
        set: Object.keys(ops.set).length ? ops.set : undefined,
        increment: Object.keys(ops.increment).length ? ops.increment : undefined,
        remove: ops.remove.length ? ops.remove : undefined,
      });
      // The reserved key goes next to the result; a result that is not an object is
      // wrapped in a CallToolResult first, as the server would show it.
      if (typeof result === 'object' && result !== null && !Array.isArray(result)) return { ...result, [SESSION_STATE_KEY]: changes };
      const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
      return { content: [{ type: 'text', text }], [SESSION_STATE_KEY]: changes };
    },
  };
}

function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
