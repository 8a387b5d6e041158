import { Annotations as CoreAnnotations, CfnParameter, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { logicalId, newStack, serverTemplate, type Statement } from './server-template';
import { McpAuth, McpLambdaServer, McpLambdaServerProps, McpResponseMode } from '../../src';
import { SERVER_MARKER } from '../../src/runtime-contract';

const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];


function getAtt(construct: Construct, attribute: string) {
  return { 'Fn::GetAtt': [logicalId(construct), attribute] };
}

/**
 * Every statement of the identity policies of the MCP handler's role (the admin
 * function's role is tested in registration.test.ts).
 */
function policyStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes('HandlerRole'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** The MCP handler's environment (the admin function is the other function). */
function environmentOf(template: Template): Record<string, unknown> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function'))
    .filter((f) => f.Properties.Environment?.Variables?.MCP_SESSION_TABLE !== undefined);
  expect(functions).toHaveLength(1);
  return functions[0].Properties.Environment.Variables;
}

describe('McpLambdaServer with defaults', () => {
  const { server, template } = serverTemplate();

  test('creates two on-demand tables with string pk/sk and point-in-time recovery, encrypted with a DynamoDB-owned key', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    for (const table of [server.sessionTable, server.registryTable]) {
      const resource = template.toJSON().Resources[logicalId(table)];
      expect(resource).toMatchObject({
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
          // SSEEnabled false is DynamoDB's default: a key DynamoDB owns.
          SSESpecification: { SSEEnabled: false },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      expect(resource.Properties.ProvisionedThroughput).toBeUndefined();
    }
  });

  test('uses the construct ids that are part of the contract', () => {
    expect(server.sessionTable.node.id).toBe('SessionTable');
    expect(server.registryTable.node.id).toBe('RegistryTable');
    expect(server.function.node.id).toBe('Handler');
    expect(server.logGroup.node.id).toBe('HandlerLogs');
    expect(server.functionUrl.node.id).toBe('HandlerUrl');
    expect(server.node.tryFindChild('HandlerRole')).toBeDefined();
    const withEvents = serverTemplate({ enableEvents: true }).server;
    expect(withEvents.node.findChild('EventTopic')).toBe(withEvents.eventTopic);
  });

  test('marks its handler, and nothing else, with the metadata the local emulator finds servers by', () => {
    const marked = Object.entries(template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>)
      .filter(([, r]) => r.Metadata?.[SERVER_MARKER.key] !== undefined);
    expect(marked).toEqual([[logicalId(server.function), expect.objectContaining({ Metadata: { [SERVER_MARKER.key]: SERVER_MARKER.handler } })]]);
  });

  test('puts a TTL on expiresAt of the session table only', () => {
    const resources = template.toJSON().Resources;
    expect(resources[logicalId(server.sessionTable)].Properties.TimeToLiveSpecification)
      .toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(resources[logicalId(server.registryTable)].Properties.TimeToLiveSpecification).toBeUndefined();
  });

  test('runs the bundled handler on Node.js 24, arm64, 1024 MB, 15 minutes, with active tracing', () => {
    // The handler and the registry admin function.
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 900,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: logicalId(server.logGroup) } },
      Role: getAtt(server.node.findChild('HandlerRole'), 'Arn'),
      Description: 'MCP server mcp-lambda-server (cdk-mcp-lambda-server)',
      ReservedConcurrentExecutions: Match.absent(),
      VpcConfig: Match.absent(),
    });
  });

  test('tells the handler exactly its tables and settings, and nothing else', () => {
    expect(environmentOf(template)).toEqual({
      MCP_SESSION_TABLE: { Ref: logicalId(server.sessionTable) },
      MCP_REGISTRY_TABLE: { Ref: logicalId(server.registryTable) },
      MCP_SERVER_NAME: 'mcp-lambda-server',
      MCP_SERVER_VERSION: '1.0.0',
      MCP_SESSION_TTL_SECONDS: '86400',
      MCP_REGISTRY_CACHE_SECONDS: '30',
      MCP_AUTH_MODE: 'iam',
      MCP_TOOL_TIMEOUT_SECONDS: '60',
      // No event topic: nothing to push, so no stream is offered (GET answers 405).
      MCP_STREAM_MODE: 'off',
    });
  });

  test('keeps logs for one month in a log group it owns, retained with the stack', () => {
    // The handler's and the admin function's.
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
    });
    // The deprecated logRetention prop would add a custom resource.
    template.resourceCountIs('Custom::LogRetention', 0);
  });

  test('serves a response-streaming Function URL with IAM auth and no CORS', () => {
    // The MCP endpoint and the admin API.
    template.resourceCountIs('AWS::Lambda::Url', 2);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      InvokeMode: 'RESPONSE_STREAM',
      TargetFunctionArn: getAtt(server.function, 'Arn'),
      Cors: Match.absent(),
    });
  });

  test('grants nobody the right to invoke: no resource policy on the function, no public URL', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('"AuthType":"NONE"');
  });

  test('the role writes its own log group and reads and writes only its two tables', () => {
    const statements = policyStatements(template);
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: getAtt(server.logGroup, 'Arn') },
      { Effect: 'Allow', Action: TABLE_ACTIONS, Resource: getAtt(server.sessionTable, 'Arn') },
      { Effect: 'Allow', Action: TABLE_ACTIONS, Resource: getAtt(server.registryTable, 'Arn') },
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
    ]));
    expect(statements).toHaveLength(4);
  });

  test('no statement has a "*" resource except X-Ray, which has no resource-level permissions', () => {
    const wildcard = policyStatements(template).filter((s) => resourcesOf(s).some((r) => typeof r === 'string' && r.includes('*')));
    expect(wildcard.flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  test('may not invoke any function, scan, or manage tables', () => {
    const actions = policyStatements(template).flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('lambda:'))).toEqual([]);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  test('uses no AWS managed policy (AWSLambdaBasicExecutionRole allows logs on "*")', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('creates no event topic', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(server.eventTopic).toBeUndefined();
  });

  test('endpointUrl is the Function URL with the path mcp, and is an output', () => {
    const expected = { 'Fn::Join': ['', [getAtt(server.functionUrl, 'FunctionUrl'), 'mcp']] };
    expect(Stack.of(server).resolve(server.endpointUrl)).toEqual(expected);
    const outputs = Object.values(template.findOutputs('*'));
    expect(outputs).toHaveLength(2); // and the admin endpoint
    expect(outputs).toContainEqual(expect.objectContaining({ Value: expected }));
  });

  test('emits no warning', () => {
    Annotations.fromStack(Stack.of(server)).hasNoWarning('*', Match.anyValue());
  });
});

describe('McpLambdaServer overrides', () => {
  test('server name, version and instructions reach the handler', () => {
    const { template } = serverTemplate({ serverName: 'orders', serverVersion: '2.3.4', instructions: 'Use lookup_order first.' });
    expect(environmentOf(template)).toMatchObject({
      MCP_SERVER_NAME: 'orders',
      MCP_SERVER_VERSION: '2.3.4',
      MCP_SERVER_INSTRUCTIONS: 'Use lookup_order first.',
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: 'MCP server orders (cdk-mcp-lambda-server)' });
  });

  test('sessionTtl, registryCacheTtl and toolTimeout reach the handler in seconds', () => {
    const { template } = serverTemplate({
      sessionTtl: Duration.minutes(90),
      registryCacheTtl: Duration.minutes(2),
      toolTimeout: Duration.minutes(5),
    });
    expect(environmentOf(template)).toMatchObject({
      MCP_SESSION_TTL_SECONDS: '5400',
      MCP_REGISTRY_CACHE_SECONDS: '120',
      MCP_TOOL_TIMEOUT_SECONDS: '300',
    });
  });

  test('eventPollInterval and eventRetention reach the handler only when given', () => {
    const defaults = environmentOf(serverTemplate({}).template);
    expect(defaults).not.toHaveProperty('MCP_EVENT_POLL_INTERVAL_MS');
    expect(defaults).not.toHaveProperty('MCP_EVENT_TTL_SECONDS');
    const { template } = serverTemplate({ eventPollInterval: Duration.millis(250), eventRetention: Duration.hours(6) });
    expect(environmentOf(template)).toMatchObject({ MCP_EVENT_POLL_INTERVAL_MS: '250', MCP_EVENT_TTL_SECONDS: '21600' });
  });

  test('responseMode BUFFERED sets the URL, the handler export and the environment together', () => {
    const streaming = serverTemplate({}).template;
    streaming.hasResourceProperties('AWS::Lambda::Url', { InvokeMode: 'RESPONSE_STREAM' });
    expect(environmentOf(streaming)).not.toHaveProperty('MCP_RESPONSE_MODE');
    const { template } = serverTemplate({ responseMode: McpResponseMode.BUFFERED });
    template.hasResourceProperties('AWS::Lambda::Url', { InvokeMode: 'BUFFERED' });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.bufferedHandler', Description: Match.stringLikeRegexp('^MCP server') });
    expect(environmentOf(template)).toMatchObject({ MCP_RESPONSE_MODE: 'buffered' });
  });

  test('removalPolicy applies to both tables and the log group', () => {
    const { template } = serverTemplate({ removalPolicy: RemovalPolicy.DESTROY });
    for (const type of ['AWS::DynamoDB::Table', 'AWS::Logs::LogGroup']) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) {
        expect(r.DeletionPolicy).toBe('Delete');
        expect(r.UpdateReplacePolicy).toBe('Delete');
      }
    }
  });

  test('encryptionKey encrypts both tables and the role may use the key, and only that key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const server = new McpLambdaServer(stack, 'Mcp', { encryptionKey: key });
    const template = Template.fromStack(stack);
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: getAtt(key, 'Arn') });
    }
    expect(policyStatements(template)).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      Resource: getAtt(key, 'Arn'),
      Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
    });
    expect(server.eventTopic).toBeUndefined();
  });

  test('encryptionKey works in an environment-agnostic stack', () => {
    const stack = new Stack();
    const key = new kms.Key(stack, 'Key');
    new McpLambdaServer(stack, 'Mcp', { encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
        })]),
      },
    });
  });

  test('memorySize, timeout, runtime, architecture, tracing and log retention', () => {
    const { template } = serverTemplate({
      memorySize: 512,
      timeout: Duration.minutes(5),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      tracing: lambda.Tracing.PASS_THROUGH,
      logRetention: logs.RetentionDays.ONE_YEAR,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 512,
      Timeout: 300,
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      TracingConfig: { Mode: 'PassThrough' },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('with tracing disabled no statement has a "*" resource at all', () => {
    const { template } = serverTemplate({ tracing: lambda.Tracing.DISABLED });
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: Match.absent() });
    const statements = policyStatements(template);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      expect(resourcesOf(s)).not.toContain('*');
    }
  });

  test('enableEvents creates an encrypted, TLS-only topic and subscribes the handler', () => {
    const { server, template } = serverTemplate({ enableEvents: true });
    expect(server.eventTopic).toBeInstanceOf(sns.Topic);
    expect((server.eventTopic as sns.Topic).node.id).toBe('EventTopic');
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:111111111111:alias/aws/sns']] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [Match.objectLike({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })],
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: logicalId(server.eventTopic as sns.Topic) },
      Endpoint: getAtt(server.function, 'Arn'),
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: logicalId(server.eventTopic as sns.Topic) },
    });
  });

  test('enableEvents with encryptionKey encrypts the topic with that key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new McpLambdaServer(stack, 'Mcp', { enableEvents: true, encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: getAtt(key, 'Arn') });
  });

  test('eventTopic subscribes the handler to an existing topic and creates none', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Existing', 'arn:aws:sns:eu-west-1:111111111111:orders-events');
    const server = new McpLambdaServer(stack, 'Mcp', { eventTopic: topic });
    const template = Template.fromStack(stack);
    expect(server.eventTopic).toBe(topic);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: 'arn:aws:sns:eu-west-1:111111111111:orders-events',
      Endpoint: getAtt(server.function, 'Arn'),
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'sns.amazonaws.com',
      SourceArn: 'arn:aws:sns:eu-west-1:111111111111:orders-events',
    });
  });

  test('McpAuth.iam() is the default', () => {
    const explicit = serverTemplate({ auth: McpAuth.iam() }).template.toJSON();
    expect(explicit).toEqual(serverTemplate().template.toJSON());
  });

  test('McpAuth.none() opens the URL to anyone, tells the handler, and warns at synth', () => {
    const { server, stack, template } = serverTemplate({ auth: McpAuth.none() });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    expect(environmentOf(template)).toMatchObject({ MCP_AUTH_MODE: 'none' });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
      FunctionName: getAtt(server.function, 'Arn'),
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: '*',
      InvokedViaFunctionUrl: true,
    });
    Annotations.fromStack(stack).hasWarning(`/${server.node.path}`, Match.stringLikeRegexp('McpAuth.none\\(\\): the MCP endpoint accepts requests from anyone'));
  });

  test('the McpAuth.none() warning can be acknowledged by its id', () => {
    const stack = newStack();
    const server = new McpLambdaServer(stack, 'Mcp', { auth: McpAuth.none() });
    CoreAnnotations.of(server).acknowledgeWarning('cdk-mcp-lambda-server:unauthenticatedEndpoint', 'a public demo');
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('allowedOrigins configure CORS for MCP headers and reach the handler', () => {
    const origins = ['https://app.example.com', 'http://localhost:6274'];
    const { template } = serverTemplate({ allowedOrigins: origins });
    template.hasResourceProperties('AWS::Lambda::Url', {
      Cors: {
        AllowOrigins: origins,
        AllowMethods: ['GET', 'POST', 'DELETE'],
        AllowHeaders: [
          'content-type', 'authorization', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id', 'mcp-method', 'mcp-name',
          'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256',
        ],
        ExposeHeaders: ['mcp-session-id', 'mcp-protocol-version', 'www-authenticate'],
        AllowCredentials: false,
        MaxAge: 7200,
      },
    });
    expect(environmentOf(template)).toMatchObject({ MCP_ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:6274' });
  });

  test('without IAM auth CORS does not allow the SigV4 headers', () => {
    const { template } = serverTemplate({ allowedOrigins: ['https://app.example.com'], auth: McpAuth.none() });
    const url = Object.values(template.findResources('AWS::Lambda::Url')).find((u) => u.Properties.InvokeMode === 'RESPONSE_STREAM')!;
    expect(url.Properties.Cors.AllowOrigins).toEqual(['https://app.example.com']);
    expect(url.Properties.Cors.AllowHeaders).not.toContain('x-amz-date');
    expect(url.Properties.Cors.AllowHeaders).toContain('mcp-session-id');
  });

  test('an empty allowedOrigins is no CORS', () => {
    const { template } = serverTemplate({ allowedOrigins: [] });
    template.hasResourceProperties('AWS::Lambda::Url', { Cors: Match.absent() });
    expect(environmentOf(template).MCP_ALLOWED_ORIGINS).toBeUndefined();
  });

  test('functionOptions: description, name, extra environment, reserved concurrency, environment key', () => {
    const stack = newStack();
    const envKey = new kms.Key(stack, 'EnvKey');
    new McpLambdaServer(stack, 'Mcp', {
      functionOptions: {
        description: 'orders MCP',
        functionName: 'orders-mcp',
        environment: { MCP_MAX_BODY_BYTES: '1048576', TEAM: 'orders' },
        reservedConcurrentExecutions: 50,
        environmentEncryption: envKey,
      },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'orders MCP',
      FunctionName: 'orders-mcp',
      ReservedConcurrentExecutions: 50,
      KmsKeyArn: getAtt(envKey, 'Arn'),
    });
    expect(environmentOf(template)).toMatchObject({ MCP_MAX_BODY_BYTES: '1048576', TEAM: 'orders', MCP_AUTH_MODE: 'iam' });
  });

  test('functionOptions.vpc places the function in the VPC and adds the ENI permissions', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    new McpLambdaServer(stack, 'Mcp', { functionOptions: { vpc, securityGroups: [sg], vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SecurityGroupIds: [getAtt(sg, 'GroupId')], SubnetIds: Match.arrayWith([Match.objectLike({ Ref: Match.anyValue() })]) },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'])] })],
    });
  });

  test('durations given as tokens are passed through unchecked', () => {
    const stack = newStack();
    const ttl = new CfnParameter(stack, 'TtlSeconds', { type: 'Number' });
    new McpLambdaServer(stack, 'Mcp', { sessionTtl: Duration.seconds(ttl.valueAsNumber) });
    const env = environmentOf(Template.fromStack(stack));
    expect(env.MCP_SESSION_TTL_SECONDS).toEqual({ Ref: 'TtlSeconds' });
  });
});

describe('grantInvoke', () => {
  test('grants lambda:InvokeFunctionUrl for AWS_IAM and lambda:InvokeFunction via the URL, on the function only', () => {
    const stack = newStack();
    const server = new McpLambdaServer(stack, 'Mcp');
    const caller = new iam.Role(stack, 'Agent', { assumedBy: new iam.AccountRootPrincipal() });
    const grant = server.grantInvoke(caller);
    expect(grant.success).toBe(true);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(caller) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'lambda:InvokeFunctionUrl',
            Resource: getAtt(server.function, 'Arn'),
            Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
          },
          {
            Effect: 'Allow',
            Action: 'lambda:InvokeFunction',
            Resource: getAtt(server.function, 'Arn'),
            Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': true } },
          },
        ],
      },
    });
    // Nothing on the function's side for a principal of the same account.
    template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  test('a principal of another account is granted in the function policy, with the same conditions', () => {
    const stack = newStack();
    const server = new McpLambdaServer(stack, 'Mcp');
    server.grantInvoke(new iam.AccountPrincipal('222222222222'));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      Principal: '222222222222',
      FunctionUrlAuthType: 'AWS_IAM',
      FunctionName: getAtt(server.function, 'Arn'),
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: '222222222222',
      InvokedViaFunctionUrl: true,
    });
  });
});

