/**
 * Settings of the events layer, read from the environment variables the construct
 * sets. They live here rather than in config.ts (owned by the http layer's work) and
 * are read once per execution environment.
 */
import { HANDLER_ENV } from '../../src/runtime-contract';
import { DEFAULT_EVENT_TTL_SECONDS } from '../store/event-log';

/**
 * How a 2025-era GET stream (and a 2026-07-28 `subscriptions/listen`) is served
 * (docs/streams.md):
 *
 * - `off`: the deployment has nothing to push (no event topic, no change
 *   notifications asked for): GET answers 405 and the capabilities promise nothing a
 *   stream would carry;
 * - `poll`: a 2025-11-25 GET writes its priming event and what is pending since
 *   `Last-Event-ID`, then ends with `retry: <interval>`; the client reconnects after
 *   that delay. An idle client then holds an invocation only for the few ms of each GET;
 * - `live`: the stream stays open and reads the log every `pollIntervalMs`, up to
 *   `maxStreamMs`, because on Lambda a client's hang-up is never seen.
 */
export type StreamMode = 'off' | 'poll' | 'live';

export interface EventConfig {
  /** How often an open stream reads the event log, in ms. */
  readonly pollIntervalMs: number;
  /** How long an event stays in the log (and so can be replayed with Last-Event-ID), in seconds. */
  readonly eventTtlSeconds: number;
  /** @default 'live' (what a handler run without the construct's variables did before modes existed) */
  readonly streamMode?: StreamMode;
  /** Poll mode: the `retry:` a GET ends with, in ms. @default DEFAULT_STREAM_RETRY_MS */
  readonly streamRetryMs?: number;
  /** The longest any stream stays open, in ms, whatever the invocation's deadline. @default DEFAULT_MAX_STREAM_MS */
  readonly maxStreamMs?: number;
  /** Poll mode: poll 2025-06-18 / 2025-03-26 sessions too, from a cursor each session keeps. @default false */
  readonly pollOlderRevisions?: boolean;
}

export const EVENT_ENV = {
  pollIntervalMs: HANDLER_ENV.eventPollIntervalMs,
  eventTtlSeconds: HANDLER_ENV.eventTtlSeconds,
  streamMode: HANDLER_ENV.streamMode,
  streamRetryMs: HANDLER_ENV.streamRetryMs,
  maxStreamMs: HANDLER_ENV.maxStreamMs,
  pollOlderRevisions: HANDLER_ENV.streamPollOlderRevisions,
} as const;

export const DEFAULT_POLL_INTERVAL_MS = 1000;
/** Faster polling than this buys little latency for a lot of read cost. */
export const MIN_POLL_INTERVAL_MS = 50;
/**
 * Poll mode's reconnect delay: at about 1 us of compute, 3 RRU and one request per
 * GET, 10 s keeps an idle client under $0.0005 an hour at 1,024 MB (docs/streams.md).
 */
export const DEFAULT_STREAM_RETRY_MS = 10_000;
/** A live stream's own bound: far below the default 15-minute function timeout. */
export const DEFAULT_MAX_STREAM_MS = 5 * 60_000;

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`environment variable ${name} must be an integer of at least ${min}, got '${raw}'`);
  }
  return n;
}

function streamModeOf(env: NodeJS.ProcessEnv): StreamMode {
  const raw = env[EVENT_ENV.streamMode];
  if (raw === undefined || raw === '') return 'live';
  if (raw === 'off' || raw === 'poll' || raw === 'live') return raw;
  throw new Error(`environment variable ${EVENT_ENV.streamMode} must be off, poll or live, got '${raw}'`);
}

function flagOf(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new Error(`environment variable ${name} must be true or false, got '${raw}'`);
}

export function loadEventConfig(env: NodeJS.ProcessEnv = process.env): EventConfig {
  return {
    pollIntervalMs: positiveInt(env, EVENT_ENV.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS, MIN_POLL_INTERVAL_MS),
    eventTtlSeconds: positiveInt(env, EVENT_ENV.eventTtlSeconds, DEFAULT_EVENT_TTL_SECONDS),
    streamMode: streamModeOf(env),
    streamRetryMs: positiveInt(env, EVENT_ENV.streamRetryMs, DEFAULT_STREAM_RETRY_MS, 100),
    maxStreamMs: positiveInt(env, EVENT_ENV.maxStreamMs, DEFAULT_MAX_STREAM_MS, 1000),
    pollOlderRevisions: flagOf(env, EVENT_ENV.pollOlderRevisions),
  };
}
