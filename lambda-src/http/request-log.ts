/**
 * One structured log line (a JSON object) per HTTP request: request id, method, path,
 * status, latency, and what helps to follow a session, without leaking it. Session ids
 * are bearer-like (whoever holds one may use the session), so only a short hash of
 * them is logged; tokens and Authorization headers are never logged at all.
 */
import { createHash } from 'node:crypto';

export interface RequestLogLine {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Milliseconds until status and headers were ready (a streamed body goes on after). */
  readonly latencyMs: number;
  readonly mcpMethod?: string;
  readonly protocolVersion?: string;
  /** `sha256(sessionId)`, first 12 hex digits. */
  readonly session?: string;
  readonly principalKind?: string;
  readonly origin?: string;
  readonly streamed?: boolean;
  readonly error?: string;
}

export type LogSink = (line: string) => void;

export const consoleLogSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** A short, stable, non-reversible tag of a secret-ish value for logs. */
export function logTag(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}

export function formatRequestLog(entry: RequestLogLine): string {
  return JSON.stringify({ level: entry.status >= 500 ? 'error' : 'info', msg: 'http request', ...entry });
}
