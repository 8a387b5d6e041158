/**
 * Runs tool functions by ARN with a synchronous (`RequestResponse`) Lambda Invoke and
 * maps every way it can go wrong to an InvokeFailureKind; it never throws. A target
 * marked `streaming` is invoked with `InvokeWithResponseStream` instead, and its
 * response stream read as the tool stream (tool-stream.ts): progress and log lines
 * reach the client while the function runs, then its result.
 *
 * The Lambda client is imported on first use, not at the top: an environment that only
 * lists tools, or serves only static resources, never loads it (33-37 ms of cold start
 * on Node 22 and 24 for the client alone; docs/performance.md). After that
 * one client serves every invocation of the
 * execution environment.
 */
import type { InvokeCommandOutput, InvokeWithResponseStreamCommandOutput, LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';
import { InvocationDeadline } from './invocation-deadline';
import { formatBytes, formatSeconds, MAX_SYNC_PAYLOAD_BYTES } from './payload-limits';
import type { InvokeFailureKind, InvokeOptions, InvokeOutcome, ToolInvoker } from './tool-invoker';
import { bufferedResult, functionErrorOutcome, ToolStreamReader } from './tool-stream';
import { abortableSleep as sleep } from '../model/abortable-sleep';
import { loadOnce } from '../model/load-once';
import type { FunctionTarget } from '../model/registry-item';

export interface LambdaInvokerOptions {
  /** Extra client settings (region, endpoint, credentials, maxAttempts, ...). */
  readonly clientConfig?: LambdaClientConfig;
  /** Upper bound when the caller gives no `timeoutMs`: Lambda's 15 minute maximum. */
  readonly defaultTimeoutMs?: number;
}

type LambdaModule = typeof import('@aws-sdk/client-lambda');

export class LambdaInvoker implements ToolInvoker {
  /**
   * A dynamic import, not an import at the top: the bundle (scripts/bundle.mjs) puts
   * the client in a chunk of its own, so cold starts that run no tool never parse it.
   * Loaded once, so that concurrent first calls share one client.
   */
  private readonly lambda = loadOnce(async (): Promise<{ client: LambdaClient; sdk: LambdaModule }> => {
    const sdk = await import('@aws-sdk/client-lambda');
    // maxAttempts 1: the SDK would retry an Invoke whose connection dropped after
    // the request was sent, and so may run a tool that is not idempotent twice.
    // Throttles, which never ran the function, are retried in invoke() instead.
    return { sdk, client: new sdk.LambdaClient({ maxAttempts: 1, ...this.options.clientConfig }) };
  });

  constructor(private readonly options: LambdaInvokerOptions = {}) {}

  async invoke(target: FunctionTarget, event: unknown, options: InvokeOptions = {}): Promise<InvokeOutcome> {
    const functionName = target.lambdaArn;
    if (!functionName) {
      return fail('not_found', 'the registry item names no lambdaArn');
    }
    let payload: Uint8Array;
    try {
      payload = new TextEncoder().encode(JSON.stringify(event));
    } catch (err) {
      return fail('invoke_failed', `the event could not be serialized as JSON: ${messageOf(err)}`);
    }
    // Checked before sending: Lambda would refuse it anyway, after we paid for the upload.
    if (payload.byteLength > MAX_SYNC_PAYLOAD_BYTES) {
      return fail(
        'payload_too_large',
        `the request event is ${formatBytes(payload.byteLength)}, over Lambda's ${formatBytes(MAX_SYNC_PAYLOAD_BYTES)} limit for synchronous invocations`,
      );
    }

    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs ?? 15 * 60_000;
    // No time left to wait for a result: do not start a function whose result nobody reads.
    if (timeoutMs <= 0) return fail('timeout', `no time was left to invoke ${functionName} before the request's deadline`);
    const deadline = new InvocationDeadline(options.signal, timeoutMs);
    if (deadline.reason === 'aborted') return fail('aborted', 'the request was cancelled before the function was invoked');
    try {
      const { client, sdk } = await this.lambda();
      const input = {
        FunctionName: functionName,
        InvocationType: 'RequestResponse' as const,
        Payload: payload,
        ...(options.clientContext ? { ClientContext: options.clientContext } : {}),
      };
      for (let attempt = 1; ; attempt++) {
        try {
          if (target.streaming) {
            const output = await client.send(new sdk.InvokeWithResponseStreamCommand(input), { abortSignal: deadline.signal });
            return await streamOutcome(output, options, deadline);
          }
          return outcomeOf(await client.send(new sdk.InvokeCommand(input), { abortSignal: deadline.signal }));
        } catch (err) {
          // A throttled Invoke (429) never ran the function, so it alone is safe to
          // try again; see lambda() for why the SDK itself retries nothing.
          const outcome = failureOf(err, functionName);
          if (outcome.ok || outcome.kind !== 'throttled' || attempt >= MAX_THROTTLED_ATTEMPTS || deadline.reason) throw err;
          await sleep(Math.random() * THROTTLE_BACKOFF_MS * 2 ** (attempt - 1), deadline.signal);
          if (deadline.reason) throw err;
        }
      }
    } catch (err) {
      if (deadline.reason === 'timeout') {
        return fail('timeout', `no response from ${functionName} within ${formatSeconds(deadline.timeoutMs ?? 0)}`);
      }
      if (deadline.reason === 'aborted' || isAbortError(err)) {
        return fail('aborted', 'the request was cancelled while the function ran');
      }
      return failureOf(err, functionName);
    } finally {
      deadline.dispose();
    }
  }

}

function outcomeOf(output: InvokeCommandOutput): InvokeOutcome {
  const bytes = output.Payload ?? new Uint8Array();
  const text = new TextDecoder().decode(bytes);
  if (output.FunctionError) return runtimeErrorOutcome(output.FunctionError, text);
  if (bytes.byteLength > MAX_SYNC_PAYLOAD_BYTES) {
    return fail('payload_too_large', `the response is ${formatBytes(bytes.byteLength)}, over Lambda's ${formatBytes(MAX_SYNC_PAYLOAD_BYTES)} limit`);
  }
  return bufferedResult(text);
}

/** The runtime's error shape, `{ errorMessage, errorType, stackTrace? }`, or any text. */
function runtimeErrorOutcome(code: string, text: string): InvokeOutcome {
  const body = parseJson(text);
  const errorType = isRecord(body) && typeof body.errorType === 'string' ? body.errorType : code;
  const errorMessage = isRecord(body) && typeof body.errorMessage === 'string' ? body.errorMessage : text || code;
  return functionErrorOutcome(errorType, errorMessage);
}

/**
 * Reads an `InvokeWithResponseStream` response: PayloadChunk events carry the tool
 * stream's bytes as the function wrote them, and InvokeComplete ends it, with an
 * ErrorCode when the function failed (the API reference, InvokeWithResponseStreamCompleteEvent).
 * Reading stops at the result line: anything the function writes after it is not read.
 */
async function streamOutcome(
  output: InvokeWithResponseStreamCommandOutput, options: InvokeOptions, deadline: InvocationDeadline,
): Promise<InvokeOutcome> {
  // Nothing reaches the client once the call is over (timed out or cancelled).
  const live = () => !deadline.reason;
  const reader = new ToolStreamReader({
    onProgress: options.onProgress && ((p) => live() && options.onProgress!(p)),
    onLog: options.onLog && ((l) => live() && options.onLog!(l)),
  });
  if (!output.EventStream) return reader.end();
  for await (const event of output.EventStream) {
    if (event.PayloadChunk?.Payload) {
      const decided = reader.push(event.PayloadChunk.Payload);
      if (decided) return decided;
    } else if (event.InvokeComplete) {
      const { ErrorCode, ErrorDetails } = event.InvokeComplete;
      return ErrorCode ? runtimeErrorOutcome(ErrorCode, ErrorDetails ?? '') : reader.end();
    }
  }
  // The event stream ended with neither a result line nor InvokeComplete: the
  // connection was cut. A decided call returned above.
  if (deadline.reason) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
  return fail('invoke_failed', 'the response stream ended before Lambda reported the invocation complete');
}

function failureOf(err: unknown, functionName: string): InvokeOutcome {
  const name = isRecord(err) && typeof err.name === 'string' ? err.name : '';
  const status = isRecord(err) && isRecord(err.$metadata) ? err.$metadata.httpStatusCode : undefined;
  const message = messageOf(err);
  if (name === 'TooManyRequestsException' || status === 429) {
    return fail('throttled', `Lambda throttled the invocation of ${functionName}: ${message}`);
  }
  if (name === 'RequestTooLargeException' || status === 413) {
    return fail('payload_too_large', `Lambda refused the request as over ${formatBytes(MAX_SYNC_PAYLOAD_BYTES)}: ${message}`);
  }
  if (name === 'ResourceNotFoundException' || status === 404) {
    return fail('not_found', `no function ${functionName}: ${message}`);
  }
  return fail('invoke_failed', `invoking ${functionName} failed${name ? ` (${name})` : ''}: ${message}`);
}

const PARSE_FAILED = Symbol('parse failed');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return PARSE_FAILED;
  }
}

function isAbortError(err: unknown): boolean {
  return isRecord(err) && err.name === 'AbortError';
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function fail(kind: InvokeFailureKind, message: string): InvokeOutcome {
  return { ok: false, kind, message };
}

/** Attempts of an Invoke that Lambda throttles (429), the first included. */
const MAX_THROTTLED_ATTEMPTS = 3;
/** Upper bound of the first retry's delay; doubled each time, full jitter. */
const THROTTLE_BACKOFF_MS = 200;

