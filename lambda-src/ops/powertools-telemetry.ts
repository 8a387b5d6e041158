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
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { clipField } from './log-text';
import { Dimension, Metric, METRICS_NAMESPACE } from './metric-catalog';
import { type LineSink, MetricReport, SinkLogger, SinkMetrics } from './powertools-lines';
import type { InvocationReport, RequestRecord, StreamReport, Telemetry } from './telemetry';

export type { LineSink } from './powertools-lines';

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

/** The reports, each with its breakdown dimension and metrics in publishing order. */
const REQUEST_REPORT = new MetricReport(Dimension.method, [
  [Metric.Requests, MetricUnit.Count],
  [Metric.RequestErrors, MetricUnit.Count],
  [Metric.RequestLatency, MetricUnit.Milliseconds],
]);
const TOOL_REPORT = new MetricReport(Dimension.tool, [
  [Metric.ToolCalls, MetricUnit.Count],
  [Metric.ToolErrors, MetricUnit.Count],
  [Metric.ToolLatency, MetricUnit.Milliseconds],
]);
const STREAM_OPENED_REPORT = new MetricReport(Dimension.method, [
  [Metric.StreamsOpened, MetricUnit.Count],
  [Metric.OpenStreams, MetricUnit.Count],
]);
const EVENTS_REPORT = new MetricReport(Dimension.method, [[Metric.EventsDelivered, MetricUnit.Count]]);
const STREAM_CLOSED_REPORT = new MetricReport(Dimension.method, [
  [Metric.StreamsClosed, MetricUnit.Count],
  [Metric.OpenStreams, MetricUnit.Count],
  [Metric.EventsDelivered, MetricUnit.Count],
]);

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
  const publish = (report: MetricReport, value: string, values: readonly number[]): void => {
    if (!metrics) return;
    try {
      metrics.publishReport(report, value, values);
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
        method: clipField(record.method),
        // Every string a client chose is cut (log-text.ts): a path or a header value
        // may be as long as a request.
        path: clipField(record.path),
        status: record.status,
        latencyMs: record.latencyMs,
        mcpMethod: clipField(record.mcpMethod),
        tool: clipField(record.tool),
        protocolVersion: clipField(record.protocolVersion),
        session: record.sessionTag,
        principalKind: record.principalKind,
        principalId: clipField(record.principalId),
        origin: clipField(record.origin),
        streamed: record.streamed,
        contentEncoding: record.contentEncoding,
      };
      if (record.error !== undefined) {
        // The error's name, message and stack through Powertools' error formatting.
        const withError = { ...fields, error: record.error instanceof Error ? record.error : String(record.error) };
        if (record.status >= 500) logger.error('http request', withError);
        else logger.info('http request', withError);
      } else {
        logger.flatLine(record.status >= 500 ? 'ERROR' : 'INFO', 'http request', fields);
      }
      publish(REQUEST_REPORT, record.methodLabel, [1, record.status >= 500 ? 1 : 0, record.latencyMs]);
    },

    invocation(report: InvocationReport): void {
      logger.flatLine(report.outcome === 'ok' ? 'INFO' : 'WARN', 'function invocation', {
        requestId: report.requestId,
        kind: report.kind,
        // A resource URI expands a template with client input.
        name: clipField(report.name),
        outcome: report.outcome,
        latencyMs: report.latencyMs,
        session: report.sessionTag,
      });
      // Tool names come from the registry (only registered tools are invoked), so the
      // dimension is bounded by what an administrator registered. Resource URIs are
      // not (templates expand client input): no per-resource metrics.
      if (report.kind !== 'tool') return;
      publish(TOOL_REPORT, report.name, [1, report.outcome === 'ok' ? 0 : 1, report.latencyMs]);
    },

    streamOpened(requestId: string, label: string): void {
      openStreams += 1;
      publish(STREAM_OPENED_REPORT, label, [1, openStreams]);
      logger.debug('stream opened', { requestId, openStreams });
    },

    eventsDelivered(report: StreamReport): void {
      if (report.events > 0) publish(EVENTS_REPORT, report.methodLabel, [report.events]);
    },

    streamClosed(report: StreamReport): void {
      openStreams = Math.max(0, openStreams - 1);
      publish(STREAM_CLOSED_REPORT, report.methodLabel, [1, openStreams, report.events]);
      logger.info('stream closed', { requestId: report.requestId, method: report.methodLabel, events: report.events, durationMs: report.durationMs });
    },

    problem(level, message, fields = {}): void {
      logger[level](message, fields);
    },
  };
}
