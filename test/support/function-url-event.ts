/**
 * A Function URL event (payload format 2.0) as AWS sends it for a request to
 * `https://fn.lambda-url.eu-west-1.on.aws/mcp` signed by the IAM user `bob`: what a test
 * feeds the Lambda entry (entry/index.ts) or its event conversion
 * (entry/function-url-event.ts) without a local server in between. A test names in
 * `overrides` only what it is about; each top-level field given replaces the default
 * (`headers` as a whole), and `method` sets `requestContext.http.method`.
 *
 * For an event built from a real `node:http` request, use the dev server's own
 * builder (lambda-src/local/function-url-event-builder.ts) instead.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export const FUNCTION_URL_HOST = 'fn.lambda-url.eu-west-1.on.aws';

export function functionUrlEvent(overrides: Partial<APIGatewayProxyEventV2> & { method?: string } = {}): APIGatewayProxyEventV2 {
  const { method = 'POST', ...rest } = overrides;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/mcp',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'host': FUNCTION_URL_HOST },
    requestContext: {
      accountId: '123456789012',
      apiId: 'fn',
      authorizer: { iam: { accountId: '123456789012', callerId: 'AIDA:bob', userArn: 'arn:aws:iam::123456789012:user/bob', userId: 'AIDA' } },
      domainName: FUNCTION_URL_HOST,
      domainPrefix: 'fn',
      http: { method, path: '/mcp', protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
      requestId: 'url-req',
      routeKey: '$default',
      stage: '$default',
      time: '23/Nov/2026:18:00:00 +0000',
      timeEpoch: 1795024800000,
    } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: false,
    ...rest,
  };
}
