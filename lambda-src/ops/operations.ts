/**
 * The operations parts of one execution environment, built once and shared by the
 * layers that report to them: telemetry (logs and metrics) for the http layer and the
 * tool invoker, tracing for the tool invoker and the store's AWS clients.
 */
import { createPowertoolsTelemetry, type LineSink } from './powertools-telemetry';
import type { Telemetry } from './telemetry';
import { type Tracing, XRayTracing } from './xray-tracing';

export interface Operations {
  readonly telemetry: Telemetry;
  readonly tracing: Tracing;
}

export interface OperationsOptions {
  /** The server name: `service` in logs and metrics. */
  readonly serviceName: string;
  /** Where log and EMF lines go (stdout in Lambda). */
  readonly sink: LineSink;
  /** @default true */
  readonly metrics?: boolean;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export function createOperations(options: OperationsOptions): Operations {
  return {
    telemetry: createPowertoolsTelemetry({ serviceName: options.serviceName, sink: options.sink, metrics: options.metrics }),
    tracing: new XRayTracing({ serviceName: options.serviceName, env: options.env }),
  };
}
