import { App, Aspects, CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { newStack, serverTemplate } from './server-template';
import { McpLambdaServer, McpLambdaServerProps } from '../../src';

function ref(construct: Construct): { Ref: string } {
  return { Ref: Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnElement) };
}

function logicalId(construct: Construct): string {
  return ref(construct).Ref;
}

/** The alarm resources, by the construct id of each alarm under `Monitoring`. */
function alarmsById(server: McpLambdaServer, template: Template): Record<string, any> {
  const resources = template.toJSON().Resources as Record<string, any>;
  const out: Record<string, any> = {};
  for (const alarm of server.monitoring!.alarms) out[alarm.node.id] = resources[logicalId(alarm)].Properties;
  return out;
}

/** The dashboard body with every token replaced by `<TOKEN>`, parsed. */
function dashboardBody(template: Template): any {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody;
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((p) => typeof p === 'string' ? p : '<TOKEN>').join('');
  return JSON.parse(text);
}

const HANDLER_OPERATIONS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem', 'TransactWriteItems'];

describe('monitoring off (the default)', () => {
  const { server, template } = serverTemplate({ enableEvents: true });

  test('adds no alarm, dashboard or queue, and the event subscription has no dead-letter queue', () => {
    expect(server.monitoring).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', RedrivePolicy: Match.absent() });
  });
});

describe('monitoring with defaults', () => {
  const { server, template } = serverTemplate({ serverName: 'orders', monitoring: {} });
  const alarms = () => alarmsById(server, template);

  test('makes the nine alarms of a server without events, under the Monitoring scope, without actions', () => {
    expect(server.monitoring!.node.id).toBe('Monitoring');
    expect(server.node.findChild('Monitoring')).toBe(server.monitoring);
    expect(Object.keys(alarms())).toEqual([
      'HandlerErrors', 'HandlerThrottles', 'RequestErrors', 'RequestLatency', 'ToolErrors',
      'SessionTableThrottles', 'RegistryTableThrottles', 'SessionTableSystemErrors', 'RegistryTableSystemErrors',
    ]);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
    for (const props of Object.values(alarms())) {
      expect(props.AlarmActions).toBeUndefined();
      expect(props.TreatMissingData).toBe('notBreaching');
    }
    expect(server.monitoring!.eventDeadLetterQueue).toBeUndefined();
    expect(server.monitoring!.eventFailuresAlarm).toBeUndefined();
    template.resourceCountIs('AWS::SQS::Queue', 0);
  });

  test('alarms on the handler\'s Lambda Errors and Throttles: any one in 5 minutes', () => {
    const { HandlerErrors, HandlerThrottles } = alarms();
    for (const [props, metric] of [[HandlerErrors, 'Errors'], [HandlerThrottles, 'Throttles']]) {
      expect(props).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: ref(server.function) }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
    expect(server.monitoring!.handlerErrorsAlarm).toBe(server.monitoring!.alarms[0]);
    expect(server.monitoring!.handlerThrottlesAlarm).toBe(server.monitoring!.alarms[1]);
  });

  test('alarms on the handler\'s own metrics with the service dimension only: 5xx answers, p99 time to headers, tool errors', () => {
    const { RequestErrors, RequestLatency, ToolErrors } = alarms();
    const service = [{ Name: 'service', Value: 'orders' }];
    expect(RequestErrors).toMatchObject({
      Namespace: 'McpLambdaServer', MetricName: 'RequestErrors', Dimensions: service, Statistic: 'Sum', Threshold: 1,
    });
    expect(ToolErrors).toMatchObject({
      Namespace: 'McpLambdaServer', MetricName: 'ToolErrors', Dimensions: service, Statistic: 'Sum', Threshold: 1,
    });
    expect(RequestLatency).toMatchObject({
      Namespace: 'McpLambdaServer',
      MetricName: 'RequestLatency',
      Dimensions: service,
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: 10000,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(RequestLatency.Statistic).toBeUndefined();
  });

  test('alarms on DynamoDB ThrottledRequests and SystemErrors of each table, summed over the operations the handler uses', () => {
    const a = alarms();
    const cases: Array<[string, Construct, string]> = [
      ['SessionTableThrottles', server.sessionTable, 'ThrottledRequests'],
      ['RegistryTableThrottles', server.registryTable, 'ThrottledRequests'],
      ['SessionTableSystemErrors', server.sessionTable, 'SystemErrors'],
      ['RegistryTableSystemErrors', server.registryTable, 'SystemErrors'],
    ];
    for (const [id, table, metricName] of cases) {
      const metrics = a[id].Metrics as any[];
      const expression = metrics.find((m) => m.Expression !== undefined);
      expect(expression.ReturnData).not.toBe(false);
      const inputs = metrics.filter((m) => m.MetricStat !== undefined);
      expect(inputs).toHaveLength(HANDLER_OPERATIONS.length);
      for (const input of inputs) {
        expect(input.ReturnData).toBe(false);
        expect(input.MetricStat.Metric.Namespace).toBe('AWS/DynamoDB');
        expect(input.MetricStat.Metric.MetricName).toBe(metricName);
        expect(input.MetricStat.Stat).toBe('Sum');
        expect(input.MetricStat.Period).toBe(300);
        // Every input is used by the expression.
        expect(expression.Expression).toContain(input.Id);
      }
      const dimensions = inputs.map((i) => Object.fromEntries(i.MetricStat.Metric.Dimensions.map((d: any) => [d.Name, d.Value])));
      expect(dimensions.map((d) => d.TableName)).toEqual(HANDLER_OPERATIONS.map(() => ref(table)));
      expect(dimensions.map((d) => d.Operation).sort()).toEqual([...HANDLER_OPERATIONS].sort());
      expect(a[id].Threshold).toBe(1);
    }
  });

  test('makes a dashboard of the handler\'s metrics (namespace McpLambdaServer, service dimension) and the AWS ones', () => {
    expect(server.monitoring!.dashboard).toBeDefined();
    const body = dashboardBody(template);
    const metrics = JSON.stringify(body.widgets.map((w: any) => w.properties.metrics ?? []));
    // Whole-server lines, on the [service] dimension set.
    for (const name of ['Requests', 'RequestErrors', 'RequestLatency', 'ToolCalls', 'ToolErrors', 'ToolLatency', 'StreamsOpened', 'StreamsClosed', 'EventsDelivered']) {
      expect(metrics).toContain(`["McpLambdaServer","${name}","service","orders"`);
    }
    // Breakdowns by method and by tool, through SEARCH so run-time registrations appear.
    expect(metrics).toContain('SEARCH(\'{McpLambdaServer,method,service} MetricName=\\"RequestLatency\\" service=\\"orders\\"\', \'p99\', 300)');
    expect(metrics).toContain('SEARCH(\'{McpLambdaServer,tool,service} MetricName=\\"ToolLatency\\" service=\\"orders\\"\', \'p99\', 300)');
    expect(metrics).toContain('SEARCH(\'{McpLambdaServer,tool,service} MetricName=\\"ToolErrors\\" service=\\"orders\\"\', \'Sum\', 300)');
    expect(metrics).toContain('["AWS/Lambda","ConcurrentExecutions","FunctionName","<TOKEN>"');
    expect(metrics).toContain('"AWS/DynamoDB","ConsumedWriteCapacityUnits","TableName","<TOKEN>"');
    const alarmWidget = body.widgets.find((w: any) => w.type === 'alarm');
    expect(alarmWidget.properties.alarms).toHaveLength(9);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: Match.absent() });
  });
});

