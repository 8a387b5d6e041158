/** Tunables of the protocol layer; every one has a default fit for Lambda. */
import { clipEntry } from '../ops/log-text';

/** One structured log entry (one JSON object a line). Never holds a token or a session id. */
export type ProtocolLogEntry = Record<string, unknown> & { readonly level: 'info' | 'warn' | 'error'; readonly message: string };

export interface EndpointOptions {
  /**
   * SSE keep-alive comment interval, in ms (0 disables).
   * @default 15000
   */
  readonly keepAliveMs?: number;
  /**
   * How long before the invocation's deadline a GET stream ends, in ms.
   * @default 5000
   */
  readonly streamEndMarginMs?: number;
  /**
   * The `retry:` value, in ms, sent to 2025-11-25 clients before a GET stream ends.
   * @default 1000
   */
  readonly reconnectDelayMs?: number;
  /**
   * How often a function invocation of a 2025-era session's request reads whether it
   * was cancelled (or its session deleted) in another environment, in ms; the first
   * read comes after one interval (protocol/cancellation-watch.ts).
   * @default 1000
   */
  readonly cancelPollMs?: number;
  /** Clock, epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Where log entries go. @default one JSON line on stdout */
  readonly log?: (entry: ProtocolLogEntry) => void;
}

export type ResolvedEndpointOptions = Required<EndpointOptions>;

export function resolveEndpointOptions(options: EndpointOptions = {}): ResolvedEndpointOptions {
  return {
    keepAliveMs: options.keepAliveMs ?? 15_000,
    streamEndMarginMs: options.streamEndMarginMs ?? 5_000,
    reconnectDelayMs: options.reconnectDelayMs ?? 1_000,
    cancelPollMs: options.cancelPollMs ?? 1_000,
    now: options.now ?? Date.now,
    log: clippedLog(options.log ?? ((entry) => console.log(JSON.stringify({ layer: 'protocol', ...entry })))),
  };
}

/** Every string field cut (ops/log-text.ts): an SDK error message may quote a client's value whole. */
function clippedLog(log: (entry: ProtocolLogEntry) => void): (entry: ProtocolLogEntry) => void {
  return (entry) => log(clipEntry(entry));
}
