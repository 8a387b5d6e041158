/**
 * The answer to a CloudFormation custom resource request: a JSON document PUT to the
 * request's presigned S3 `ResponseURL` (CloudFormation user guide, "Custom resource
 * response objects"). The URL is signed without a Content-Type, so none is sent. The
 * whole response is limited to 4096 bytes, so a long Reason is cut.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface CloudFormationCustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

export interface CloudFormationResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** CloudFormation's limit on the whole response body. */
const MAX_RESPONSE_BYTES = 4096;

export function isCloudFormationEvent(event: unknown): event is CloudFormationCustomResourceEvent {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Record<string, unknown>;
  return ['Create', 'Update', 'Delete'].includes(e.RequestType as string)
    && typeof e.ResponseURL === 'string' && typeof e.StackId === 'string'
    && typeof e.RequestId === 'string' && typeof e.LogicalResourceId === 'string';
}

/** The JSON body, with Reason shortened so that the whole fits in 4096 bytes. */
export function responseBody(response: CloudFormationResponse): string {
  let body = JSON.stringify(response);
  if (Buffer.byteLength(body) <= MAX_RESPONSE_BYTES || !response.Reason) return body;
  const excess = Buffer.byteLength(body) - MAX_RESPONSE_BYTES;
  // Cut by characters with room for JSON escapes and the marker.
  const keep = Math.max(0, response.Reason.length - excess - 64);
  body = JSON.stringify({ ...response, Reason: `${response.Reason.slice(0, keep)} [...]` });
  return body;
}

export interface SendOptions {
  /** Milliseconds one attempt may take, connection included. @default 30000 */
  readonly timeoutMs?: number;
  /** Attempts in all, the first included. @default 5 */
  readonly attempts?: number;
  /** The first retry waits up to this long; each next one up to twice as long. @default 250 */
  readonly baseDelayMs?: number;
}

/**
 * Five attempts of at most 30 s, with at most 0.25 + 0.5 + 1 + 2 s of backoff between
 * them: under three minutes in the worst case, inside the admin function's five-minute
 * timeout, so that the last failure is still reported (and Lambda's own retry of the
 * event tries again).
 */
const DEFAULT_ATTEMPTS = 5;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 4_000;

/** A PUT that failed; `retryable` when trying again can help (a connection error or a 5xx). */
export class ResponseUrlError extends Error {
  constructor(message: string, readonly retryable: boolean, readonly status?: number) {
    super(message);
    this.name = 'ResponseUrlError';
  }
}

/**
 * PUTs the response. `http:` URLs are accepted so a test can stand a local server in
 * for S3; CloudFormation always sends https. Rejects on a non-2xx other than a 5xx, or
 * when every attempt failed.
 *
 * Without an answer a stack waits for the custom resource's timeout (an hour by
 * default) before it fails, so the answer is worth a few attempts: a PUT of the same
 * body to the same presigned URL is idempotent (the object is just written again), so a
 * connection error or a 5xx (S3's 500 InternalError and 503 SlowDown ask for a retry)
 * is retried with exponential backoff and full jitter. A 4xx (an expired or tampered
 * signature) will not get better and is not retried.
 */
export async function sendCloudFormationResponse(responseUrl: string, response: CloudFormationResponse, options: SendOptions = {}): Promise<void> {
  const body = responseBody(response);
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await putOnce(new URL(responseUrl), body, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      return;
    } catch (err) {
      const retryable = !(err instanceof ResponseUrlError) || err.retryable;
      if (!retryable || attempt >= attempts) {
        const message = err instanceof Error ? err.message : String(err);
        throw new ResponseUrlError(`${message} (attempt ${attempt} of ${attempts})`, false, err instanceof ResponseUrlError ? err.status : undefined);
      }
      const ceiling = Math.min(MAX_DELAY_MS, baseDelayMs * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}

/**
 * One PUT on a connection of its own (`agent: false`, `Connection: close`): never a
 * kept-alive socket from an earlier call. The far side may have closed such a socket
 * while it sat idle (S3 closes idle connections; a frozen execution environment does
 * not see the close until it thaws), and a request written on it fails with ECONNRESET
 * or EPIPE. One answer per custom resource event does not need a warm connection.
 */
function putOnce(url: URL, body: string, timeoutMs: number): Promise<void> {
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'PUT',
      agent: false,
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body), 'connection': 'close' },
      timeout: timeoutMs,
    }, (res) => {
      res.resume();
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new ResponseUrlError(`CloudFormation's response URL answered ${status}`, status >= 500, status));
      });
    });
    req.on('timeout', () => req.destroy(new ResponseUrlError(`no answer from CloudFormation's response URL within ${timeoutMs} ms`, true)));
    req.on('error', reject);
    req.end(body);
  });
}
