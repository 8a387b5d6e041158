/**
 * X-Ray subsegments for tool invocations and store calls, through Powertools Tracer,
 * and only when the invocation is traced.
 *
 * Powertools Tracer loads aws-xray-sdk-core, which costs tens of milliseconds of cold
 * start (docs/operations.md, "Operations: logs, metrics, tracing, compression" has the figures). A function without active tracing
 * must not pay that. `AWS_XRAY_DAEMON_ADDRESS`, where the segment documents go (UDP), is
 * set by Lambda only in a function with active tracing: there the Tracer module is
 * imported (a chunk of its own in the bundle, scripts/bundle.mjs) when the runtime is
 * built, and elsewhere never. An invocation is traced when `_X_AMZN_TRACE_ID` (set by
 * Lambda per invocation) says `Sampled=1`; one that comes before the import finished
 * (the first of an environment, at worst) records no subsegments of ours.
 *
 * Subsegments hang directly under Lambda's facade segment, and are never made the
 * "current" segment: the context is shared by whatever runs concurrently (the local
 * server, streams), so nesting through it could attach a call to the wrong parent.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';

/** What a caller records on an open subsegment. */
export interface SubsegmentHandle {
  /** Indexed, searchable in X-Ray (keys: letters, digits, underscore). */
  annotate(key: string, value: string | number | boolean): void;
  /** An AWS call's `aws` block (operation, table_name, request_id, ...). */
  aws(data: Record<string, unknown>): void;
  /** Ends the subsegment; an error marks it a fault (5xx-like) or an error (4xx-like). */
  close(error?: { message: string; name?: string; fault?: boolean }): void;
}

export interface Tracing {
  /** An open subsegment under this invocation's segment, or undefined when not traced. */
  begin(name: string, namespace?: 'aws' | 'remote'): SubsegmentHandle | undefined;
}

type TracerModule = typeof import('@aws-lambda-powertools/tracer');

export interface XRayTracingOptions {
  readonly serviceName: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Loads the Tracer module synchronously on the first sampled invocation (tests).
   * @default import('@aws-lambda-powertools/tracer') when `AWS_XRAY_DAEMON_ADDRESS` is set
   */
  readonly load?: () => TracerModule;
}

/** Whether this invocation is traced: the trace header Lambda set says `Sampled=1`. */
export function isInvocationSampled(env: NodeJS.ProcessEnv = process.env): boolean {
  const header = env._X_AMZN_TRACE_ID;
  return header !== undefined && /(?:^|;)\s*Sampled=1(?:;|$)/.test(header) && !!env.AWS_XRAY_DAEMON_ADDRESS;
}

/** X-Ray subsegment names: at most 200 characters of a restricted set. */
function subsegmentName(name: string): string {
  return name.replace(/[^\p{L}\p{N}\s_.:/%&#=+\-@]/gu, '_').slice(0, 200);
}

export class XRayTracing implements Tracing {
  private tracer?: Tracer;
  private importing?: Promise<void>;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: XRayTracingOptions) {
    this.env = options.env ?? process.env;
    if (!options.load && this.env.AWS_XRAY_DAEMON_ADDRESS) this.startImport();
  }

  begin(name: string, namespace?: 'aws' | 'remote'): SubsegmentHandle | undefined {
    if (!isInvocationSampled(this.env)) return undefined;
    try {
      const tracer = this.load();
      if (!tracer || !tracer.isTracingEnabled()) return undefined;
      const parent = tracer.getSegment();
      if (!parent) return undefined;
      const sub = parent.addNewSubsegment(subsegmentName(name));
      if (namespace) sub.namespace = namespace;
      return {
        annotate: (key, value) => sub.addAnnotation(key, value),
        aws: (data) => sub.addAttribute('aws', data),
        close: (error) => {
          if (error) {
            if (error.fault) sub.addFaultFlag();
            else sub.addErrorFlag();
            sub.addMetadata('error', { name: error.name ?? 'Error', message: error.message });
          }
          sub.close();
        },
      };
    } catch {
      // Tracing is an aid: it never fails a request.
      return undefined;
    }
  }

  /** Settles when the Tracer module's import has (it resolves either way). */
  async ready(): Promise<void> {
    await this.importing;
  }

  private load(): Tracer | undefined {
    if (!this.tracer && this.options.load) this.tracer = this.newTracer(this.options.load());
    if (!this.tracer) this.startImport();
    return this.tracer;
  }

  private startImport(): void {
    this.importing ??= import('@aws-lambda-powertools/tracer').then(
      (mod) => {
        // The ES module's declared types are the same classes under another name.
        this.tracer = this.newTracer(mod as unknown as TracerModule);
      },
      () => {
        // Tracing is an aid: a failed import leaves the requests untraced, and the
        // next sampled invocation tries again.
        this.importing = undefined;
      },
    );
  }

  private newTracer(mod: TracerModule): Tracer {
    // Our subsegments cover the calls worth seeing; patching every HTTP request
    // would record each AWS SDK call twice.
    return new mod.Tracer({ serviceName: this.options.serviceName, captureHTTPsRequests: false });
  }
}

/** Tracing that never traces (tests, the local server). */
export const noTracing: Tracing = { begin: () => undefined };
