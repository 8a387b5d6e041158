/**
 * Which store errors are "unavailable, retry" (503 with Retry-After) and which are
 * ours (500): lambda-src/protocol/store-unavailable.ts. The fault tests
 * (dynamodb-faults.test.ts) show the real SDK errors end to end; this pins the shapes.
 */
import { isStoreUnavailable } from '../../lambda-src/protocol/store-unavailable';

const sdkError = (name: string, httpStatusCode?: number) =>
  Object.assign(new Error(name), {
    name, $metadata: { attempts: 3, totalRetryDelay: 700, ...(httpStatusCode === undefined ? {} : { httpStatusCode }) },
  });

test.each([
  ['throttled (ProvisionedThroughputExceededException)', sdkError('ProvisionedThroughputExceededException', 400), true],
  ['throttled (ThrottlingException)', sdkError('ThrottlingException', 400), true],
  ['throttled (RequestLimitExceeded)', sdkError('RequestLimitExceeded', 400), true],
  ['a 500', sdkError('InternalServerError', 500), true],
  ['a 503', sdkError('ServiceUnavailable', 503), true],
  ['no answer (request timeout)', sdkError('TimeoutError'), true],
  ['no answer (connection reset)', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: { attempts: 3 } }), true],
  ['a ValidationException (our bug)', sdkError('ValidationException', 400), false],
  ['a failed condition', sdkError('ConditionalCheckFailedException', 400), false],
  ['an error that is not the SDK\'s', new TypeError('x is undefined'), false],
  ['not an error at all', 'boom', false],
])('%s', (_, error, unavailable) => {
  expect(isStoreUnavailable(error)).toBe(unavailable);
});
