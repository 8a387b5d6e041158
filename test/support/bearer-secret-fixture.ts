/**
 * The real Secrets Manager client against a FakeSecretsManager (a local server speaking
 * Secrets Manager's JSON protocol), for the bearer token source. Registers its own
 * beforeAll/afterAll: call it at a test file's top level.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FakeSecretsManager } from './fake-secrets-manager';

export interface BearerSecretFixture {
  /** Set in beforeAll. */
  server: FakeSecretsManager;
  /** Set in beforeAll; one attempt, so a failure the fake answers is seen as it is. */
  client: SecretsManagerClient;
}

export function useBearerSecretFixture(): BearerSecretFixture {
  const fixture = {} as BearerSecretFixture;
  beforeAll(async () => {
    fixture.server = await FakeSecretsManager.start();
    fixture.client = new SecretsManagerClient({
      endpoint: fixture.server.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1,
    });
  });
  afterAll(async () => {
    fixture.client.destroy();
    await fixture.server.close();
  });
  return fixture;
}
