/**
 * The tool stream: how a tool function that runs on Lambda reports progress and log
 * messages while it runs, in any runtime language (docs/tool-progress.md).
 *
 * A tool registered with `streaming: true` is invoked with `InvokeWithResponseStream`,
 * and its response stream is newline-delimited JSON, one object a line:
 *
 *   {"type":"progress","progress":1,"total":3,"message":"scanned table 1"}
 *   {"type":"log","level":"info","data":{"rows":120},"logger":"scan"}
 *   {"type":"result","result":{"content":[{"type":"text","text":"done"}]}}
 *
 * `result` holds exactly what a plain (Invoke) tool function returns, so a function
 * moves between the two modes by wrapping its return value. `{"type":"error",
 * "errorType":"...","errorMessage":"..."}` ends the call as a function error, for a
 * runtime that has already sent bytes and can no longer report the error to Lambda.
 *
 * A response that opens with anything else (the usual case: a function that does not
 * stream, whose whole JSON result Lambda sends as the stream) is read as a plain
 * result, so marking a tool `streaming` never breaks a function that ignores it.
 *
 * The function's output is not trusted: a line must be at most the 6 MB a synchronous
 * result may be (the partial line is the only thing held in memory, so a long stream
 * of progress costs nothing more), an unknown line type or a malformed progress or log
 * line is skipped, and progress that does not increase is dropped, because MCP says
 * "The progress value MUST increase with each notification" (2025-11-25
 * basic/utilities/progress, "Behavior Requirements"). At most MAX_NOTIFICATIONS progress
 * and log messages of one call are relayed: a function that writes lines in a loop
 * cannot flood the client's stream (the rest is skipped; the result still counts).
 */
import { formatBytes, MAX_SYNC_PAYLOAD_BYTES } from './payload-limits';
import { TOOL_LOG_LEVELS, type InvokeFailureKind, type InvokeOutcome, type ToolLog, type ToolLogLevel, type ToolProgress } from './tool-invoker';

export interface ToolStreamSinks {
  readonly onProgress?: (progress: ToolProgress) => void;
  readonly onLog?: (log: ToolLog) => void;
}

/** Progress and log messages relayed per call, at most. */
export const MAX_NOTIFICATIONS = 10_000;

/** The line types a streaming function writes. */
export const TOOL_STREAM_LINE_TYPES = ['progress', 'log', 'result', 'error'] as const;

/**
 * Reads a tool function's response stream chunk by chunk. `push` returns an outcome
 * once the stream decided the call (a result or an error line, or a line over the
 * limit); the caller then stops reading. `end` gives the outcome of a stream that
 * ended without deciding.
 */
export class ToolStreamReader {
  /** Bytes of the current, unfinished line (or, in plain mode, of the whole response). */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** `undefined` until the first line shows which mode the function speaks. */
  private mode?: 'lines' | 'plain';
  private lastProgress = -Infinity;
  private relayed = 0;
  private decided?: InvokeOutcome;

  constructor(
    private readonly sinks: ToolStreamSinks,
    private readonly maxLineBytes = MAX_SYNC_PAYLOAD_BYTES,
    private readonly maxNotifications = MAX_NOTIFICATIONS,
  ) {}

  push(chunk: Uint8Array): InvokeOutcome | undefined {
    if (this.decided) return this.decided;
    let start = 0;
    for (;;) {
      const newline = this.mode === 'plain' ? -1 : chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.byteLength : newline;
      if (end > start) {
        this.pending.push(chunk.subarray(start, end));
        this.pendingBytes += end - start;
      }
      if (this.pendingBytes > this.maxLineBytes) {
        return this.decide(failure('payload_too_large', this.mode === 'lines'
          ? `a line of the function's response stream is over ${formatBytes(this.maxLineBytes)}, the limit of a tool result`
          : `the response is over Lambda's ${formatBytes(this.maxLineBytes)} limit`));
      }
      if (newline === -1) return undefined;
      const outcome = this.line(this.takePending());
      if (outcome) return this.decide(outcome);
      start = newline + 1;
      if (this.mode === 'plain') {
        // The first line was not ours: everything after it belongs to one JSON value.
        return this.push(chunk.subarray(start));
      }
    }
  }

  /** The outcome of a stream that ended (InvokeComplete without an error). */
  end(): InvokeOutcome {
    if (this.decided) return this.decided;
    const rest = this.takePending();
    if (this.mode === 'plain') return this.decide(plainResult(rest));
    if (rest.trim() !== '') {
      const outcome = this.line(rest);
      if (outcome) return this.decide(outcome);
      // The last line was the first, and not ours (a plain result without a newline).
      if (this.isPlain()) return this.decide(plainResult(rest));
    }
    if (this.mode === undefined) {
      // Nothing at all: a Node.js handler that returned undefined answers `null`.
      return this.decide({ ok: true, payload: null });
    }
    return this.decide(failure('malformed', 'the response stream ended without a {"type":"result"} line'));
  }

