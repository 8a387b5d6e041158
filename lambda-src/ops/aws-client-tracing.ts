/**
 * X-Ray subsegments for the calls an AWS SDK v3 client makes (the store's DynamoDB
 * client), as one middleware on the client's stack. Each call becomes an `aws`
 * subsegment named after the service, with the operation, table and request id, as
 * X-Ray's own SDK instrumentation records them, so the X-Ray console draws DynamoDB as
 * a node of the service map.
 *
 * The middleware is added whether or not tracing is on (adding it costs nothing); on
 * each call it asks `tracing.begin`, which returns nothing unless the invocation is
 * sampled, so an untraced function never loads the X-Ray SDK (xray-tracing.ts).
 */
import type { Tracing } from './xray-tracing';

type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: unknown }>;
type Middleware = (next: Next, context: { clientName?: string; commandName?: string }) => Next;

/** The part of an AWS SDK v3 client (or document client) this needs. */
export interface MiddlewareStackHolder {
  readonly middlewareStack: {
    add(middleware: Middleware, options: { step: 'initialize'; name: string; override: boolean }): void;
  };
}

export const TRACING_MIDDLEWARE_NAME = 'mcpXRaySubsegment';

/** Adds the tracing middleware to `client` (once: a second call replaces the first). */
export function traceAwsClient(client: MiddlewareStackHolder, tracing: Tracing, service = 'DynamoDB'): void {
  const middleware: Middleware = (next, context) => async (args) => {
    const sub = tracing.begin(service, 'aws');
    if (!sub) return next(args);
    const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
    const table = typeof args.input.TableName === 'string' ? args.input.TableName : undefined;
    try {
      const result = await next(args);
      const meta = metadataOf(result.output);
      sub.aws({ operation, ...(table ? { table_name: table } : {}), request_id: meta.requestId, retries: Math.max(0, (meta.attempts ?? 1) - 1) });
      sub.close();
      return result;
    } catch (err) {
      const meta = metadataOf(err);
      sub.aws({ operation, ...(table ? { table_name: table } : {}), request_id: meta.requestId, retries: Math.max(0, (meta.attempts ?? 1) - 1) });
      const status = meta.httpStatusCode ?? 500;
      // A conditional-check failure or a throttle is the caller's error (4xx); a 5xx or
      // a network failure is a fault.
      sub.close({ name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err), fault: status >= 500 });
      throw err;
    }
  };
  client.middlewareStack.add(middleware, { step: 'initialize', name: TRACING_MIDDLEWARE_NAME, override: true });
}

function metadataOf(value: unknown): { requestId?: string; attempts?: number; httpStatusCode?: number } {
  const meta = (value as { $metadata?: { requestId?: string; attempts?: number; httpStatusCode?: number } } | undefined)?.$metadata;
  return meta ?? {};
}
