/**
 * A `node:http` request -> the Function URL event (payload format 2.0) AWS would send
 * for it, so the local server feeds the handler exactly what Lambda feeds it.
 *
 * As a Function URL does: header names are lower-cased, repeated headers are
 * comma-joined, `Cookie` moves to `cookies`, text bodies stay text and anything else is
 * base64 with `isBase64Encoded: true`. `x-forwarded-proto: http` tells the entry that
 * this request came over plain HTTP (a Function URL sends `https`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** Content types a Function URL passes as text rather than base64. */
const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|x-www-form-urlencoded|javascript))/i;

export function buildFunctionUrlEvent(req: IncomingMessage, body: Buffer, fallbackHost: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  let cookies: string[] | undefined;
  if (headers.cookie !== undefined) {
    cookies = headers.cookie.split(/;\s*/).filter(Boolean);
    delete headers.cookie;
  }
  headers['x-forwarded-proto'] = 'http';
  const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;

  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQueryString = q === -1 ? '' : url.slice(q + 1);
  const method = req.method ?? 'GET';
  const host = headers.host ?? fallbackHost;
  const now = new Date();
  const isText = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? '');
  const requestId = randomUUID();

  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    cookies,
    headers,
    queryStringParameters: rawQueryString ? Object.fromEntries(new URLSearchParams(rawQueryString)) : undefined,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0],
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length === 0 ? undefined : (isText ? body.toString('utf8') : body.toString('base64')),
    isBase64Encoded: !isText,
  };
}