  /** Handles one complete line; an outcome when it decides the call. */
  private line(text: string): InvokeOutcome | undefined {
    if (this.mode === 'plain') return undefined;
    if (text.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const type = isRecord(value) ? value.type : undefined;
    if (this.mode === undefined) {
      if (!(TOOL_STREAM_LINE_TYPES as readonly unknown[]).includes(type)) {
        // Not the line protocol: the function answered a plain result. Keep the line
        // (and its newline) as the start of that result.
        this.mode = 'plain';
        this.pending = [new TextEncoder().encode(`${text}\n`)];
        this.pendingBytes = this.pending[0].byteLength;
        return undefined;
      }
      this.mode = 'lines';
    }
    if (!isRecord(value)) return undefined; // a line that is not JSON: skipped, as an unknown type is
    switch (value.type) {
      case 'progress':
        this.progress(value);
        return undefined;
      case 'log':
        this.log(value);
        return undefined;
      case 'result':
        return { ok: true, payload: value.result === undefined ? null : value.result };
      case 'error': {
        const errorType = typeof value.errorType === 'string' ? value.errorType : 'Error';
        const errorMessage = typeof value.errorMessage === 'string' ? value.errorMessage : JSON.stringify(value.errorMessage ?? null);
        return functionErrorOutcome(errorType, errorMessage);
      }
      default:
        return undefined;
    }
  }

  private progress(line: Record<string, unknown>): void {
    const { progress, total, message } = line;
    if (typeof progress !== 'number' || !Number.isFinite(progress) || progress <= this.lastProgress) return;
    if (!this.relay()) return;
    this.lastProgress = progress;
    this.sinks.onProgress?.({
      progress,
      ...(typeof total === 'number' && Number.isFinite(total) ? { total } : {}),
      ...(typeof message === 'string' ? { message } : {}),
    });
  }

  private log(line: Record<string, unknown>): void {
    const { level, data, logger } = line;
    if (!(TOOL_LOG_LEVELS as readonly unknown[]).includes(level)) return;
    if (!this.relay()) return;
    this.sinks.onLog?.({ level: level as ToolLogLevel, data: data ?? null, ...(typeof logger === 'string' ? { logger } : {}) });
  }

  /** Counts one relayed message; false once the call's allowance is spent. */
  private relay(): boolean {
    if (this.relayed >= this.maxNotifications) return false;
    this.relayed++;
    return true;
  }

  private isPlain(): boolean {
    return this.mode === 'plain';
  }

  private takePending(): string {
    const text = new TextDecoder().decode(concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
    return text;
  }

  private decide(outcome: InvokeOutcome): InvokeOutcome {
    this.decided = outcome;
    this.pending = [];
    this.pendingBytes = 0;
    return outcome;
  }
}

/**
 * A function error as Lambda reports it (`X-Amz-Function-Error`, or an
 * InvokeComplete event's ErrorCode): the runtime's type and message.
 */
export function functionErrorOutcome(errorType: string, errorMessage: string): InvokeOutcome {
  if (errorType === 'Function.ResponseSizeTooLarge') {
    return failure('payload_too_large', `the function's response is over Lambda's ${formatBytes(MAX_SYNC_PAYLOAD_BYTES)} limit: ${errorMessage}`);
  }
  if (errorType === 'Sandbox.Timedout' || /Task timed out after/.test(errorMessage)) {
    return failure('timeout', `the function ran past its own timeout: ${errorMessage}`);
  }
  // `Error` adds nothing; a specific type (TypeError, OrderNotFound) helps the model.
  const generic = ['Error', 'Exception', 'Unhandled', 'Handled'].includes(errorType);
  return failure('function_error', generic ? errorMessage : `${errorType}: ${errorMessage}`);
}

/**
 * A plain Invoke's payload. A function that writes the tool stream but was registered
 * without `streaming` (so Lambda buffered its lines into one payload) is not valid JSON
 * as a whole; it is read as the tool stream, for its result (its progress came too late
 * to be worth sending). Any payload that parses as JSON stays exactly that value.
 */
export function bufferedResult(text: string): InvokeOutcome {
  const plain = plainResult(text);
  if (plain.ok || !text.includes('\n')) return plain;
  const reader = new ToolStreamReader({});
  const outcome = reader.push(new TextEncoder().encode(text)) ?? reader.end();
  return !outcome.ok && outcome.kind === 'malformed' ? plain : outcome;
}

/** A whole response that is one JSON value, as a plain Invoke returns it. */
export function plainResult(text: string): InvokeOutcome {
  // A Node.js handler that returns undefined produces an empty payload or `null`.
  if (text.trim() === '') return { ok: true, payload: null };
  try {
    return { ok: true, payload: JSON.parse(text) };
  } catch {
    return failure('malformed', `the response is not JSON (starts with ${JSON.stringify(text.slice(0, 40))})`);
  }
}

function concat(parts: Uint8Array[], bytes: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(bytes);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failure(kind: InvokeFailureKind, message: string): InvokeOutcome {
  return { ok: false, kind, message };
}
