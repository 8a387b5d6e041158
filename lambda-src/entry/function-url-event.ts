/**
 * Function URL event (payload format 2.0) -> web-standard `Request`.
 *
 * A pure function: the event is everything Lambda tells us about the HTTP request, and
 * the `Request` is what the http and protocol layers (and the SDK's web-standard
 * transports) understand. Nothing here does I/O.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { keepBody } from '../http/request-body';

/** Raised when an event cannot be turned into a `Request` (the client's fault: answer 400/405). */
export class FunctionUrlEventError extends Error {
  constructor(message: string, readonly status: 400 | 405 = 400) {
    super(message);
    this.name = 'FunctionUrlEventError';
  }
}

/** Methods that carry no body in the Fetch standard: `new Request` refuses one. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD']);

/** Whether an invocation event is a Function URL (or HTTP API payload 2.0) request. */
export function isFunctionUrlEvent(event: unknown): event is APIGatewayProxyEventV2 {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Partial<APIGatewayProxyEventV2>;
  return e.version === '2.0'
    && typeof e.rawPath === 'string'
    && typeof e.requestContext === 'object' && e.requestContext !== null
    && typeof e.requestContext.http?.method === 'string';
}

/**
 * The request's URL. Function URLs are HTTPS only, so the synthetic origin is
 * `https://<domainName>`; the local server marks its plain-HTTP requests with
 * `x-forwarded-proto: http` (as a Function URL marks its own with `https`) so URLs the
 * server derives from the request (e.g. OAuth metadata) name the scheme really used.
 */
export function requestUrl(event: APIGatewayProxyEventV2): string {
  const proto = headerValue(event, 'x-forwarded-proto') === 'http' ? 'http' : 'https';
  const host = event.requestContext.domainName || headerValue(event, 'host') || 'localhost';
  const path = event.rawPath.startsWith('/') ? event.rawPath : `/${event.rawPath}`;
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  return `${proto}://${host}${path}${query}`;
}

/**
 * Converts the event. Multi-value headers arrive comma-joined from Lambda and stay so;
 * cookies arrive apart in `cookies` and are joined back into one `cookie` header (RFC
 * 6265 section 5.4: `; `-separated); base64 bodies (`isBase64Encoded`) are decoded to
 * bytes, others are UTF-8 text. The body's bytes are also kept beside the Request
 * (http/request-body.ts), so the layers above read them without draining its stream.
 */
export function functionUrlEventToRequest(event: APIGatewayProxyEventV2, signal?: AbortSignal): Request {
  const method = event.requestContext.http.method.toUpperCase();
  // The event's header record goes to the Request as it is: the Request copies it into
  // its own Headers, so building one here first would copy every header twice. Only
  // cookies to join in, or a missing value, need a Headers of ours.
  const record = plainHeaders(event);
  const headers = record ?? headersOf(event);

  let body: Uint8Array<ArrayBuffer> | undefined;
  if (event.body !== undefined && event.body !== null && !BODYLESS_METHODS.has(method)) {
    body = event.isBase64Encoded ? new Uint8Array(Buffer.from(event.body, 'base64')) : utf8.encode(event.body);
  }

  try {
    const request = new Request(requestUrl(event), { method, headers, body, signal });
    if (body) keepBody(request, body);
    return request;
  } catch (err) {
    // A header value the Fetch standard refuses: named, as headersOf names it.
    if (record) headersOf(event);
    // `new Request` refuses forbidden methods (CONNECT, TRACE, TRACK) and malformed URLs.
    const message = err instanceof Error ? err.message : String(err);
    if (/method/i.test(message)) {
      throw new FunctionUrlEventError(`method ${method} is not supported`, 405);
    }
    throw new FunctionUrlEventError(`the request could not be read: ${message}`);
  }
}

const utf8 = new TextEncoder();

/** The event's headers as a record a Request takes as it is: every value a string, no cookies apart. */
function plainHeaders(event: APIGatewayProxyEventV2): Record<string, string> | undefined {
  if (event.cookies && event.cookies.length > 0) return undefined;
  const headers = event.headers ?? {};
  for (const name in headers) {
    if (typeof headers[name] !== 'string') return undefined;
  }
  return headers as Record<string, string>;
}

/** The event's headers and cookies; a value that is not a valid header value is the client's error, named. */
function headersOf(event: APIGatewayProxyEventV2): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value === undefined) continue;
    try {
      headers.append(name, value);
    } catch {
      throw new FunctionUrlEventError(`header '${name}' has a value that is not a valid HTTP header value`);
    }
  }
  if (event.cookies && event.cookies.length > 0) {
    const fromEvent = event.cookies.join('; ');
    const existing = headers.get('cookie');
    headers.set('cookie', existing ? `${existing}; ${fromEvent}` : fromEvent);
  }
  return headers;
}

function headerValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  if (headers[name] !== undefined) return headers[name];
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}
