/**
 * The real Lambda handler behind a real HTTP server (test/support/handler-http-server.ts),
 * as the reliability tests use it: every part injectable (stores on a fault proxy, a tool
 * invoker on the fake Lambda endpoint), auth mode `none`, and the requests whose
 * invocation threw out of the handler counted in `escapes` (must stay 0).
 */
import type { RuntimeOverrides } from '../../lambda-src/entry/index';
import { startHandlerHttpServer } from '../support/handler-http-server';

export interface HandlerServer {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: string;
  /** Requests whose invocation threw out of the handler (must stay 0). */
  readonly escapes: unknown[];
  close(): Promise<void>;
}

export async function startHandlerServer(overrides: RuntimeOverrides, options: { invocationTimeoutMs?: number } = {}): Promise<HandlerServer> {
  const server = await startHandlerHttpServer(overrides, options);
  return { url: server.url.toString(), escapes: server.escapes, close: () => server.close() };
}
