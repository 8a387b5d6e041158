/**
 * A Function URL request (payload format 2.0) as the admin API needs it: method, path
 * segments, query, lower-case headers and a bounded, decoded body. Pure; no I/O.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The largest request body the admin API reads: a registry item is far smaller. */
export const MAX_ADMIN_BODY_BYTES = 256 * 1024;

export interface AdminRequest {
  readonly method: string;
  /** The path as sent, e.g. `/items/resource/file%3A%2F%2F%2Fdocs%2Freadme.md`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  /** The body bytes, or undefined when there is none. */
  readonly body?: Buffer;
}

export function adminRequestOf(event: APIGatewayProxyEventV2): AdminRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  let body: Buffer | undefined;
  if (event.body !== undefined && event.body !== null && event.body !== '') {
    body = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  }
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath || '/',
    query: new URLSearchParams(event.rawQueryString ?? ''),
    headers,
    body,
  };
}

/**
 * The caller, from the IAM authorizer of an AWS_IAM Function URL: who made the change,
 * for the log. Only identifiers: no access key id, no signature.
 */
export function callerOf(event: APIGatewayProxyEventV2): Record<string, string> | undefined {
  const iam = (event.requestContext as { authorizer?: { iam?: Record<string, unknown> } }).authorizer?.iam;
  if (!iam) return undefined;
  const caller: Record<string, string> = {};
  for (const field of ['userArn', 'accountId', 'callerId', 'userId', 'principalOrgId']) {
    if (typeof iam[field] === 'string' && iam[field] !== '') caller[field] = iam[field] as string;
  }
  return caller;
}
