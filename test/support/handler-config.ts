/**
 * The handler config the tests start from: made-up table names (replaced where a test
 * runs against DynamoDB Local), no auth, no allowed origins, bounds wide enough to stay out of
 * a test's way. A test names in `overrides` only what it is about.
 */
import type { HandlerConfig } from '../../lambda-src/model/config';

export function handlerConfig(overrides: Partial<HandlerConfig> = {}): HandlerConfig {
  return {
    sessionTable: 'sessions',
    registryTable: 'registry',
    serverName: 'test',
    serverVersion: '1.0.0',
    sessionTtlSeconds: 3600,
    registryCacheSeconds: 60,
    authMode: 'none',
    allowedOrigins: [],
    maxBodyBytes: 1024 * 1024,
    toolTimeoutSeconds: 30,
    ...overrides,
  };
}
