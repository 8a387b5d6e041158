/**
 * X-Ray subsegments for tool invocations and store calls, through Powertools Tracer,
 * and only when the invocation is traced.
 *
 * Powertools Tracer loads aws-xray-sdk-core, which costs tens of milliseconds of cold
 * start (docs/readme/operations.md has the figures). A function without active tracing
 * must not pay that, so the Tracer module is required on the first sampled invocation
 * only: `_X_AMZN_TRACE_ID` (set by Lambda per invocation) says `Sampled=1`, which it
 * says only when the function has active tracing or the caller's trace is sampled.
 * `AWS_XRAY_DAEMON_ADDRESS` is where the segment documents go (UDP), set by Lambda.
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
  /** @default require('@aws-lambda-powertools/tracer'), on first use */
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
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: XRayTracingOptions) {
    this.env = options.env ?? process.env;
  }

  begin(name: string, namespace?: 'aws' | 'remote'): SubsegmentHandle | undefined {
    if (!isInvocationSampled(this.env)) return undefined;
    try {
      const tracer = this.load();
      if (!tracer.isTracingEnabled()) return undefined;
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

  private load(): Tracer {
    if (!this.tracer) {
      // A require inside the method, not an import at the top: esbuild keeps the
      // module in the bundle but runs it only here, on the first sampled invocation.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = this.options.load ? this.options.load() : (require('@aws-lambda-powertools/tracer') as TracerModule);
      // Our subsegments cover the calls worth seeing; patching every HTTP request
      // would record each AWS SDK call twice.
      this.tracer = new mod.Tracer({ serviceName: this.options.serviceName, captureHTTPsRequests: false });
    }
    return this.tracer;
  }
}

/** Tracing that never traces (tests, the local server). */
export const noTracing: Tracing = { begin: () => undefined };
