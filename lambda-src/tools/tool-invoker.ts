import { LOG_LEVELS, type LogLevel } from '../model/log-levels';
import type { FunctionTarget } from '../model/registry-item';

/**
 * Why an invocation did not produce a usable payload. Each becomes an
 * `isError: true` tool result that says which (docs/tools.md, "The tool function contract").
 */
export type InvokeFailureKind =
  | 'function_error' // the function threw or returned X-Amz-Function-Error
  | 'timeout' // it ran past its time, or ours
  | 'throttled' // 429 TooManyRequests
  | 'payload_too_large' // request or response over Lambda's 6 MB
  | 'malformed' // the response was not JSON
  | 'not_found' // no such function / handler
  | 'aborted' // the client cancelled or disconnected
  | 'invoke_failed'; // anything else from the Lambda service or module loader

export type InvokeOutcome =
  | { readonly ok: true; readonly payload: unknown }
  | { readonly ok: false; readonly kind: InvokeFailureKind; readonly message: string };

export interface InvokeOptions {
  /** Aborts the invocation (client cancel or disconnect). */
  readonly signal?: AbortSignal;
  /** Upper bound for this invocation, in milliseconds. */
  readonly timeoutMs?: number;
  /**
   * Receives progress a function reports while it runs: local `handler` modules
   * through their context's `sendProgress`, Lambda functions registered `streaming`
   * through progress lines of their response stream (tool-stream.ts). A plain
   * (synchronous Invoke) Lambda function has no channel back.
   */
  readonly onProgress?: (progress: ToolProgress) => void;
  /**
   * Receives log messages a function emits while it runs, for MCP
   * `notifications/message`: through the same channels as progress (`sendLog`, or
   * log lines of a streaming function's response).
   */
  readonly onLog?: (log: ToolLog) => void;
  /**
   * Lambda client context, base64 JSON (`X-Amz-Client-Context`), at most 3,583 bytes.
   * Set for tools called in AgentCore Gateway's contract (tools/agentcore-gateway-contract.ts).
   */
  readonly clientContext?: string;
}

/** The levels a tool may log at: MCP's (model/log-levels.ts). */
export const TOOL_LOG_LEVELS = LOG_LEVELS;
export type ToolLogLevel = LogLevel;

/** One log message (MCP `notifications/message` params). */
export interface ToolLog {
  readonly level: ToolLogLevel;
  readonly data: unknown;
  readonly logger?: string;
}

/** One progress report (MCP `notifications/progress` params without the token). */
export interface ToolProgress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

/** Runs the function behind a registry item with a JSON event (never throws). */
export interface ToolInvoker {
  invoke(target: FunctionTarget, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome>;
}
