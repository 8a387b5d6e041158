/**
 * The tool invoker of a synthesized app run locally: a registry item's `lambdaArn`
 * (the local ARN its `Fn::GetAtt` resolved to, see app-model.ts) names a function of
 * the app, which runs in its own local execution environments (function-runner.ts).
 *
 * Injected into the handler through `createHandler({ invoker })`, in place of the
 * Lambda invoker the deployed handler uses; nothing reaches AWS Lambda. A function
 * that cannot run locally answers every call with an error result that says why.
 */
import type { LocalFunction } from './app-model';
import { FunctionRunner, type FunctionRunnerOptions } from './function-runner';
import type { FunctionTarget } from '../../model/registry-item';
import type { InvokeOptions, InvokeOutcome, ToolInvoker } from '../../tools/tool-invoker';

export class AssetInvoker implements ToolInvoker {
  private readonly runners = new Map<string, FunctionRunner>();

  constructor(private readonly functions: ReadonlyMap<string, LocalFunction>, private readonly options: FunctionRunnerOptions) {}

  invoke(target: FunctionTarget, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome> {
    const fn = target.lambdaArn ? this.find(target.lambdaArn) : undefined;
    if (!fn) {
      return Promise.resolve({
        ok: false,
        kind: 'not_found',
        message: target.lambdaArn
          ? `function ${target.lambdaArn} is not part of the synthesized app, so it cannot run locally`
          : 'the registry item names no lambdaArn',
      });
    }
    let runner = this.runners.get(fn.arn);
    if (!runner) {
      runner = new FunctionRunner(fn, this.options);
      this.runners.set(fn.arn, runner);
    }
    return runner.invoke(event, options);
  }

  /** Stops every function's environments (on reload and shutdown). */
  stop(): void {
    for (const runner of this.runners.values()) runner.stop();
    this.runners.clear();
  }

  /** By full ARN, by ARN with a qualifier (`:$LATEST`, an alias), or by function name. */
  private find(arnOrName: string): LocalFunction | undefined {
    const exact = this.functions.get(arnOrName);
    if (exact) return exact;
    const name = /^arn:[^:]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(arnOrName)?.[1] ?? arnOrName.split(':')[0];
    for (const fn of this.functions.values()) if (fn.functionName === name) return fn;
    return undefined;
  }
}
