import { LambdaInvoker } from '../../lambda-src/tools/lambda-invoker';
import { MAX_SYNC_PAYLOAD_BYTES } from '../../lambda-src/tools/payload-limits';
import { FakeLambdaResponse, lambdaResponse } from '../support/fake-lambda-endpoint';
import { functionArn, useLambdaInvokerFixture } from '../support/lambda-invoker-fixture';

// The real @aws-sdk/client-lambda client against a local endpoint that speaks the
// Lambda Invoke wire format.
const lambda = useLambdaInvokerFixture();

/** A function that does not answer until the test ends; `started` resolves when it is invoked. */
function hangingFunction(): { fn: () => Promise<unknown>; started: Promise<void> } {
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  return {
    started,
    fn: () => {
      markStarted();
      return new Promise((resolve) => lambda.releases.push(() => resolve({ late: true })));
    },
  };
}

test('a JSON result comes back as the payload, from a RequestResponse invoke of the named function', async () => {
  lambda.endpoint.register('echo', (event) => ({ echoed: event }));
  const event = { tool: 'echo', arguments: { message: 'hi' }, context: { requestId: 'r1', protocolVersion: '2025-11-25' } };

  const outcome = await lambda.invoker.invoke({ lambdaArn: functionArn('echo') }, event);

  expect(outcome).toEqual({ ok: true, payload: { echoed: event } });
  const call = lambda.endpoint.invocations.at(-1)!;
  expect(call.functionName).toBe(functionArn('echo'));
  expect(call.invocationType).toBe('RequestResponse');
  expect(call.payload).toEqual(event);
});

test('a function that returns nothing yields a null payload', async () => {
  lambda.endpoint.register('nothing', () => undefined);
  expect(await lambda.invoker.invoke({ lambdaArn: 'nothing' }, {})).toEqual({ ok: true, payload: null });
});

test('X-Amz-Function-Error becomes function_error with the function\'s own message', async () => {
  lambda.endpoint.register('throws', () => {
    throw new TypeError('order id must be a number');
  });
  const outcome = await lambda.invoker.invoke({ lambdaArn: functionArn('throws') }, {});
  expect(outcome).toEqual({ ok: false, kind: 'function_error', message: 'TypeError: order id must be a number' });
});

test('a function that ran past its own Lambda timeout is a timeout', async () => {
  lambda.endpoint.register('sandbox-timeout', () => lambdaResponse.functionError('2026-11-23T18:00:00.000Z abc Task timed out after 3.00 seconds', 'Sandbox.Timedout'));
  const outcome = await lambda.invoker.invoke({ lambdaArn: 'sandbox-timeout' }, {});
  expect(outcome).toMatchObject({ ok: false, kind: 'timeout' });
  expect((outcome as { message: string }).message).toContain('Task timed out after 3.00 seconds');
});

test('429 TooManyRequestsException is throttled', async () => {
  lambda.endpoint.register('busy', () => lambdaResponse.throttled());
  const outcome = await lambda.invoker.invoke({ lambdaArn: 'busy' }, {});
  expect(outcome).toMatchObject({ ok: false, kind: 'throttled' });
  expect((outcome as { message: string }).message).toContain('Rate Exceeded.');
});

test('a throttled Invoke, which never ran the function, is tried again and can succeed', async () => {
  let calls = 0;
  lambda.endpoint.register('busy-then-free', () => (++calls < 3 ? lambdaResponse.throttled() : { done: true }));
  const before = lambda.endpoint.invocations.length;
  expect(await lambda.invoker.invoke({ lambdaArn: 'busy-then-free' }, {})).toEqual({ ok: true, payload: { done: true } });
  expect(lambda.endpoint.invocations.length - before).toBe(3);
});

test('a 500 from the service is not retried: a repeated Invoke could run a tool twice', async () => {
  lambda.endpoint.register('flaky', () => new FakeLambdaResponse(500, { 'x-amzn-ErrorType': 'ServiceException:http://internal.amazon.com/coral/com.amazonaws.lambda/' }, '{"message":"internal"}'));
  // With the invoker's own client settings, not the fake's (which already says maxAttempts 1).
  const { maxAttempts: _unused, ...config } = lambda.endpoint.clientConfig();
  const ours = new LambdaInvoker({ clientConfig: config });
  const before = lambda.endpoint.invocations.length;
  expect(await ours.invoke({ lambdaArn: 'flaky' }, {})).toMatchObject({ ok: false, kind: 'invoke_failed' });
  expect(lambda.endpoint.invocations.length - before).toBe(1);
});