describe('monitoring options', () => {
  test('a server name with quotes is escaped inside the dashboard\'s SEARCH expressions', () => {
    const body = dashboardBody(serverTemplate({ serverName: 'a"b\'c\\d', monitoring: {} }).template);
    const expressions = body.widgets.flatMap((w: any) => w.properties.metrics ?? []).map((m: any[]) => m[0]?.expression).filter(Boolean);
    expect(expressions).toContain('SEARCH(\'{McpLambdaServer,tool,service} MetricName="ToolCalls" service="a\\"b\\\'c\\\\d"\', \'Sum\', 300)');
  });

  test('alarmTopic becomes the action of every alarm', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'OnCall');
    const server = new McpLambdaServer(stack, 'Mcp', { enableEvents: true, monitoring: { alarmTopic: topic } });
    const alarms = Object.values(alarmsById(server, Template.fromStack(stack)));
    expect(alarms).toHaveLength(10);
    for (const props of alarms) expect(props.AlarmActions).toEqual([ref(topic)]);
  });

  test('thresholds, period and dashboard name are passed through', () => {
    const { server, template } = serverTemplate({
      monitoring: {
        period: Duration.minutes(1),
        handlerErrorsThreshold: 3,
        handlerThrottlesThreshold: 4,
        requestErrorsThreshold: 5,
        toolErrorsThreshold: 6,
        tableThrottlesThreshold: 7,
        latencyThreshold: Duration.seconds(2),
        dashboardName: 'orders-mcp',
      },
    });
    const a = alarmsById(server, template);
    expect(a.HandlerErrors).toMatchObject({ Threshold: 3, Period: 60 });
    expect(a.HandlerThrottles.Threshold).toBe(4);
    expect(a.RequestErrors.Threshold).toBe(5);
    expect(a.ToolErrors.Threshold).toBe(6);
    expect(a.SessionTableThrottles.Threshold).toBe(7);
    expect(a.RegistryTableThrottles.Threshold).toBe(7);
    expect(a.RequestLatency).toMatchObject({ Threshold: 2000, Period: 60 });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'orders-mcp' });
  });

  test('dashboard: false makes the alarms only', () => {
    const { server, template } = serverTemplate({ monitoring: { dashboard: false } });
    expect(server.monitoring!.dashboard).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
  });

  test.each<[string, McpLambdaServerProps['monitoring'], RegExp]>([
    ['a threshold below 1', { handlerErrorsThreshold: 0 }, /handlerErrorsThreshold is 0: give a count of at least 1/],
    ['a period not in whole minutes', { period: Duration.seconds(90) }, /monitoring period is 1 minute 30 seconds: give whole minutes/],
    ['a period over a day', { period: Duration.days(2) }, /monitoring period is 2 days/],
    ['a dashboard name without a dashboard', { dashboard: false, dashboardName: 'x' }, /dashboardName was given with dashboard: false/],
  ])('refuses %s', (_name, monitoring, message) => {
    expect(() => serverTemplate({ monitoring })).toThrow(message);
  });
});

