/**
 * Runs the `handler`s a local registry file names (`--registry` mode):
 *
 * - a Python file (`./tools/weather.py#handler`) in local execution environments, as
 *   `dev --app` runs an app's Python functions (cdk-app/function-runner.ts): a
 *   `python3` child process per concurrent invocation, kept warm, with the module's
 *   folder as its task root;
 * - anything else (JavaScript modules) in this process, through LocalInvoker, as before.
 *
 * `reload()` (on an edit of the registry file or a handler module) drops the loaded
 * JavaScript modules and the Python environments, so the next call runs the new code.
 */
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import type { LocalFunction } from './cdk-app/app-model';
import { FunctionRunner } from './cdk-app/function-runner';
import type { FunctionTarget } from '../model/registry-item';
import { parseHandler } from '../tools/handler-reference';
import { LocalInvoker, reloadLocalHandlers } from '../tools/local-invoker';
import type { InvokeOptions, InvokeOutcome, ToolInvoker } from '../tools/tool-invoker';

export interface RegistryHandlerInvokerOptions {
  /** Output lines of the Python environments. */
  readonly log: (line: string) => void;
  /** @default 'python3' */
  readonly python?: string;
  /** Upper bound of a Python invocation when the item sets none, in seconds. @default 60 */
  readonly defaultTimeoutSeconds?: number;
}

/** The module file a `handler` names, resolved as LocalInvoker resolves it; undefined when malformed. */
export function handlerFile(target: FunctionTarget): string | undefined {
  const spec = target.handler ? parseHandler(target.handler) : undefined;
  if (!spec) return undefined;
  return isAbsolute(spec.path) ? spec.path : resolve(target.baseDir ?? process.cwd(), spec.path);
}

export class RegistryHandlerInvoker implements ToolInvoker {
  private readonly local = new LocalInvoker();
  private readonly python = new Map<string, FunctionRunner>();

  constructor(private readonly options: RegistryHandlerInvokerOptions) {}

  invoke(target: FunctionTarget, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome> {
    const file = handlerFile(target);
    if (file && extname(file) === '.py') return this.runnerFor(file, target).invoke(event, options);
    return this.local.invoke(target, event, options);
  }

  /** The next call of every handler loads its module afresh. */
  reload(): void {
    reloadLocalHandlers();
    this.stop();
  }

  /** Stops the Python environments. */
  stop(): void {
    for (const runner of this.python.values()) runner.stop();
    this.python.clear();
  }

  private runnerFor(file: string, target: FunctionTarget): FunctionRunner {
    const exportName = parseHandler(target.handler!)!.exportName;
    const key = `${file}#${exportName}`;
    let runner = this.python.get(key);
    if (!runner) {
      const module = basename(file, '.py');
      const fn: LocalFunction = {
        stackName: 'local',
        logicalId: module,
        functionName: `${module}-${exportName}`,
        arn: `arn:aws:lambda:us-east-1:000000000000:function:${module}-${exportName}`,
        runtime: 'python3 (local)',
        handler: `${module}.${exportName}`,
        language: 'python',
        codeDir: dirname(file),
        environment: {},
        memoryMb: 128,
        timeoutSeconds: target.timeoutSeconds ?? this.options.defaultTimeoutSeconds ?? 60,
        warnings: [],
      };
      runner = new FunctionRunner(fn, { log: this.options.log, python: this.options.python });
      this.python.set(key, runner);
    }
    return runner;
  }
}
