/**
 * Chooses how to run a registry item's function: by `lambdaArn` through the Lambda
 * invoker, by `handler` through the local invoker. The deployed handler is built
 * without a local invoker, so an item that names a `handler` (say, one written
 * through the admin API) fails as `not_found` instead of loading a file.
 */
import type { InvokeOptions, InvokeOutcome, ToolInvoker } from './tool-invoker';
import type { FunctionTarget } from '../model/registry-item';

export interface RoutingInvokerOptions {
  /** Runs `lambdaArn` targets. */
  readonly lambda?: ToolInvoker;
  /** Runs `handler` targets; local development only. */
  readonly local?: ToolInvoker;
}

export class RoutingInvoker implements ToolInvoker {
  constructor(private readonly routes: RoutingInvokerOptions) {}

  invoke(target: FunctionTarget, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome> {
    if (target.lambdaArn) {
      if (this.routes.lambda) return this.routes.lambda.invoke(target, event, options);
      return Promise.resolve({ ok: false, kind: 'not_found', message: 'this server does not invoke Lambda functions' });
    }
    if (target.handler) {
      if (this.routes.local) return this.routes.local.invoke(target, event, options);
      return Promise.resolve({
        ok: false,
        kind: 'not_found',
        message: `a 'handler' (${target.handler}) runs only in the local dev server; register a lambdaArn to deploy it`,
      });
    }
    return Promise.resolve({ ok: false, kind: 'not_found', message: 'the registry item names neither a lambdaArn nor a handler' });
  }
}
