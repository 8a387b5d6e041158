// The event both benchmark adapters (adapters.cjs and ours.cjs) hand a handler.

/** A Function URL event (payload format 2.0), as Lambda delivers it. */
function toFunctionUrlEvent(spec, requestId) {
  const body = JSON.stringify(spec.body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/mcp',
    rawQueryString: '',
    headers: { host: 'bench.lambda-url.us-east-1.on.aws', ...spec.headers, 'content-length': String(Buffer.byteLength(body)) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: 'bench.lambda-url.us-east-1.on.aws',
      domainPrefix: 'bench',
      http: { method: 'POST', path: '/mcp', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      authorizer: { iam: { accessKey: 'AKIA', accountId: '123456789012', callerId: 'AIDA', userArn: 'arn:aws:iam::123456789012:user/bench', userId: 'AIDA' } },
    },
    body,
    isBase64Encoded: false,
  };
}

module.exports = { toFunctionUrlEvent };
