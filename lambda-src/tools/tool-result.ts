/**
 * Turns what a tool function returned (an InvokeOutcome) into an MCP CallToolResult,
 * following the tool contract (docs/tools.md, "The tool function contract"):
 * - a payload with a `content` array is already a CallToolResult and passes through
 *   after a shape check;
 * - a string becomes one text block; any other JSON value becomes a text block with
 *   its JSON plus `structuredContent` (for an object, or for any value when the tool
 *   declares an outputSchema);
 * - every failure becomes `isError: true` with a sentence naming the tool and what
 *   went wrong, because tool execution errors are reported in the result, not as
 *   protocol errors (MCP 2025-11-25, server/tools, "Error Handling").
 *
 * The reserved `_sessionState` key (docs/tools.md, "Session state for tools") never reaches the
 * client: callers that keep session state take it off first
 * (tool-session-state.ts); for the others (a task's run) it is dropped here.
 *
 * With an outputSchema the structured content is validated; a mismatch is an error
 * result that names the failing field (2025-11-25, "Output Schema": servers MUST
 * provide structured results that conform to it).
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import { isCallToolResult } from '@modelcontextprotocol/server';
import type { JsonSchemaValidators } from './json-schema-validators';
import { sharedValidators } from './json-schema-validators';
import type { InvokeFailureKind, InvokeOutcome } from './tool-invoker';
import { takeSessionStateChanges } from './tool-session-state';

export interface ToolResultOptions {
  readonly outputSchema?: Record<string, unknown>;
  readonly validators?: JsonSchemaValidators;
}

const FAILURE_PHRASES: Record<InvokeFailureKind, string> = {
  function_error: 'failed',
  timeout: 'timed out',
  throttled: 'was throttled by AWS Lambda (too many concurrent invocations); retry later',
  payload_too_large: 'exceeded the 6 MB payload limit of a synchronous Lambda invocation',
  malformed: 'returned a response that is not valid JSON',
  not_found: 'has no function to run',
  aborted: 'was cancelled',
  invoke_failed: 'could not be invoked',
};

/**
 * A JSON-RPC error a function asks the server to answer with, instead of a result:
 *
 * ```json
 * { "resultType": "error", "error": { "code": -32603, "message": "the job's backend is down", "data": { ... } } }
 * ```
 *
 * For what the tools specification calls protocol errors ("Server errors", 2026-07-28
 * server/tools, "Error Handling"), as opposed to tool execution errors, which a
 * function reports with `isError: true` (or by throwing). A synchronous `tools/call` is
 * answered with the error; a task ends `failed` with it (the tasks extension, "Task
 * Execution Errors": `failed` is for JSON-RPC errors only; 2025-11-25: `tasks/result`
 * answers with the error). `resultType: "error"` is this server's function contract,
 * never a wire value.
 */
export interface FunctionProtocolError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** Longest error message a function may set, in characters (it reaches clients and logs). */
const MAX_ERROR_MESSAGE = 4096;

/**
 * Reads a function's payload: undefined when it is not `resultType: "error"`, the error
 * when it is a valid one, or a sentence saying what is wrong with it.
 */
export function parseProtocolError(payload: unknown): FunctionProtocolError | { readonly problem: string } | undefined {
  if (!isRecord(payload) || payload.resultType !== 'error') return undefined;
  const error = payload.error;
  if (!isRecord(error)) return { problem: "a resultType 'error' result needs an 'error' object with 'code' and 'message'" };
  // JSON-RPC 2.0, "Error object": the code MUST be an integer, the message a string.
  if (!Number.isSafeInteger(error.code)) return { problem: "'error.code' must be an integer (a JSON-RPC error code)" };
  if (typeof error.message !== 'string' || error.message.length === 0) return { problem: "'error.message' must be a non-empty string" };
  if (error.message.length > MAX_ERROR_MESSAGE) return { problem: `'error.message' is over ${MAX_ERROR_MESSAGE} characters` };
  return { code: error.code as number, message: error.message, ...(error.data !== undefined ? { data: error.data } : {}) };
}