test('413 RequestTooLargeException from the service is payload_too_large', async () => {
  lambda.endpoint.register('refuses', () => lambdaResponse.requestTooLarge());
  expect(await lambda.invoker.invoke({ lambdaArn: 'refuses' }, { small: true })).toMatchObject({ ok: false, kind: 'payload_too_large' });
});

test('an event over 6 MB is refused before anything is sent', async () => {
  lambda.endpoint.register('big-input', () => ({ ok: true }));
  const before = lambda.endpoint.invocations.length;
  const outcome = await lambda.invoker.invoke({ lambdaArn: 'big-input' }, { blob: 'x'.repeat(MAX_SYNC_PAYLOAD_BYTES) });
  expect(outcome).toMatchObject({ ok: false, kind: 'payload_too_large' });
  expect((outcome as { message: string }).message).toMatch(/request event is 6\.0 MB/);
  expect(lambda.endpoint.invocations.length).toBe(before);
});

test('a response over 6 MB is payload_too_large, and so is Lambda\'s Function.ResponseSizeTooLarge', async () => {
  lambda.endpoint.register('big-output', () => lambdaResponse.raw(JSON.stringify({ blob: 'y'.repeat(MAX_SYNC_PAYLOAD_BYTES) })));
  expect(await lambda.invoker.invoke({ lambdaArn: 'big-output' }, {})).toMatchObject({ ok: false, kind: 'payload_too_large' });

  lambda.endpoint.register('too-big-per-lambda', () => lambdaResponse.functionError('Response payload size exceeded maximum allowed payload size (6291556 bytes).', 'Function.ResponseSizeTooLarge'));
  expect(await lambda.invoker.invoke({ lambdaArn: 'too-big-per-lambda' }, {})).toMatchObject({ ok: false, kind: 'payload_too_large' });
});

test('a payload that is not JSON is malformed', async () => {
  lambda.endpoint.register('garbage', () => lambdaResponse.raw('<html>oops</html>'));
  const outcome = await lambda.invoker.invoke({ lambdaArn: 'garbage' }, {});
  expect(outcome).toMatchObject({ ok: false, kind: 'malformed' });
  expect((outcome as { message: string }).message).toContain('<html>');
});

test('an unknown function is not_found', async () => {
  const outcome = await lambda.invoker.invoke({ lambdaArn: functionArn('no-such-function') }, {});
  expect(outcome).toMatchObject({ ok: false, kind: 'not_found' });
  expect((outcome as { message: string }).message).toContain('no-such-function');
});

test('a target without lambdaArn is not_found and sends nothing', async () => {
  const before = lambda.endpoint.invocations.length;
  expect(await lambda.invoker.invoke({ handler: './x.js#handler' }, {})).toMatchObject({ ok: false, kind: 'not_found' });
  expect(lambda.endpoint.invocations.length).toBe(before);
});

test('our own time limit ends the wait with timeout', async () => {
  const slow = hangingFunction();
  lambda.endpoint.register('slow', slow.fn);
  const outcome = await lambda.invoker.invoke({ lambdaArn: 'slow' }, {}, { timeoutMs: 50 });
  expect(outcome).toMatchObject({ ok: false, kind: 'timeout' });
  expect((outcome as { message: string }).message).toContain('within 0.1 s');
});

test('an abort while the function runs is aborted, not a timeout', async () => {
  const slow = hangingFunction();
  lambda.endpoint.register('cancelled', slow.fn);
  const controller = new AbortController();
  const pending = lambda.invoker.invoke({ lambdaArn: 'cancelled' }, {}, { signal: controller.signal, timeoutMs: 60_000 });
  await slow.started;
  controller.abort();
  expect(await pending).toMatchObject({ ok: false, kind: 'aborted' });
});

test('an already aborted signal sends nothing', async () => {
  lambda.endpoint.register('never', () => ({}));
  const before = lambda.endpoint.invocations.length;
  expect(await lambda.invoker.invoke({ lambdaArn: 'never' }, {}, { signal: AbortSignal.abort() })).toMatchObject({ ok: false, kind: 'aborted' });
  expect(lambda.endpoint.invocations.length).toBe(before);
});

test('a connection failure is invoke_failed, not a throw', async () => {
  const dead = new LambdaInvoker({ clientConfig: { ...lambda.endpoint.clientConfig(), endpoint: 'http://127.0.0.1:1' } });
  expect(await dead.invoke({ lambdaArn: 'x' }, {})).toMatchObject({ ok: false, kind: 'invoke_failed' });
});
