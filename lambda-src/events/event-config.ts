/**
 * Settings of the events layer, read from the environment variables the construct
 * sets. They live here rather than in config.ts (owned by the http layer's work) and
 * are read once per execution environment.
 */
import { HANDLER_ENV } from '../../src/runtime-contract';
import { DEFAULT_EVENT_TTL_SECONDS } from '../store/event-log';

export interface EventConfig {
  /** How often an open stream reads the event log, in ms. */
  readonly pollIntervalMs: number;
  /** How long an event stays in the log (and so can be replayed with Last-Event-ID), in seconds. */
  readonly eventTtlSeconds: number;
}

export const EVENT_ENV = {
  pollIntervalMs: HANDLER_ENV.eventPollIntervalMs,
  eventTtlSeconds: HANDLER_ENV.eventTtlSeconds,
} as const;

export const DEFAULT_POLL_INTERVAL_MS = 1000;
/** Faster polling than this buys little latency for a lot of read cost. */
export const MIN_POLL_INTERVAL_MS = 50;

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`environment variable ${name} must be an integer of at least ${min}, got '${raw}'`);
  }
  return n;
}

export function loadEventConfig(env: NodeJS.ProcessEnv = process.env): EventConfig {
  return {
    pollIntervalMs: positiveInt(env, EVENT_ENV.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS, MIN_POLL_INTERVAL_MS),
    eventTtlSeconds: positiveInt(env, EVENT_ENV.eventTtlSeconds, DEFAULT_EVENT_TTL_SECONDS),
  };
}
