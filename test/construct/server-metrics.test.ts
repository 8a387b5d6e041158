/**
 * aws-cdk-lib habits on McpLambdaServer: `metricXxx()` methods for the handler's own
 * metrics (what the monitoring construct's alarms and dashboard are built on), and
 * `grantPublishEvents` for functions that publish to the event topic.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { newStack } from './server-template';
import { McpLambdaServer } from '../../src';

describe('metricXxx()', () => {
  const server = new McpLambdaServer(newStack(), 'Mcp', { serverName: 'orders' });

  test.each([
    ['metricRequests', 'Requests', 'Sum'],
    ['metricRequestErrors', 'RequestErrors', 'Sum'],
    ['metricRequestLatency', 'RequestLatency', 'p99'],
    ['metricToolCalls', 'ToolCalls', 'Sum'],
    ['metricToolErrors', 'ToolErrors', 'Sum'],
    ['metricToolLatency', 'ToolLatency', 'p99'],
    ['metricStreamsOpened', 'StreamsOpened', 'Sum'],
    ['metricStreamsClosed', 'StreamsClosed', 'Sum'],
    ['metricEventsDelivered', 'EventsDelivered', 'Sum'],
  ] as const)('%s: namespace McpLambdaServer, metric %s, dimension service, default statistic %s over 5 minutes', (method, metricName, statistic) => {
    const metric = server[method]();
    expect(metric).toBeInstanceOf(cloudwatch.Metric);
    expect(metric.namespace).toBe('McpLambdaServer');
    expect(metric.metricName).toBe(metricName);
    expect(metric.dimensions).toEqual({ service: 'orders' });
    expect(metric.statistic).toBe(statistic);
    expect(metric.period.toSeconds()).toBe(300);
  });

  test('props override the defaults, as in aws-cdk-lib', () => {
    const metric = server.metricToolLatency({ statistic: 'p50', period: Duration.minutes(1), label: 'median' });
    expect([metric.statistic, metric.period.toSeconds(), metric.label]).toEqual(['p50', 60, 'median']);
    expect(server.metric('TasksStarted').metricName).toBe('TasksStarted');
  });
});

test("the monitoring construct's alarms use the server's metrics", () => {
  const stack = newStack();
  const server = new McpLambdaServer(stack, 'Mcp', { serverName: 'orders', monitoring: { period: Duration.minutes(1) } });
  const template = Template.fromStack(stack);
  for (const [alarm, metric] of [
    [server.monitoring!.requestErrorsAlarm, server.metricRequestErrors({ period: Duration.minutes(1) })],
    [server.monitoring!.latencyAlarm, server.metricRequestLatency({ period: Duration.minutes(1) })],
    [server.monitoring!.toolErrorsAlarm, server.metricToolErrors({ period: Duration.minutes(1) })],
  ] as const) {
    const rendered = metric.toMetricConfig().metricStat!;
    expect(alarm.metric).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: rendered.namespace,
      MetricName: rendered.metricName,
      Dimensions: [{ Name: 'service', Value: 'orders' }],
      Period: 60,
      ...(rendered.statistic.startsWith('p') ? { ExtendedStatistic: rendered.statistic } : { Statistic: rendered.statistic }),
    });
  }
});

describe('grantPublishEvents', () => {
  test('sns:Publish on the topic and the use of its key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const server = new McpLambdaServer(stack, 'Mcp', { enableEvents: true, encryptionKey: key });
    const publisher = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    server.grantPublishEvents(publisher);
    const template = Template.fromStack(stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: stack.getLogicalId(publisher.node.defaultChild as any) }]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: stack.getLogicalId(server.eventTopic!.node.defaultChild as any) } },
      expect.objectContaining({ Action: expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']) }),
    ]));
  });

  test('works with a topic passed in', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Existing');
    const server = new McpLambdaServer(stack, 'Mcp', { eventTopic: topic });
    const publisher = new iam.Role(stack, 'Publisher', { assumedBy: new iam.AccountRootPrincipal() });
    const grant = server.grantPublishEvents(publisher);
    expect(grant.success).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: Stack.of(topic).getLogicalId(topic.node.defaultChild as any) } }]) },
    });
  });

  test('without a topic it says how to get one', () => {
    const server = new McpLambdaServer(newStack(), 'Mcp');
    expect(() => server.grantPublishEvents(new iam.AccountRootPrincipal())).toThrow('grantPublishEvents needs an event topic: set enableEvents: true or eventTopic');
  });
});
