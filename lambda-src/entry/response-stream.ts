/**
 * The edge between a web-standard `Response` and Lambda's response stream.
 *
 * - `createInvocationLifetime`: the AbortSignal of one invocation. It aborts when the
 *   client goes away (the response stream closes or errors before we end it) and shortly
 *   before the function's deadline, because a streaming Function URL response keeps
 *   running, and billing, after the client has left, and is killed at the timeout
 *   (ARCHITECTURE.md, "The platform facts that shaped the design").
 * - `writeResponse`: status, headers and cookies through `HttpResponseStream.from`,
 *   then the body chunk by chunk as the app produces it (SSE events reach the client as
 *   they are written), honouring backpressure, then the end of the stream.
 *
 * Nothing outlives the invocation: the deadline timer is cleared in `dispose`, and every
 * listener added for one write is removed when it settles.
 */
import type { Writable } from 'node:stream';
import type { AwsLambdaGlobal, HttpResponseMetadata } from './awslambda';

export interface InvocationLifetime {
  /** Aborted on client disconnect or near the deadline; `signal.reason` says which. */
  readonly signal: AbortSignal;
  /** Epoch ms when Lambda ends the invocation. */
  readonly deadline: number;
  /** Clears the deadline timer and stops watching the stream. Idempotent. */
  dispose(): void;
}

export interface LifetimeOptions {
  /**
   * How long before the deadline the signal aborts: the last moment to cancel the body
   * and end the stream ourselves rather than be cut by the runtime. The protocol layer
   * ends its streams earlier still, with a `retry:` hint (endpoint-options.ts,
   * `streamEndMarginMs`); this is the hard stop behind it.
   * @default 5% of the remaining time, between 250 ms and 2 s
   */
  readonly deadlineMarginMs?: number;
  readonly now?: () => number;
}

/** Why an invocation's signal aborted. */
export class InvocationAbortedError extends Error {
  constructor(readonly reason: 'client_disconnected' | 'deadline', message: string) {
    super(message);
    this.name = 'InvocationAbortedError';
  }
}

export function createInvocationLifetime(
  responseStream: Writable,
  context: { getRemainingTimeInMillis(): number },
  options: LifetimeOptions = {},
): InvocationLifetime {
  const now = options.now ?? Date.now;
  const remaining = Math.max(0, context.getRemainingTimeInMillis());
  const deadline = now() + remaining;
  const margin = options.deadlineMarginMs ?? Math.min(2000, Math.max(250, Math.floor(remaining / 20)));
  const controller = new AbortController();

  const onGone = () => {
    // A close after our own end() is the normal end of the response, not a disconnect.
    if (responseStream.writableFinished) return;
    controller.abort(new InvocationAbortedError('client_disconnected', 'the client disconnected'));
  };
  const onError = () => onGone();
  responseStream.on('close', onGone);
  responseStream.on('error', onError);

  const timer = setTimeout(() => {
    controller.abort(new InvocationAbortedError('deadline', 'the invocation is about to reach its timeout'));
  }, Math.max(0, remaining - margin));
  // Never the reason the process stays up (local server, tests).
  timer.unref?.();

  let disposed = false;
  return {
    signal: controller.signal,
    deadline,
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(timer);
      responseStream.off('close', onGone);
      responseStream.off('error', onError);
      // A late error on a finished stream must not become an uncaught exception.
      responseStream.on('error', ignore);
    },
  };
}

/** The metadata `HttpResponseStream.from` takes, from a `Response`. */
export function responseMetadata(response: Response): HttpResponseMetadata {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  return cookies.length > 0
    ? { statusCode: response.status, headers, cookies }
    : { statusCode: response.status, headers };
}

/**
 * Streams `response` to the Lambda response stream and ends it. Resolves when the
 * stream has ended, the client has gone, or `signal` aborted (then the body is
 * cancelled so the app stops producing it). Never rejects.
 */
export async function writeResponse(
  awslambda: AwsLambdaGlobal, responseStream: Writable, response: Response, signal: AbortSignal,
): Promise<void> {
  const out = awslambda.HttpResponseStream.from(responseStream, responseMetadata(response));
  out.on('error', ignore);
  let wrote = false;
  const gone = () => out.destroyed || out.writableEnded;

  if (response.body) {
    const reader = response.body.getReader();
    const cancel = () => {
      reader.cancel(signal.reason).catch(ignore);
    };
    signal.addEventListener('abort', cancel, { once: true });
    try {
      while (!signal.aborted && !gone()) {
        const { done, value } = await reader.read();
        if (done || gone()) break;
        if (!value || value.byteLength === 0) continue;
        wrote = true;
        if (!out.write(value)) await drained(out, signal);
      }
    } catch {
      // The app's body stream failed midway (or was cancelled): status and headers are
      // gone already, so all that is left is to end the stream.
    } finally {
      signal.removeEventListener('abort', cancel);
      if (signal.aborted || gone()) reader.cancel(signal.reason).catch(ignore);
      reader.releaseLock();
    }
  }

  if (gone()) return;
  // The runtime sends status and headers before the first write only; an empty body
  // still needs one write, or the client would see a bare 200.
  if (!wrote) out.write(new Uint8Array(0));
  await new Promise<void>((resolve) => {
    out.end(() => resolve());
    out.once('close', () => resolve());
  });
}

/** Resolves when the stream can take more, is gone, or the signal aborts. */
function drained(stream: Writable, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      stream.off('drain', settle);
      stream.off('close', settle);
      signal.removeEventListener('abort', settle);
      resolve();
    };
    stream.on('drain', settle);
    stream.on('close', settle);
    signal.addEventListener('abort', settle, { once: true });
  });
}

function ignore(): void {
  // deliberately nothing: see the callers
}