describe('monitoring with events', () => {
  const { server, template } = serverTemplate({ serverName: 'orders', enableEvents: true, monitoring: {} });
  const queue = () => server.monitoring!.eventDeadLetterQueue!;

  test('gives the handler\'s subscription a dead-letter queue: SSE-SQS encrypted, kept 14 days', () => {
    expect(queue().node.path).toBe('TestStack/Mcp/Monitoring/EventDeadLetterQueue');
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: ref(server.eventTopic!),
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(queue()), 'Arn'] } },
    });
  });

  test('the queue accepts only TLS, and only SNS messages from the event topic', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.Queues).toEqual([ref(queue())]);
    const statements = policies[0].Properties.PolicyDocument.Statement as any[];
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: { Service: 'sns.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': ref(server.eventTopic!) } },
      }),
    ]));
  });

  test('alarms on failed notifications: SNS NumberOfNotificationsFailed, Lambda AsyncEventsDropped and dead letters', () => {
    const alarm = alarmsById(server, template).EventFailures;
    expect(server.monitoring!.eventFailuresAlarm).toBe(server.monitoring!.alarms[server.monitoring!.alarms.length - 1]);
    const metrics = alarm.Metrics as any[];
    const expression = metrics.find((m) => m.Expression !== undefined);
    expect(expression.Expression).toBe('FILL(failed, 0) + FILL(dropped, 0) + FILL(deadLetters, 0)');
    const byId = Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat]));
    expect(byId.failed).toEqual({
      Metric: { Namespace: 'AWS/SNS', MetricName: 'NumberOfNotificationsFailed', Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [logicalId(server.eventTopic!), 'TopicName'] } }] },
      Period: 300,
      Stat: 'Sum',
    });
    expect(byId.dropped).toEqual({
      Metric: { Namespace: 'AWS/Lambda', MetricName: 'AsyncEventsDropped', Dimensions: [{ Name: 'FunctionName', Value: ref(server.function) }] },
      Period: 300,
      Stat: 'Sum',
    });
    expect(byId.deadLetters).toEqual({
      Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue()), 'QueueName'] } }] },
      Period: 300,
      Stat: 'Maximum',
    });
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
  });

  test('the dashboard shows the topic and the dead letters', () => {
    const titles = dashboardBody(template).widgets.map((w: any) => w.properties.title);
    expect(titles).toEqual(expect.arrayContaining(['Event topic', 'Event dead letters and dropped events']));
  });

  test('an existing eventTopic gets the same dead-letter queue and alarm', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Existing', 'arn:aws:sns:eu-west-1:111111111111:events');
    const withTopic = new McpLambdaServer(stack, 'Mcp', { eventTopic: topic, monitoring: {} });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: 'arn:aws:sns:eu-west-1:111111111111:events',
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    expect(alarmsById(withTopic, t).EventFailures).toBeDefined();
  });
});

describe('cdk-nag AwsSolutions with monitoring', () => {
  test('monitoring with events, an alarm topic and a customer managed key adds no finding', () => {
    const app = new App();
    const stack = new Stack(app, 'NagStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const onCall = new sns.Topic(stack, 'OnCall', { masterKey: key, enforceSSL: true });
    const server = new McpLambdaServer(stack, 'Mcp', { enableEvents: true, encryptionKey: key, monitoring: { alarmTopic: onCall } });
    NagSuppressions.addResourceSuppressions(server.function.role!, [{
      id: 'AwsSolutions-IAM5',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
      appliesTo: ['Resource::*'],
    }], true);
    Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
    app.synth();
    const annotations = Annotations.fromStack(stack);
    const findings = [
      ...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ].map((m) => `${m.id}: ${m.entry.data}`);
    expect(findings).toEqual([]);
    // The dead-letter queue's SQS3 finding (a queue without its own dead-letter queue) is
    // suppressed by the construct, with its reason, because the queue is one.
    const queue = server.monitoring!.eventDeadLetterQueue!.node.defaultChild as CfnElement;
    expect(Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(queue)].Metadata.cdk_nag.rules_to_suppress)
      .toEqual([{ id: 'AwsSolutions-SQS3', reason: expect.stringContaining('dead-letter queue of the event topic subscription') }]);
  });
});
