/**
 * A LambdaInvoker with the real @aws-sdk/client-lambda client, pointed at a
 * FakeLambdaEndpoint that speaks the Lambda Invoke wire format (no emulator exists for
 * Lambda Invoke). Registers its own beforeAll/afterAll: call it at a test file's top level.
 */
import { FakeLambdaEndpoint } from './fake-lambda-endpoint';
import { LambdaInvoker } from '../../lambda-src/tools/lambda-invoker';

export interface LambdaInvokerFixture {
  /** Set in beforeAll. */
  endpoint: FakeLambdaEndpoint;
  /** Set in beforeAll. */
  invoker: LambdaInvoker;
  /**
   * Functions a test leaves hanging push their release here; afterAll calls them all so
   * no invocation outlives the endpoint.
   */
  readonly releases: Array<() => void>;
}

export function useLambdaInvokerFixture(): LambdaInvokerFixture {
  const fixture = { releases: [] as Array<() => void> } as LambdaInvokerFixture;
  beforeAll(async () => {
    fixture.endpoint = await FakeLambdaEndpoint.start();
    fixture.invoker = new LambdaInvoker({ clientConfig: fixture.endpoint.clientConfig() });
  });
  afterAll(async () => {
    fixture.releases.forEach((release) => release());
    await fixture.endpoint?.close();
  });
  return fixture;
}

/** The ARN of a function by that name in the test account and region. */
export const functionArn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