/** An `isError` result: the text says which tool and what happened. */
export function toolErrorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** `tool 'x' timed out: ...`; `subject` names what ran (`tool 'x'`, `resource 'app://y'`, `prompt 'z'`). */
export function describeFailure(subject: string, kind: InvokeFailureKind, message: string): string {
  return `${subject} ${FAILURE_PHRASES[kind]}: ${message}`;
}

export function failureText(toolName: string, kind: InvokeFailureKind, message: string): string {
  return describeFailure(`tool '${toolName}'`, kind, message);
}

export function toCallToolResult(toolName: string, invoked: InvokeOutcome, options: ToolResultOptions = {}): CallToolResult {
  const { outcome } = takeSessionStateChanges(invoked);
  if (!outcome.ok) return toolErrorResult(failureText(toolName, outcome.kind, outcome.message));
  // Callers that can answer with a JSON-RPC error take a valid one off first; what is left is a mistake.
  const asError = parseProtocolError(outcome.payload);
  if (asError !== undefined) {
    return toolErrorResult('problem' in asError
      ? `tool '${toolName}' returned an invalid error result: ${asError.problem}`
      : `tool '${toolName}' failed: ${asError.message}`);
  }
  const result = wrap(outcome.payload, options.outputSchema !== undefined);
  if ('invalid' in result) return toolErrorResult(`tool '${toolName}' returned an invalid CallToolResult: ${result.invalid}`);
  if (options.outputSchema !== undefined && !result.isError) {
    if (result.structuredContent === undefined) {
      return toolErrorResult(`tool '${toolName}' declares an outputSchema but returned no structuredContent`);
    }
    const check = (options.validators ?? sharedValidators).validate(options.outputSchema, result.structuredContent, 'structuredContent');
    if (!check.ok) {
      return toolErrorResult(`tool '${toolName}' returned structuredContent that does not match its outputSchema: ${check.errors.join('; ')}`);
    }
  }
  return result;
}

function wrap(payload: unknown, hasOutputSchema: boolean): CallToolResult | { invalid: string } {
  if (isRecord(payload) && Array.isArray(payload.content)) {
    const problem = shapeProblem(payload);
    if (problem) return { invalid: problem };
    return payload as CallToolResult;
  }
  if (typeof payload === 'string' && !hasOutputSchema) {
    return { content: [{ type: 'text', text: payload }] };
  }
  const result: CallToolResult = { content: [{ type: 'text', text: JSON.stringify(payload) }] };
  if (hasOutputSchema || (isRecord(payload) && !Array.isArray(payload))) {
    return { ...result, structuredContent: payload as Record<string, unknown> };
  }
  return result;
}

/** Why a `content`-bearing payload is not a CallToolResult, in a sentence a tool author can act on. */
function shapeProblem(payload: Record<string, unknown>): string | undefined {
  const content = payload.content as unknown[];
  for (let i = 0; i < content.length; i++) {
    const block = content[i];
    if (!isRecord(block) || typeof block.type !== 'string') return `content[${i}] must be an object with a string 'type'`;
    if (block.type === 'text' && typeof block.text !== 'string') return `content[${i}] is a text block without a string 'text'`;
    if ((block.type === 'image' || block.type === 'audio') && (typeof block.data !== 'string' || typeof block.mimeType !== 'string')) {
      return `content[${i}] is an ${block.type} block that needs base64 'data' and a 'mimeType'`;
    }
  }
  if (payload.isError !== undefined && typeof payload.isError !== 'boolean') return '\'isError\' must be a boolean';
  // The full spec check last: it catches what the readable checks above do not name.
  if (!isCallToolResult(payload)) return 'it does not match the MCP CallToolResult schema';
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
