/**
 * MCP's logging levels: the RFC 5424 severities, lowest first, as `logging/setLevel` and
 * `notifications/message` name them (2025-11-25 server/utilities/logging).
 */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: unknown): value is LogLevel {
  return (LOG_LEVELS as readonly unknown[]).includes(value);
}

/**
 * Whether a message at `level` reaches a client whose threshold is `min`: at or above
 * it ("Log Levels"), every level when the client set none.
 */
export function atOrAbove(level: unknown, min: string | undefined): boolean {
  if (min === undefined) return true;
  return (LOG_LEVELS as readonly unknown[]).indexOf(level) >= (LOG_LEVELS as readonly string[]).indexOf(min);
}
