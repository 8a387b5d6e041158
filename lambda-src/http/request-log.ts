/**
 * Where the runtime's log lines go. The lines themselves (one JSON object per request,
 * per function invocation, and the EMF metrics) are written by the Powertools
 * telemetry (ops/powertools-telemetry.ts); tokens and Authorization headers are never
 * logged, and session ids only as a tag (ops/log-tag.ts).
 */
export { logTag } from '../ops/log-tag';

export type LogSink = (line: string) => void;

export const consoleLogSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};
