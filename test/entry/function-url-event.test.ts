import { FunctionUrlEventError, functionUrlEventToRequest, isFunctionUrlEvent, requestUrl } from '../../lambda-src/entry/function-url-event';
import { functionUrlEvent as event } from '../support/function-url-event';

describe('isFunctionUrlEvent', () => {
  test('recognises a payload 2.0 HTTP event', () => {
    expect(isFunctionUrlEvent(event())).toBe(true);
  });
  test.each([
    ['null', null],
    ['an SNS event', { Records: [{ EventSource: 'aws:sns', Sns: {} }] }],
    ['a payload 1.0 event', { version: '1.0', httpMethod: 'GET', path: '/mcp', requestContext: {} }],
    ['a string', 'hello'],
  ])('rejects %s', (_name, e) => {
    expect(isFunctionUrlEvent(e)).toBe(false);
  });
});

describe('functionUrlEventToRequest', () => {
  test('keeps method, path and raw query string on a synthetic https origin', () => {
    const req = functionUrlEventToRequest(event({ method: 'GET', rawPath: '/mcp', rawQueryString: 'a=1&b=%20x&a=2' }));
    expect(req.method).toBe('GET');
    expect(req.url).toBe('https://fn.lambda-url.eu-west-1.on.aws/mcp?a=1&b=%20x&a=2');
    expect(new URL(req.url).searchParams.getAll('a')).toEqual(['1', '2']);
  });

  test('uses http when the local server marks the request with x-forwarded-proto: http', () => {
    const e = event({ headers: { 'x-forwarded-proto': 'http' } });
    e.requestContext.domainName = '127.0.0.1:3000';
    expect(requestUrl(e)).toBe('http://127.0.0.1:3000/mcp');
  });

  test('copies headers, keeping comma-joined multi-values', () => {
    const req = functionUrlEventToRequest(event({
      headers: { 'accept': 'application/json, text/event-stream', 'mcp-session-id': 'abc', 'x-multi': 'a,b' },
    }));
    expect(req.headers.get('accept')).toBe('application/json, text/event-stream');
    expect(req.headers.get('mcp-session-id')).toBe('abc');
    expect(req.headers.get('x-multi')).toBe('a,b');
  });

  test('joins cookies into one cookie header', () => {
    const req = functionUrlEventToRequest(event({ cookies: ['a=1', 'b=2'] }));
    expect(req.headers.get('cookie')).toBe('a=1; b=2');
  });

  test('appends event cookies to a cookie header that is already there', () => {
    const req = functionUrlEventToRequest(event({ headers: { cookie: 'z=0' }, cookies: ['a=1'] }));
    expect(req.headers.get('cookie')).toBe('z=0; a=1');
  });

  test('reads a UTF-8 body', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { text: 'héllo ✓' } });
    const req = functionUrlEventToRequest(event({ body }));
    expect(await req.text()).toBe(body);
  });

  test('decodes a base64 body to its exact bytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    const req = functionUrlEventToRequest(event({ body: bytes.toString('base64'), isBase64Encoded: true }));
    expect(Buffer.from(await req.arrayBuffer())).toEqual(bytes);
  });

  test('drops a body on GET, where the Fetch standard allows none', () => {
    const req = functionUrlEventToRequest(event({ method: 'GET', body: 'ignored' }));
    expect(req.body).toBeNull();
  });

  test('uppercases the method', () => {
    expect(functionUrlEventToRequest(event({ method: 'delete' })).method).toBe('DELETE');
  });

  test('a forbidden method becomes a 405 FunctionUrlEventError', () => {
    expect.assertions(2);
    try {
      functionUrlEventToRequest(event({ method: 'TRACE' }));
    } catch (err) {
      expect(err).toBeInstanceOf(FunctionUrlEventError);
      expect((err as FunctionUrlEventError).status).toBe(405);
    }
  });

  test('an invalid header value becomes a 400 naming the header', () => {
    expect(() => functionUrlEventToRequest(event({ headers: { 'x-bad': 'a\nb' } })))
      .toThrow(/header 'x-bad'/);
  });

  test('passes the abort signal to the request', () => {
    const controller = new AbortController();
    const req = functionUrlEventToRequest(event(), controller.signal);
    controller.abort();
    expect(req.signal.aborted).toBe(true);
  });
});
