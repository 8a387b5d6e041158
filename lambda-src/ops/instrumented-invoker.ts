/**
 * A ToolInvoker around another: each function invocation (tool call, resource read,
 * prompt get) becomes an X-Ray subsegment when traced, a log line, and, for tools,
 * the ToolCalls/ToolErrors/ToolLatency metrics. It only observes: the outcome is
 * returned unchanged, and it never throws.
 *
 * The event is the tool contract's (tools/tool-event.ts), so what was invoked is read
 * from it: `tool` for a tool, `prompt` for a prompt, `uri` for a resource. The server
 * builder invokes only registered items, so these names are the registry's.
 */
import { logTag } from './log-tag';
import { clipText } from './log-text';
import type { InvocationReport, Telemetry } from './telemetry';
import { noTracing, type Tracing } from './xray-tracing';
import type { FunctionTarget } from '../model/registry-item';
import type { InvokeOptions, InvokeOutcome, ToolInvoker } from '../tools/tool-invoker';

export interface InstrumentedInvokerOptions {
  readonly telemetry: Telemetry;
  /** @default no tracing */
  readonly tracing?: Tracing;
  /** @default Date.now */
  readonly now?: () => number;
}

export class InstrumentedInvoker implements ToolInvoker {
  private readonly tracing: Tracing;
  private readonly now: () => number;

  constructor(private readonly inner: ToolInvoker, private readonly options: InstrumentedInvokerOptions) {
    this.tracing = options.tracing ?? noTracing;
    this.now = options.now ?? Date.now;
  }

  async invoke(target: FunctionTarget, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome> {
    const what = describe(event);
    // A resource URI expands a template with client input: cut, like every client string.
    const name = clipText(what.name);
    const sub = this.tracing.begin(`${what.kind} ${name}`, 'remote');
    sub?.annotate('mcp_kind', what.kind);
    sub?.annotate('mcp_name', name);
    const started = this.now();
    let outcome: InvokeOutcome;
    try {
      outcome = await this.inner.invoke(target, event, options);
    } catch (err) {
      // ToolInvoker promises never to throw; should one break that promise, the
      // subsegment is still closed and the error reaches the caller as before.
      sub?.close({ message: err instanceof Error ? err.message : String(err), fault: true });
      throw err;
    }
    const latencyMs = this.now() - started;
    if (sub) {
      sub.annotate('outcome', outcome.ok ? 'ok' : outcome.kind);
      // A function's own failure is the function's error (4xx-like in X-Ray terms);
      // a throttle, timeout or service failure is a fault of the call.
      sub.close(outcome.ok ? undefined : { name: outcome.kind, message: outcome.kind, fault: outcome.kind !== 'function_error' });
    }
    const report: InvocationReport = {
      requestId: what.requestId,
      kind: what.kind,
      name: what.name,
      outcome: outcome.ok ? 'ok' : outcome.kind,
      latencyMs,
      ...(what.sessionId !== undefined ? { sessionTag: logTag(what.sessionId) } : {}),
    };
    this.options.telemetry.invocation(report);
    return outcome;
  }
}

interface Described {
  readonly kind: InvocationReport['kind'];
  readonly name: string;
  readonly requestId?: string;
  readonly sessionId?: string;
}

function describe(event: unknown): Described {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const context = (typeof e.context === 'object' && e.context !== null ? e.context : {}) as Record<string, unknown>;
  const requestId = typeof context.requestId === 'string' ? context.requestId : undefined;
  const sessionId = typeof context.sessionId === 'string' ? context.sessionId : undefined;
  const base = { requestId, sessionId };
  if (typeof e.tool === 'string') return { ...base, kind: 'tool', name: e.tool };
  if (typeof e.prompt === 'string') return { ...base, kind: 'prompt', name: e.prompt };
  if (typeof e.uri === 'string') return { ...base, kind: 'resource', name: e.uri };
  return { ...base, kind: 'tool', name: 'unknown' };
}

/**
 * `invoker` instrumented, unless it is already (a test or the local server may hand
 * the runtime an instrumented invoker; reporting each invocation twice would double
 * the metrics).
 */
export function instrumentInvoker(invoker: ToolInvoker, options: InstrumentedInvokerOptions): ToolInvoker {
  return invoker instanceof InstrumentedInvoker ? invoker : new InstrumentedInvoker(invoker, options);
}
