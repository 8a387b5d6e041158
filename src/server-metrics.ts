import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE } from './runtime-contract';

/**
 * The namespace of the metrics the handler publishes in the CloudWatch embedded
 * metric format (lambda-src publishes the same), each with the dimension `service`
 * set to the server's name.
 */
export const MCP_METRICS_NAMESPACE = METRICS_NAMESPACE;

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