describe('McpLambdaServer validation', () => {
  const cases: Array<[string, McpLambdaServerProps, RegExp]> = [
    ['a session TTL of zero', { sessionTtl: Duration.seconds(0) }, /^sessionTtl is 0 seconds?: it must be between 1 minute and 30 days$/],
    ['a session TTL over 30 days', { sessionTtl: Duration.days(31) }, /^sessionTtl is 31 days: it must be between 1 minute and 30 days$/],
    ['a timeout over 15 minutes', { timeout: Duration.minutes(16) }, /^timeout is 16 minutes: it must be between 1 second and 15 minutes$/],
    ['a timeout under 1 second', { timeout: Duration.millis(500) }, /^timeout is 500 millis: it must be between 1 second and 15 minutes$/],
    ['a tool timeout not below the function timeout', { timeout: Duration.minutes(2), toolTimeout: Duration.minutes(2) },
      /^toolTimeout \(2 minutes\) must be less than the function timeout \(2 minutes\): lower toolTimeout or raise timeout$/],
    ['a tool timeout of zero', { toolTimeout: Duration.seconds(0) }, /^toolTimeout is 0 seconds?: it must be between 1 second and 15 minutes$/],
    ['a registry cache TTL of zero', { registryCacheTtl: Duration.seconds(0) }, /^registryCacheTtl is 0 seconds?: it must be between 1 second and 1 hour$/],
    ['an event poll interval under 50 ms', { eventPollInterval: Duration.millis(10) }, /^eventPollInterval is 10 millis: it must be between 50 millis and 1 minute$/],
    ['an event retention over 7 days', { eventRetention: Duration.days(8) }, /^eventRetention is 8 days: it must be between 1 minute and 7 days$/],
    ['too little memory', { memorySize: 64 }, /^memorySize is 64: Lambda accepts a whole number of MB from 128 to 10240$/],
    ['fractional memory', { memorySize: 1000.5 }, /^memorySize is 1000\.5: /],
    ['Node.js 20', { runtime: lambda.Runtime.NODEJS_20_X },
      /^runtime nodejs20\.x is not supported: the bundled handler runs on nodejs22\.x or nodejs24\.x; use lambda\.Runtime\.NODEJS_24_X \(the default\) or lambda\.Runtime\.NODEJS_22_X$/],
    ['a Python runtime', { runtime: lambda.Runtime.PYTHON_3_13 }, /^runtime python3\.13 is not supported/],
    ['an origin with a trailing slash', { allowedOrigins: ['https://app.example.com/'] }, /^allowedOrigins entry 'https:\/\/app\.example\.com\/' is not an origin: write it as scheme:\/\/host\[:port\]/],
    ['an origin without a scheme', { allowedOrigins: ['app.example.com'] },
      /^allowedOrigins entry 'app\.example\.com' is not an origin: write it as scheme:\/\/host\[:port\] with no path or trailing slash, e\.g\. 'https:\/\/app\.example\.com'$/],
    ['an origin with a path', { allowedOrigins: ['https://app.example.com/mcp'] }, /^allowedOrigins entry 'https:\/\/app\.example\.com\/mcp' is not an origin: .*, 'https:\/\/app\.example\.com'$/],
    ['an origin in upper case', { allowedOrigins: ['https://App.Example.com'] }, /^allowedOrigins entry 'https:\/\/App\.Example\.com' is not an origin: .*, 'https:\/\/app\.example\.com'$/],
    ['an origin with its default port', { allowedOrigins: ['https://app.example.com:443'] }, /, 'https:\/\/app\.example\.com'$/],
    ['a non-http origin', { allowedOrigins: ['ftp://app.example.com'] }, /^allowedOrigins entry 'ftp:\/\/app\.example\.com' is not an origin/],
    ['the wildcard origin', { allowedOrigins: ['*'] },
      /^allowedOrigins entry '\*' is not accepted: MCP servers must validate the Origin header; list each origin, e\.g\. 'https:\/\/app\.example\.com'$/],
    ['more than 100 origins', { allowedOrigins: Array.from({ length: 101 }, (_, i) => `https://o${i}.example.com`) }, /^allowedOrigins has 101 entries: a Function URL accepts at most 100$/],
    ['an empty server name', { serverName: ' ' }, /^serverName is empty: give a non-empty string, or leave it out for the default$/],
    ['an empty server version', { serverVersion: '' }, /^serverVersion is empty/],
    ['a variable the construct sets', { functionOptions: { environment: { MCP_AUTH_MODE: 'none' } } },
      /^functionOptions\.environment sets 'MCP_AUTH_MODE', which the construct sets itself: remove it and use the matching prop$/],
    ['instructions too long for the environment', { instructions: 'x'.repeat(4000) },
      /^the handler's environment variables take about \d+ bytes, more than Lambda's limit of 4 KB: shorten instructions or functionOptions\.environment$/],
  ];

  test.each(cases)('rejects %s', (_name, props, message) => {
    expect(() => new McpLambdaServer(newStack(), 'Mcp', props)).toThrow(message);
  });

  test('rejects enableEvents together with eventTopic', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'T', 'arn:aws:sns:eu-west-1:111111111111:t');
    expect(() => new McpLambdaServer(stack, 'Mcp', { enableEvents: true, eventTopic: topic }))
      .toThrow(/^enableEvents and eventTopic were both given: pass enableEvents: true to create a topic, or eventTopic to use an existing one, not both$/);
  });

  test('accepts the limits themselves', () => {
    expect(() => new McpLambdaServer(newStack(), 'Mcp', {
      sessionTtl: Duration.minutes(1),
      timeout: Duration.seconds(2),
      toolTimeout: Duration.seconds(1),
      registryCacheTtl: Duration.hours(1),
      memorySize: 128,
    })).not.toThrow();
    expect(() => new McpLambdaServer(newStack(), 'Mcp', { sessionTtl: Duration.days(30), memorySize: 10240 })).not.toThrow();
  });

  test('skips checks on unresolved values', () => {
    expect(() => new McpLambdaServer(newStack(), 'Mcp', {
      memorySize: Token.asNumber({ Ref: 'Memory' }),
      serverName: Token.asString({ Ref: 'Name' }),
      allowedOrigins: [Token.asString({ Ref: 'Origin' })],
    })).not.toThrow();
  });
});
