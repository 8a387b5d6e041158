/**
 * The Lambda handler behind node:http (test/support/handler-http-server.ts), with a
 * request id per request (`req-<n>`), so that logs and traces name them. Records each
 * request's headers, so tests can see what a client sent (Accept-Encoding).
 */
import type { RuntimeOverrides } from '../../lambda-src/entry/index';
import { startHandlerHttpServer as startServer, type HandlerHttpServer } from '../support/handler-http-server';

export type { HandlerHttpServer };

export function startHandlerHttpServer(overrides: RuntimeOverrides): Promise<HandlerHttpServer> {
  return startServer(overrides, { requestId: (n) => `req-${n}` });
}
