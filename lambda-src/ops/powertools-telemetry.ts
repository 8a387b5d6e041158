/**
 * Telemetry through Powertools for AWS Lambda: one structured JSON log line per HTTP
 * request and per function invocation (Logger), and CloudWatch metrics in the
 * Embedded Metric Format (Metrics). Both write through one `LogSink`, stdout in
 * Lambda, where the Lambda runtime ships each line to CloudWatch Logs and CloudWatch
 * extracts the EMF lines into metrics: no API call, no agent, nothing to flush after
 * the response (Lambda may freeze the environment once the response ends).
 *
 * Metrics are published as soon as each report is made, synchronously, one EMF line
 * per report: the Metrics buffer is shared, and a publish never spans an `await`, so
 * concurrent requests (the local server, tests) never mix their dimensions.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogItem } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Dimension, Metric, METRICS_NAMESPACE } from './metric-catalog';
import type { InvocationReport, RequestRecord, StreamReport, Telemetry } from './telemetry';

/** Where each JSON line goes (stdout in Lambda). */
export type LineSink = (line: string) => void;

export interface PowertoolsTelemetryOptions {
  /** The `service` key of every log line and the `service` dimension of every metric. */
  readonly serviceName: string;
  readonly sink: LineSink;
  /** @default 'McpLambdaServer' */
  readonly namespace?: string;
  /**
   * Emit metrics. Off for the local dev server, whose console is for people.
   * @default true (POWERTOOLS_METRICS_DISABLED=true turns them off too)
   */
  readonly metrics?: boolean;
}

/** Logger that writes its lines to our sink instead of its own Console on stdout. */
class SinkLogger extends Logger {
  private sink?: LineSink;

  constructor(sink: LineSink, options: ConstructorParameters<typeof Logger>[0]) {
    super(options);
    this.sink = sink;
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const attributes = log.getAttributes();
    // Powertools' replacer (errors, bigints, cycles) makes JSON.stringify several times
    // slower; our lines are flat primitives but for an `error`, so use it only then.
    const line = needsReplacer(attributes)
      ? JSON.stringify(attributes, this.getJsonReplacer())
      : JSON.stringify(attributes);
    if (this.sink) this.sink(line);
    else process.stdout.write(`${line}\n`);
  }
}

function needsReplacer(attributes: Record<string, unknown>): boolean {
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== null && typeof value === 'object') return true;
    if (typeof value === 'bigint') return true;
  }
  return false;
}

/** Metrics whose EMF lines go to our sink; the same line Powertools would print. */
class SinkMetrics extends Metrics {
  constructor(private readonly sink: LineSink, options: ConstructorParameters<typeof Metrics>[0]) {
    super(options);
  }

  override publishStoredMetrics(): this {
    try {
      if (!this.isDisabled() && this.hasStoredMetrics()) this.sink(JSON.stringify(this.serializeMetrics()));
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }
}

/** True until the first request of this execution environment has been reported. */
let coldStart = true;

export function createPowertoolsTelemetry(options: PowertoolsTelemetryOptions): Telemetry {
  const { sink } = options;
  const logger = new SinkLogger(sink, { serviceName: options.serviceName });
  const metrics = options.metrics === false
    ? undefined
    : new SinkMetrics(sink, {
      namespace: options.namespace ?? METRICS_NAMESPACE,
      serviceName: options.serviceName,
      // A warning in our own format, through the same sink (Powertools would print it
      // with its own Console otherwise).
      logger: {
        warn: (...args: unknown[]) => logger.warn(String(args[0])),
        error: (...args: unknown[]) => logger.error(String(args[0])),
        debug: () => undefined,
        info: () => undefined,
      },
    });
  let openStreams = 0;

  /**
   * Publishes `values` with two dimension sets, [service] and [service, name=value]:
   * the first is the whole server (alarms), the second the breakdown (dashboards).
   */
  const publish = (dimension: string, value: string, values: Array<[string, (typeof MetricUnit)[keyof typeof MetricUnit], number]>): void => {
    if (!metrics) return;
    try {
      metrics.addDimension(dimension, value);
      metrics.addDimensions({});
      for (const [name, unit, v] of values) metrics.addMetric(name, unit, v);
      metrics.publishStoredMetrics();
    } catch (err) {
      logger.warn('metrics could not be published', { error: err as Error });
    }
  };

  return {
    request(record: RequestRecord): void {
      const cold = coldStart;
      coldStart = false;
      const fields = {
        requestId: record.requestId,
        cold_start: cold,
        method: record.method,
        path: record.path,
        status: record.status,
        latencyMs: record.latencyMs,
        mcpMethod: record.mcpMethod,
        tool: record.tool,
        protocolVersion: record.protocolVersion,
        session: record.sessionTag,
        principalKind: record.principalKind,
        principalId: record.principalId,
        origin: record.origin,
        streamed: record.streamed,
        contentEncoding: record.contentEncoding,
        ...(record.error !== undefined ? { error: record.error instanceof Error ? record.error : String(record.error) } : {}),
      };
      if (record.status >= 500) logger.error('http request', fields);
      else logger.info('http request', fields);
      publish(Dimension.method, record.methodLabel, [
        [Metric.Requests, MetricUnit.Count, 1],
        [Metric.RequestErrors, MetricUnit.Count, record.status >= 500 ? 1 : 0],
        [Metric.RequestLatency, MetricUnit.Milliseconds, record.latencyMs],
      ]);
    },

    invocation(report: InvocationReport): void {
      const fields = {
        requestId: report.requestId,
        kind: report.kind,
        name: report.name,
        outcome: report.outcome,
        latencyMs: report.latencyMs,
        session: report.sessionTag,
      };
      if (report.outcome === 'ok') logger.info('function invocation', fields);
      else logger.warn('function invocation', fields);
      // Tool names come from the registry (only registered tools are invoked), so the
      // dimension is bounded by what an administrator registered. Resource URIs are
      // not (templates expand client input): no per-resource metrics.
      if (report.kind !== 'tool') return;
      publish(Dimension.tool, report.name, [
        [Metric.ToolCalls, MetricUnit.Count, 1],
        [Metric.ToolErrors, MetricUnit.Count, report.outcome === 'ok' ? 0 : 1],
        [Metric.ToolLatency, MetricUnit.Milliseconds, report.latencyMs],
      ]);
    },

    streamOpened(requestId: string, label: string): void {
      openStreams += 1;
      publish(Dimension.method, label, [
        [Metric.StreamsOpened, MetricUnit.Count, 1],
        [Metric.OpenStreams, MetricUnit.Count, openStreams],
      ]);
      logger.debug('stream opened', { requestId, openStreams });
    },

    eventsDelivered(report: StreamReport): void {
      if (report.events > 0) publish(Dimension.method, report.methodLabel, [[Metric.EventsDelivered, MetricUnit.Count, report.events]]);
    },

    streamClosed(report: StreamReport): void {
      openStreams = Math.max(0, openStreams - 1);
      publish(Dimension.method, report.methodLabel, [
        [Metric.StreamsClosed, MetricUnit.Count, 1],
        [Metric.OpenStreams, MetricUnit.Count, openStreams],
        [Metric.EventsDelivered, MetricUnit.Count, report.events],
      ]);
      logger.info('stream closed', { requestId: report.requestId, method: report.methodLabel, events: report.events, durationMs: report.durationMs });
    },

    problem(level, message, fields = {}): void {
      logger[level](message, fields);
    },
  };
}
