/**
 * Function URL event (payload format 2.0) -> web-standard `Request`.
 *
 * A pure function: the event is everything Lambda tells us about the HTTP request, and
 * the `Request` is what the http and protocol layers (and the SDK's web-standard
 * transports) understand. Nothing here does I/O.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

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
 * bytes, others are UTF-8 text.
 */
export function functionUrlEventToRequest(event: APIGatewayProxyEventV2, signal?: AbortSignal): Request {
  const method = event.requestContext.http.method.toUpperCase();
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

  let body: Uint8Array<ArrayBuffer> | undefined;
  if (event.body !== undefined && event.body !== null && !BODYLESS_METHODS.has(method)) {
    body = new Uint8Array(Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8'));
  }

  try {
    return new Request(requestUrl(event), { method, headers, body, signal });
  } catch (err) {
    // `new Request` refuses forbidden methods (CONNECT, TRACE, TRACK) and malformed URLs.
    const message = err instanceof Error ? err.message : String(err);
    if (/method/i.test(message)) {
      throw new FunctionUrlEventError(`method ${method} is not supported`, 405);
    }
    throw new FunctionUrlEventError(`the request could not be read: ${message}`);
  }
}

function headerValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  if (headers[name] !== undefined) return headers[name];
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}
