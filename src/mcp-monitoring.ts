import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC } from './runtime-contract';
import { MCP_METRICS_NAMESPACE, serverMetric } from './server-metrics';

/**
 * The metrics the MCP handler publishes for one server (namespace `McpLambdaServer`,
 * dimension `service` = the server's name), as aws-cdk-lib's `metricXxx()` methods:
 * each returns a `cloudwatch.Metric` with a 5 minute period and the statistic that
 * suits it, which `props` may override. `McpLambdaServer` implements it.
 */
export interface IMcpServerMetrics {
  /**
   * Any metric the handler publishes with the dimension set [service].
   *
   * @default - statistic Sum, period 5 minutes
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** MCP requests served (POST, GET, DELETE). Default: Sum. */
  metricRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests answered with a 5xx status: server failures clients see. Default: Sum. */
  metricRequestErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Milliseconds from a request's arrival to its response headers. Default: p99. */
  metricRequestLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Tool calls. Default: Sum. */
  metricToolCalls(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Tool calls whose function failed (error, timeout or throttle; not a tool's own `isError` result). Default: Sum. */
  metricToolErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Milliseconds a tool function took. Default: p99. */
  metricToolLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** SSE streams opened. Default: Sum. */
  metricStreamsOpened(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** SSE streams closed. Default: Sum. */
  metricStreamsClosed(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** External events (SNS) delivered to open streams. Default: Sum. */
  metricEventsDelivered(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/**
 * Settings of `McpLambdaServerProps.monitoring`: CloudWatch alarms on the server's
 * parts and a dashboard. `monitoring: {}` turns it on with the defaults.
 */
export interface McpMonitoringOptions {
  /**
   * The topic every alarm notifies when it goes into ALARM (an e-mail list, a chat
   * integration, a paging service).
   *
   * @default - the alarms have no actions; they show in the console and the dashboard
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Create a CloudWatch dashboard of the server.
   *
   * @default true
   */
  readonly dashboard?: boolean;

  /**
   * The dashboard's name. Unique in the account and region.
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;

  /**
   * The period each alarm evaluates, between 1 minute and 1 day.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;

  /**
   * Alarm when the handler has this many failed invocations (Lambda `Errors`: an
   * uncaught error, a crash or a timeout; the handler answers client errors itself,
   * so these are not counted) in one period.
   *
   * @default 1
   */
  readonly handlerErrorsThreshold?: number;

  /**
   * Alarm when this many invocations of the handler are throttled (Lambda
   * `Throttles`) in one period. Every open client stream holds one concurrent
   * execution, so throttles mean the account's or the reserved concurrency is spent.
   *
   * @default 1
   */
  readonly handlerThrottlesThreshold?: number;

  /**
   * Alarm when this many requests are answered with a 5xx status (the handler's
   * `RequestErrors` metric) in one period: what clients see of server failures,
   * including those the handler catches and answers.
   *
   * @default 1
   */
  readonly requestErrorsThreshold?: number;

  /**
   * Alarm when the p99 of the handler's `RequestLatency` metric (from request to
   * response status and headers, all methods; an SSE stream counts until its headers,
   * not for its lifetime) is above this in three consecutive periods.
   *
   * @default Duration.seconds(10)
   */
  readonly latencyThreshold?: Duration;

  /**
   * Alarm when this many tool function invocations fail (the handler's `ToolErrors`
   * metric: function error, timeout or throttle; not a tool's own `isError` result)
   * in one period.
   *
   * @default 1
   */
  readonly toolErrorsThreshold?: number;

  /**
   * Alarm when a table has this many throttled requests (DynamoDB
   * `ThrottledRequests`, summed over the operations the handler uses) in one period.
   *
   * @default 1
   */
  readonly tableThrottlesThreshold?: number;

  /**
   * Alarm when this many event notifications fail in one period: SNS
   * `NumberOfNotificationsFailed` of the event topic, Lambda `AsyncEventsDropped` of
   * the handler, or messages waiting in the subscription's dead-letter queue. Only
   * with `enableEvents` or `eventTopic`.
   *
   * @default 1
   */
  readonly eventFailuresThreshold?: number;
}

/**
 * Properties of `McpMonitoring`.
 */
export interface McpMonitoringProps extends McpMonitoringOptions {
  /** The server's name: the `service` dimension of its metrics, and part of alarm descriptions. */
  readonly serverName: string;
  /**
   * The server's metrics (`McpLambdaServer` passes itself).
   *
   * @default - the metrics of `serverName`
   */
  readonly metrics?: IMcpServerMetrics;
  /** The handler function. */
  readonly handler: lambda.IFunction;
  /** The session table. */
  readonly sessionTable: dynamodb.ITable;
  /** The registry table. */
  readonly registryTable: dynamodb.ITable;
  /**
   * The event topic the handler is subscribed to.
   *
   * @default - no event alarms and no dead-letter queue
   */
  readonly eventTopic?: sns.ITopic;
}

/**
 * The DynamoDB operations the handler calls (lambda-src/store): the alarms sum their
 * per-operation metrics. Seven, within the ten metrics an alarm's math may use.
 */
const HANDLER_TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.BATCH_WRITE_ITEM,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
];

/**
 * Alarms and a dashboard of one `McpLambdaServer`; made by the server when its
 * `monitoring` prop is set (construct id `Monitoring`).
 *
 * Alarms use the metrics AWS publishes (Lambda, DynamoDB, SNS, SQS) and, where AWS
 * cannot see it, the handler's own: the handler's Lambda `Duration` counts the whole
 * life of a streamed response, so an open SSE stream of ten minutes would dominate its
 * p99, and a request the handler answers with 500 is a successful invocation to Lambda.
 * Latency and request errors come from the handler's `RequestLatency` and
 * `RequestErrors` (dimension set [service]), published in EMF.
 */
export class McpMonitoring extends Construct {
  /** Every alarm made, in the order below. */
  public readonly alarms: cloudwatch.Alarm[] = [];

  /** Failed invocations of the handler (Lambda `Errors`). */
  public readonly handlerErrorsAlarm: cloudwatch.Alarm;

  /** Throttled invocations of the handler (Lambda `Throttles`). */
  public readonly handlerThrottlesAlarm: cloudwatch.Alarm;

  /** Requests answered with a 5xx status (`McpLambdaServer` `RequestErrors`). */
  public readonly requestErrorsAlarm: cloudwatch.Alarm;

  /** p99 time to response headers (`McpLambdaServer` `RequestLatency`). */
  public readonly latencyAlarm: cloudwatch.Alarm;

  /** Failed tool function invocations (`McpLambdaServer` `ToolErrors`). */
  public readonly toolErrorsAlarm: cloudwatch.Alarm;

  /** Throttled requests on the session table. */
  public readonly sessionTableThrottlesAlarm: cloudwatch.Alarm;

  /** Throttled requests on the registry table. */
  public readonly registryTableThrottlesAlarm: cloudwatch.Alarm;

  /** DynamoDB internal errors (HTTP 500) on the session table. */
  public readonly sessionTableErrorsAlarm: cloudwatch.Alarm;

  /** DynamoDB internal errors (HTTP 500) on the registry table. */
  public readonly registryTableErrorsAlarm: cloudwatch.Alarm;

  /**
   * Where SNS puts event notifications it could not deliver to the handler: SSE-SQS
   * encrypted, TLS only, kept 14 days.
   *
   * @default - undefined unless the server has an event topic
   */
  public readonly eventDeadLetterQueue?: sqs.Queue;

  /**
   * Event notifications that failed: SNS delivery failures, dead letters, and
   * asynchronous invocations Lambda dropped after its retries.
   *
   * @default - undefined unless the server has an event topic
   */
  public readonly eventFailuresAlarm?: cloudwatch.Alarm;

  /**
   * The dashboard.
   *
   * @default - undefined when `dashboard` is false
   */
  public readonly dashboard?: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: McpMonitoringProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    validatePeriod(period);
    const name = props.serverName;
    const metrics = props.metrics ?? serverMetricsByName(name);
    const action = props.alarmTopic ? new cloudwatchActions.SnsAction(props.alarmTopic) : undefined;
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps): cloudwatch.Alarm => {
      const made = new cloudwatch.Alarm(this, alarmId, alarmProps);
      if (action) made.addAlarmAction(action);
      this.alarms.push(made);
      return made;
    };
    const countAlarm = (threshold: number | undefined, what: string) => {
      const value = threshold ?? 1;
      validateThreshold(what, value);
      return {
        threshold: value,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No datapoint: nothing happened (Lambda and DynamoDB publish only when there is traffic).
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      };
    };

    const fn = props.handler;
    this.handlerErrorsAlarm = alarm('HandlerErrors', {
      alarmDescription: `MCP server ${name}: the handler function failed (uncaught error, crash or timeout)`,
      metric: fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
      ...countAlarm(props.handlerErrorsThreshold, 'handlerErrorsThreshold'),
    });
    this.handlerThrottlesAlarm = alarm('HandlerThrottles', {
      alarmDescription: `MCP server ${name}: invocations of the handler were throttled (concurrency spent; every open stream holds one)`,
      metric: fn.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }),
      ...countAlarm(props.handlerThrottlesThreshold, 'handlerThrottlesThreshold'),
    });

    this.requestErrorsAlarm = alarm('RequestErrors', {
      alarmDescription: `MCP server ${name}: requests were answered with a 5xx status`,
      metric: metrics.metricRequestErrors({ period, statistic: cloudwatch.Stats.SUM }),
      ...countAlarm(props.requestErrorsThreshold, 'requestErrorsThreshold'),
    });
    const latencyThreshold = props.latencyThreshold ?? Duration.seconds(10);
    if (!latencyThreshold.isUnresolved() && latencyThreshold.toMilliseconds() < 1) {
      throw new Error('latencyThreshold is 0: give a duration of at least 1 millisecond');
    }
    this.latencyAlarm = alarm('RequestLatency', {
      alarmDescription: `MCP server ${name}: p99 time to response headers above ${latencyThreshold.toHumanString()}`,
      metric: metrics.metricRequestLatency({ period, statistic: cloudwatch.Stats.p(99) }),
      threshold: latencyThreshold.toMilliseconds(),
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.toolErrorsAlarm = alarm('ToolErrors', {
      alarmDescription: `MCP server ${name}: tool function invocations failed (function error, timeout or throttle)`,
      metric: metrics.metricToolErrors({ period, statistic: cloudwatch.Stats.SUM }),
      ...countAlarm(props.toolErrorsThreshold, 'toolErrorsThreshold'),
    });

    const tables: Array<[string, string, dynamodb.ITable]> = [
      ['SessionTable', 'session table', props.sessionTable],
      ['RegistryTable', 'registry table', props.registryTable],
    ];
    const [sessionThrottles, registryThrottles] = tables.map(([prefix, label, table]) => alarm(`${prefix}Throttles`, {
      alarmDescription: `MCP server ${name}: requests to the ${label} were throttled`,
      metric: table.metricThrottledRequestsForOperations({ operations: HANDLER_TABLE_OPERATIONS, period }),
      ...countAlarm(props.tableThrottlesThreshold, 'tableThrottlesThreshold'),
    }));
    this.sessionTableThrottlesAlarm = sessionThrottles;
    this.registryTableThrottlesAlarm = registryThrottles;
    const [sessionErrors, registryErrors] = tables.map(([prefix, label, table]) => alarm(`${prefix}SystemErrors`, {
      alarmDescription: `MCP server ${name}: DynamoDB answered requests to the ${label} with internal errors`,
      metric: table.metricSystemErrorsForOperations({ operations: HANDLER_TABLE_OPERATIONS, period }),
      ...countAlarm(undefined, 'tableSystemErrors'),
    }));
    this.sessionTableErrorsAlarm = sessionErrors;
    this.registryTableErrorsAlarm = registryErrors;

    if (props.eventTopic) {
      this.eventDeadLetterQueue = new sqs.Queue(this, 'EventDeadLetterQueue', {
        // SQS-managed keys: SNS can write to them without a key policy, which a
        // customer managed key (possibly imported) would need.
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      // This queue is the dead-letter queue of an SNS subscription, which cdk-nag's
      // SQS3 does not recognise (it looks for queue redrive policies only). The
      // suppression travels in the template metadata, without a dependency on cdk-nag.
      (this.eventDeadLetterQueue.node.defaultChild as sqs.CfnQueue).addMetadata('cdk_nag', {
        rules_to_suppress: [{
          id: 'AwsSolutions-SQS3',
          reason: 'This queue is itself the dead-letter queue of the event topic subscription (SNS RedrivePolicy).',
        }],
      });
      const failuresThreshold = props.eventFailuresThreshold ?? 1;
      validateThreshold('eventFailuresThreshold', failuresThreshold);
      this.eventFailuresAlarm = alarm('EventFailures', {
        alarmDescription: `MCP server ${name}: event notifications failed (SNS delivery failures, dead letters, or events Lambda dropped)`,
        metric: new cloudwatch.MathExpression({
          // MAX over the dead-letter queue's depth (a gauge) plus the two failure counts.
          expression: 'FILL(failed, 0) + FILL(dropped, 0) + FILL(deadLetters, 0)',
          usingMetrics: {
            failed: props.eventTopic.metricNumberOfNotificationsFailed({ period, statistic: cloudwatch.Stats.SUM }),
            dropped: fn.metric('AsyncEventsDropped', { period, statistic: cloudwatch.Stats.SUM }),
            deadLetters: this.eventDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
          },
          label: 'Failed event notifications',
          period,
        }),
        threshold: failuresThreshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    if (props.dashboard ?? true) {
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
        dashboardName: props.dashboardName,
        widgets: dashboardRows(props, period, this),
      });
    } else if (props.dashboardName !== undefined) {
      throw new Error('dashboardName was given with dashboard: false: drop dashboardName, or leave dashboard out to create the dashboard');
    }
  }
}

/**
 * One line per value of `dimension` (a tool, a method): a CloudWatch SEARCH, which
 * dashboards allow (alarms do not), so tools registered at run time appear too.
 */
function searchByDimension(service: string, metricName: string, dimension: string, statistic: string, period: Duration): cloudwatch.MathExpression {
  // The service name sits in a double-quoted term inside a single-quoted search string:
  // escape both quotes and backslashes.
  const quoted = Token.isUnresolved(service) ? service : service.replace(/["'\\]/g, (c) => `\\${c}`);
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${MCP_METRICS_NAMESPACE},${dimension},service} MetricName="${metricName}" service="${quoted}"', '${statistic}', ${period.toSeconds()})`,
    usingMetrics: {},
    // An empty label: each line is named by its dimension value.
    label: '',
    period,
  });
}

function dashboardRows(props: McpMonitoringProps, period: Duration, monitoring: McpMonitoring): cloudwatch.IWidget[][] {
  const metrics = props.metrics ?? serverMetricsByName(props.serverName);
  const fn = props.handler;
  const name = props.serverName;
  const sum = { period, statistic: cloudwatch.Stats.SUM };
  const rows: cloudwatch.IWidget[][] = [
    [
      new cloudwatch.TextWidget({
        markdown: `# MCP server ${name}\nHandler, tools and tables. Metrics of the handler are in the \`${MCP_METRICS_NAMESPACE}\` namespace, dimension \`service\` = \`${name}\`.`,
        width: 24,
        height: 2,
      }),
    ],
    [
      new cloudwatch.GraphWidget({
        title: 'Requests by method',
        left: [searchByDimension(name, METRIC.Requests, 'method', 'Sum', period)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Request errors by method',
        left: [searchByDimension(name, METRIC.RequestErrors, 'method', 'Sum', period)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Request latency p99 by method (ms)',
        left: [searchByDimension(name, METRIC.RequestLatency, 'method', 'p99', period)],
        width: 8,
      }),
    ],
    [
      new cloudwatch.GraphWidget({
        title: 'Requests, errors and tool calls (whole server)',
        left: [
          metrics.metricRequests({ period, statistic: cloudwatch.Stats.SUM }).with({ label: 'Requests' }),
          metrics.metricRequestErrors({ period, statistic: cloudwatch.Stats.SUM }).with({ label: 'Requests answered 5xx' }),
          metrics.metricToolCalls({ period, statistic: cloudwatch.Stats.SUM }).with({ label: 'Tool calls' }),
          metrics.metricToolErrors({ period, statistic: cloudwatch.Stats.SUM }).with({ label: 'Tool errors' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Latency p99 (ms): time to headers, tool functions',
        left: [
          metrics.metricRequestLatency({ period, statistic: cloudwatch.Stats.p(99) }).with({ label: 'Requests' }),
          metrics.metricToolLatency({ period, statistic: cloudwatch.Stats.p(99) }).with({ label: 'Tool functions' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Streams and events delivered',
        left: [
          metrics.metricStreamsOpened({ period, statistic: cloudwatch.Stats.SUM }).with({ label: 'Streams opened' }),
          metrics.metricStreamsClosed({ period, statistic: cloudwatch.Stats.SUM }).with({ label: 'Streams closed' }),
        ],
        right: [metrics.metricEventsDelivered({ period, statistic: cloudwatch.Stats.SUM }).with({ label: 'Events delivered' })],
        width: 8,
      }),
    ],
    [
      new cloudwatch.GraphWidget({
        title: 'Tool calls by tool',
        left: [searchByDimension(name, METRIC.ToolCalls, 'tool', 'Sum', period)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Tool errors by tool',
        left: [searchByDimension(name, METRIC.ToolErrors, 'tool', 'Sum', period)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Tool latency p99 by tool (ms)',
        left: [searchByDimension(name, METRIC.ToolLatency, 'tool', 'p99', period)],
        width: 8,
      }),
    ],
    [
      new cloudwatch.GraphWidget({
        title: 'Handler invocations, errors and throttles',
        left: [
          fn.metricInvocations(sum).with({ label: 'Invocations' }),
          fn.metricErrors(sum).with({ label: 'Errors' }),
          fn.metricThrottles(sum).with({ label: 'Throttles' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Handler concurrency (each open stream holds one)',
        left: [fn.metric('ConcurrentExecutions', { period, statistic: cloudwatch.Stats.MAXIMUM }).with({ label: 'Concurrent executions (max)' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Handler duration (includes stream lifetimes)',
        left: [
          fn.metricDuration({ period, statistic: cloudwatch.Stats.p(50) }).with({ label: 'p50' }),
          fn.metricDuration({ period, statistic: cloudwatch.Stats.p(99) }).with({ label: 'p99' }),
        ],
        width: 8,
      }),
    ],
    [
      new cloudwatch.GraphWidget({
        title: 'Table capacity consumed',
        left: [
          props.sessionTable.metricConsumedReadCapacityUnits(sum).with({ label: 'Session table reads' }),
          props.sessionTable.metricConsumedWriteCapacityUnits(sum).with({ label: 'Session table writes' }),
          props.registryTable.metricConsumedReadCapacityUnits(sum).with({ label: 'Registry table reads' }),
          props.registryTable.metricConsumedWriteCapacityUnits(sum).with({ label: 'Registry table writes' }),
        ],
        width: 12,
      }),
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: monitoring.alarms,
        width: 12,
        height: 6,
      }),
    ],
  ];
  if (props.eventTopic && monitoring.eventDeadLetterQueue) {
    rows.push([
      new cloudwatch.GraphWidget({
        title: 'Event topic',
        left: [
          props.eventTopic.metricNumberOfMessagesPublished(sum).with({ label: 'Published' }),
          props.eventTopic.metricNumberOfNotificationsDelivered(sum).with({ label: 'Delivered' }),
          props.eventTopic.metricNumberOfNotificationsFailed(sum).with({ label: 'Failed' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Event dead letters and dropped events',
        left: [
          monitoring.eventDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }).with({ label: 'Dead letters' }),
          fn.metric('AsyncEventsDropped', sum).with({ label: 'Dropped by Lambda' }),
        ],
        width: 12,
      }),
    ]);
  }
  return rows;
}

function validatePeriod(period: Duration): void {
  if (period.isUnresolved()) return;
  const seconds = period.toSeconds({ integral: false });
  if (seconds < 60 || seconds > 86400 || seconds % 60 !== 0) {
    throw new Error(`monitoring period is ${period.toHumanString()}: give whole minutes from 1 minute to 1 day, e.g. Duration.minutes(5)`);
  }
}

function validateThreshold(name: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value < 1) {
    throw new Error(`${name} is ${value}: give a count of at least 1`);
  }
}

/** The metrics of a server by name (for McpMonitoring used without its server). */
export function serverMetricsByName(serverName: string): IMcpServerMetrics {
  const sum = (name: string) => (props?: cloudwatch.MetricOptions) => serverMetric(serverName, name, cloudwatch.Stats.SUM, props);
  const p99 = (name: string) => (props?: cloudwatch.MetricOptions) => serverMetric(serverName, name, cloudwatch.Stats.p(99), props);
  return {
    metric: (metricName, props) => serverMetric(serverName, metricName, cloudwatch.Stats.SUM, props),
    metricRequests: sum(METRIC.Requests),
    metricRequestErrors: sum(METRIC.RequestErrors),
    metricRequestLatency: p99(METRIC.RequestLatency),
    metricToolCalls: sum(METRIC.ToolCalls),
    metricToolErrors: sum(METRIC.ToolErrors),
    metricToolLatency: p99(METRIC.ToolLatency),
    metricStreamsOpened: sum(METRIC.StreamsOpened),
    metricStreamsClosed: sum(METRIC.StreamsClosed),
    metricEventsDelivered: sum(METRIC.EventsDelivered),
  };
}
