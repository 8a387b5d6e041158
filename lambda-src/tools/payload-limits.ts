/**
 * AWS Lambda's synchronous invocation limit: 6 MB for the request and 6 MB for the
 * response (ARCHITECTURE.md, "The platform facts that shaped the design"). Local handlers are held to the same
 * limit so that a tool that works locally also works once deployed.
 */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** Human-readable size for error messages: `6.2 MB`. */
export function formatBytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Human-readable duration for error messages: `30 s`, `1.5 s`. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
