import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IMcpServerMetrics } from './mcp-monitoring';

/**
 * The namespace of the metrics the handler publishes in the CloudWatch embedded
 * metric format (lambda-src publishes the same), each with the dimension `service`
 * set to the server's name.
 */
export const MCP_METRICS_NAMESPACE = 'McpLambdaServer';

/**
 * A metric the handler publishes in EMF, of the whole server (dimension set
 * [service]). `props` override the defaults as in aws-cdk-lib's `metricXxx()`
 * methods: a 5 minute period and the statistic that suits the metric.
 */
export function serverMetric(
  serverName: string, metricName: string, defaultStatistic: string, props: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: MCP_METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: serverName },
    statistic: defaultStatistic,
    period: Duration.minutes(5),
    ...props,
  });
}

/** The metrics of a server by name (for McpMonitoring used without its server). */
export function serverMetricsByName(serverName: string): IMcpServerMetrics {
  const sum = (name: string) => (props?: cloudwatch.MetricOptions) => serverMetric(serverName, name, cloudwatch.Stats.SUM, props);
  const p99 = (name: string) => (props?: cloudwatch.MetricOptions) => serverMetric(serverName, name, cloudwatch.Stats.p(99), props);
  return {
    metric: (metricName, props) => serverMetric(serverName, metricName, cloudwatch.Stats.SUM, props),
    metricRequests: sum('Requests'),
    metricRequestErrors: sum('RequestErrors'),
    metricRequestLatency: p99('RequestLatency'),
    metricToolCalls: sum('ToolCalls'),
    metricToolErrors: sum('ToolErrors'),
    metricToolLatency: p99('ToolLatency'),
    metricStreamsOpened: sum('StreamsOpened'),
    metricStreamsClosed: sum('StreamsClosed'),
    metricEventsDelivered: sum('EventsDelivered'),
  };
}
