/**
 * The DynamoDB document client, created once per execution environment and reused by
 * every invocation (its keep-alive connections survive between invocations).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoDbClientOptions {
  /** AWS region. @default - the SDK's chain (AWS_REGION in Lambda); `us-east-1` with an `endpoint` */
  readonly region?: string;
  /**
   * Endpoint override, for DynamoDB Local only. With it the client signs with dummy
   * credentials: DynamoDB Local checks that a signature is present, not who made it.
   */
  readonly endpoint?: string;
  /**
   * Total attempts per call, the first included.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Milliseconds a single attempt may wait for a response before it is abandoned
   * (and retried, within `maxAttempts`).
   * @default 3000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Milliseconds to wait for a TCP/TLS connection.
   * @default 1000
   */
  readonly connectionTimeoutMs?: number;
}

/**
 * Three attempts with the SDK's standard strategy: exponential backoff with full jitter
 * (random in [0, 100 ms * 2^n], 500 ms base for throttles) and a client-side retry quota
 * that stops retrying when most calls fail. Every store call sits on the path of an HTTP
 * request whose client is waiting, so a few fast retries absorb a transient 500 or a
 * throttle, while a longer outage surfaces within about a second as an error the
 * http layer turns into a 503 with Retry-After instead of holding the stream open. The SDK
 * v2 default for DynamoDB was 10 attempts (up to ~25 s); far too long here.
 */
export const DEFAULT_MAX_ATTEMPTS = 3;
/**
 * A single DynamoDB item call answers in single-digit milliseconds; 3 s means the
 * connection or the service is stuck. Without it (the SDK's default is no timeout) a
 * dropped connection would hang the invocation until the function timeout.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 3000;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 1000;

/** Creates a new document client. Prefer `sharedDocumentClient` in the handler. */
export function createDocumentClient(options: DynamoDbClientOptions = {}): DynamoDBDocumentClient {
  const local = options.endpoint !== undefined;
  const client = new DynamoDBClient({
    region: options.region ?? (local ? process.env.AWS_REGION ?? 'us-east-1' : undefined),
    endpoint: options.endpoint,
    credentials: local ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    // The SDK's NodeHttpHandler keeps connections alive by default (SDK v3), so each
    // warm invocation skips the TCP and TLS handshakes.
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Without this the handler only logs a warning when requestTimeout passes and
      // keeps waiting (found by test/store/dynamodb-client.test.ts).
      throwOnRequestTimeout: true,
      connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    },
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: {
      // Optional fields of our records are often undefined; store them as absent.
      removeUndefinedValues: true,
      convertClassInstanceToMap: false,
    },
    unmarshallOptions: {
      // Our numbers are counters and epoch times, all far below 2^53.
      wrapNumbers: false,
    },
  });
}

const shared = new Map<string, DynamoDBDocumentClient>();

/**
 * The execution environment's client for these options: created on first use and
 * reused by every later invocation.
 */
export function sharedDocumentClient(options: DynamoDbClientOptions = {}): DynamoDBDocumentClient {
  const key = JSON.stringify([
    options.region, options.endpoint, options.maxAttempts, options.requestTimeoutMs, options.connectionTimeoutMs,
  ]);
  let client = shared.get(key);
  if (!client) {
    client = createDocumentClient(options);
    shared.set(key, client);
  }
  return client;
}
