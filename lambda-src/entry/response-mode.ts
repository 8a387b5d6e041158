/**
 * How the function answers HTTP (docs/operations.md, "Buffered mode (no response streaming)"):
 *
 * - `streaming` (the default): a Function URL in `InvokeMode.RESPONSE_STREAM`; the
 *   streamified `index.handler` writes SSE events as they happen.
 * - `buffered`: a Function URL in `InvokeMode.BUFFERED` (or a front door that
 *   buffers): `index.bufferedHandler` returns each response whole. An SSE answer holds
 *   every event up to the result; a GET stream holds the events recorded since
 *   `Last-Event-ID` and ends at once (clients poll); `subscriptions/listen` is not served.
 *
 * Read from `MCP_RESPONSE_MODE`, which the construct sets with the handler name.
 */
import { HANDLER_ENV } from '../../src/runtime-contract';

export type ResponseMode = 'streaming' | 'buffered';

export const RESPONSE_MODE_ENV = HANDLER_ENV.responseMode;
export const RESPONSE_MODES: readonly ResponseMode[] = ['streaming', 'buffered'];

/**
 * Lambda's limit on a synchronous (buffered) response: 6 MB, counted on the JSON the
 * runtime returns (the body with its escaping, and the headers). A streamed response
 * may be 200 MB.
 */
export const MAX_BUFFERED_RESPONSE_BYTES = 6 * 1024 * 1024;

export function loadResponseMode(env: NodeJS.ProcessEnv = process.env): ResponseMode {
  const raw = env[RESPONSE_MODE_ENV];
  if (raw === undefined || raw === '') return 'streaming';
  if ((RESPONSE_MODES as readonly string[]).includes(raw)) return raw as ResponseMode;
  throw new Error(`environment variable ${RESPONSE_MODE_ENV} must be 'streaming' or 'buffered', got '${raw}'`);
}
