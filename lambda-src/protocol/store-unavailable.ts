/**
 * Whether an error from a store call means DynamoDB is unavailable for the moment:
 * throttled, a 5xx, or no answer at all (a timeout, a dropped or refused connection),
 * after the document client's own bounded retries (store/dynamodb-client.ts). The same
 * request may well succeed a second later, so the client is answered 503 with
 * `Retry-After` (RFC 9110 section 15.6.4), not 500. Anything else, a
 * `ValidationException` say, is a bug of ours and stays a 500.
 */

/** DynamoDB's throttling errors (the SDK retries them with a longer backoff). */
const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** Seconds a client should wait before it retries (`Retry-After`): a few backoffs of the SDK. */
export const STORE_RETRY_AFTER_SECONDS = 1;

export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } | null };
  if (typeof e.name === 'string' && THROTTLING_ERRORS.has(e.name)) return true;
  // Every error the AWS SDK throws after its retries carries `$metadata`; without an
  // HTTP status no answer came back (timeout, connection reset or refused).
  if (typeof e.$metadata !== 'object' || e.$metadata === null) return false;
  const status = e.$metadata.httpStatusCode;
  return status === undefined || (typeof status === 'number' && (status >= 500 || status === 429));
}
