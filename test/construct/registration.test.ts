/**
 * Registration in the construct: addTool/addResource/addResourceTemplate/addPrompt,
 * the admin function and its URL, the Custom::McpRegistry resource, and the IAM that
 * goes with them.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { logicalId, newStack, type Statement, statementsOfRole } from './server-template';
import { McpAuth, McpLambdaServer, McpLambdaServerProps, McpPromptRole, ToolContract, ToolTaskSupport } from '../../src';

function getAtt(construct: Construct, attribute: string) {
  return { 'Fn::GetAtt': [logicalId(construct), attribute] };
}


function toolFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.PYTHON_3_13,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return event'),
  });
}

function setup(props: McpLambdaServerProps = {}) {
  const stack = newStack();
  const server = new McpLambdaServer(stack, 'Mcp', props);
  const handlerRoleId = logicalId(server.node.findChild('HandlerRole'));
  const adminRoleId = logicalId(server.node.findChild('AdminRole'));
  return { stack, server, handlerRoleId, adminRoleId };
}

/**
 * The registry items the custom resource carries, with each function ARN token
 * replaced by `ARN(<logical id>)`, parsed back from the template's JSON string.
 */
function declaredItems(template: Template): any[] {
  const resources = Object.values(template.findResources('Custom::McpRegistry'));
  expect(resources).toHaveLength(1);
  const items = resources[0].Properties.Items;
  if (typeof items === 'string') return JSON.parse(items);
  const parts = items['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((p: any) => (typeof p === 'string' ? p : `ARN(${p['Fn::GetAtt'][0]})`)).join(''));
}

const inputSchema = { type: 'object', properties: { orderId: { type: 'string', minLength: 1 } }, required: ['orderId'] };

describe('the admin function', () => {
  const { stack, server, adminRoleId } = setup();
  const template = Template.fromStack(stack);

  test('has the construct ids that are part of the contract', () => {
    expect(server.adminFunction.node.id).toBe('AdminHandler');
    expect(server.adminUrl.node.id).toBe('AdminUrl');
    expect(server.node.findChild('Registry')).toBeDefined();
  });

  test('runs the bundled admin code, buffered, told only the registry table', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 300,
      Role: getAtt(server.node.findChild('AdminRole'), 'Arn'),
      Environment: { Variables: { MCP_REGISTRY_TABLE: { Ref: logicalId(server.registryTable) } } },
      LoggingConfig: { LogGroup: { Ref: logicalId(server.node.findChild('AdminLogs')) } },
    });
  });

  test('its role writes its own log group and reads and writes the registry table only', () => {
    expect(statementsOfRole(template, adminRoleId)).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: getAtt(server.node.findChild('AdminLogs'), 'Arn') },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        Resource: getAtt(server.registryTable, 'Arn'),
      },
    ]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] },
      Description: 'Execution role of the registry admin function of the MCP server mcp-lambda-server',
    });
  });

  test('its Function URL has IAM auth and buffers responses', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: getAtt(server.adminFunction, 'Arn'),
    });
    const url = template.toJSON().Resources[logicalId(server.adminUrl)];
    expect(url.Properties.InvokeMode ?? 'BUFFERED').toBe('BUFFERED');
  });

  test('its URL keeps IAM auth when the MCP endpoint is open to anyone', () => {
    const open = setup({ auth: McpAuth.none() });
    const t = Template.fromStack(open.stack).toJSON();
    expect(t.Resources[logicalId(open.server.adminUrl)].Properties.AuthType).toBe('AWS_IAM');
    expect(t.Resources[logicalId(open.server.functionUrl)].Properties.AuthType).toBe('NONE');
  });

  test('adminEndpointUrl is the admin URL with the path items, and is an output', () => {
    const expected = { 'Fn::Join': ['', [getAtt(server.adminUrl, 'FunctionUrl'), 'items']] };
    expect(stack.resolve(server.adminEndpointUrl)).toEqual(expected);
    expect(Object.values(template.findOutputs('*'))).toContainEqual(expect.objectContaining({ Value: expected }));
  });

  test('with a customer managed key its role may use the key through DynamoDB only', () => {
    const stack2 = newStack();
    const key = new kms.Key(stack2, 'Key');
    const s2 = new McpLambdaServer(stack2, 'Mcp', { encryptionKey: key });
    const statements = statementsOfRole(Template.fromStack(stack2), logicalId(s2.node.findChild('AdminRole')));
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      Resource: getAtt(key, 'Arn'),
      Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
    });
  });
});

describe('the Custom::McpRegistry resource', () => {
  test('is served by the admin function, names the registry table, and waits for the admin role', () => {
    const { stack, server, adminRoleId } = setup();
    const template = Template.fromStack(stack);
    const [id, resource] = Object.entries(template.findResources('Custom::McpRegistry'))[0];
    expect(id).toMatch(/^McpRegistry/);
    expect(resource.Properties).toEqual({
      ServiceToken: getAtt(server.adminFunction, 'Arn'),
      ServiceTimeout: '600',
      TableName: { Ref: logicalId(server.registryTable) },
      Items: '[]',
    });
    expect(resource.DependsOn).toEqual(expect.arrayContaining([adminRoleId]));
    expect(resource.DependsOn.some((d: string) => d.startsWith('McpAdminRoleDefaultPolicy'))).toBe(true);
  });

  test('carries every declared item as JSON, in declaration order, with each function ARN', () => {
    const { stack, server } = setup();
    const orders = toolFunction(stack, 'Orders');
    const docs = toolFunction(stack, 'Docs');
    // The fields the registry item carries as they are declared; `function` and `timeout` become lambdaArn and timeoutSeconds.
    const lookupOrder = {
      name: 'lookup_order',
      title: 'Look up an order',
      description: 'Finds an order by id',
      inputSchema,
      outputSchema: { type: 'object', properties: { status: { type: 'string' } } },
      annotations: { readOnlyHint: true, openWorldHint: false },
      icons: [{ src: 'https://example.com/o.png', mimeType: 'image/png', sizes: ['48x48'] }],
    };
    server.addTool({ ...lookupOrder, function: orders, timeout: Duration.seconds(20) });
    server.addTool({ name: 'gateway_tool', description: 'AgentCore style', inputSchema, function: orders, contract: ToolContract.BEDROCK_AGENTCORE_GATEWAY });
    server.addResource({ uri: 'file:///docs/readme.md', name: 'readme', mimeType: 'text/markdown', text: '# Orders' });
    server.addResourceTemplate({ uriTemplate: 'orders://{orderId}', name: 'order', mimeType: 'application/json', function: orders, completions: { orderId: ['A-1', 'A-2'] } });
    server.addPrompt({
      name: 'summarize',
      arguments: [{ name: 'orderId', required: true }],
      messages: [{ role: McpPromptRole.USER, text: 'Summarize order {{orderId}}' }],
    });
    server.addPrompt({ name: 'dynamic', function: docs, timeout: Duration.millis(1500) });

    const template = Template.fromStack(stack);
    const ordersArn = `ARN(${logicalId(orders)})`;
    expect(declaredItems(template)).toEqual([
      { type: 'tool', ...lookupOrder, lambdaArn: ordersArn, timeoutSeconds: 20 },
      { type: 'tool', name: 'gateway_tool', description: 'AgentCore style', inputSchema, lambdaArn: ordersArn, contract: 'bedrock-agentcore-gateway' },
      { type: 'resource', uri: 'file:///docs/readme.md', name: 'readme', mimeType: 'text/markdown', text: '# Orders' },
      { type: 'resourceTemplate', uriTemplate: 'orders://{orderId}', name: 'order', mimeType: 'application/json', completions: { orderId: ['A-1', 'A-2'] }, lambdaArn: ordersArn },
      {
        type: 'prompt',
        name: 'summarize',
        arguments: [{ name: 'orderId', required: true }],
        messages: [{ role: 'user', content: { type: 'text', text: 'Summarize order {{orderId}}' } }],
      },
      { type: 'prompt', name: 'dynamic', lambdaArn: `ARN(${logicalId(docs)})`, timeoutSeconds: 1.5 },
    ]);
  });

  test('taskSupport is written, and lets the handler invoke itself in a policy of its own', () => {
    const { stack, server, handlerRoleId } = setup();
    server.addTool({ name: 'report', description: 'long report', inputSchema, function: toolFunction(stack, 'R'), taskSupport: ToolTaskSupport.OPTIONAL });
    server.addTool({ name: 'report2', description: 'longer', inputSchema, function: toolFunction(stack, 'R2'), taskSupport: ToolTaskSupport.REQUIRED });
    const template = Template.fromStack(stack);
    expect(declaredItems(template).map((i) => i.taskSupport)).toEqual(['optional', 'required']);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes(JSON.stringify(getAtt(server.function, 'Arn'))));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.Roles).toEqual([{ Ref: handlerRoleId }]);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: getAtt(server.function, 'Arn') },
    ]);
  });

  test('inputBeforeTask is written for a task tool, and refused at synth without task support', () => {
    const { stack, server } = setup();
    server.addTool({
      name: 'onboard',
      description: 'asks, then runs long',
      inputSchema,
      function: toolFunction(stack, 'O'),
      taskSupport: ToolTaskSupport.REQUIRED,
      inputBeforeTask: true,
    });
    expect(declaredItems(Template.fromStack(stack))[0].inputBeforeTask).toBe(true);
    expect(() => server.addTool({ name: 'quick', description: 'q', inputSchema, function: toolFunction(stack, 'Q'), inputBeforeTask: true }))
      .toThrow("invalid addTool (tool 'quick'): 'inputBeforeTask' needs 'taskSupport' 'optional' or 'required'");
  });

  test('without task support or allowed functions the handler may not invoke itself', () => {
    const { stack, server } = setup();
    server.addTool({ name: 'quick', description: 'q', inputSchema, function: toolFunction(stack, 'Q'), taskSupport: ToolTaskSupport.FORBIDDEN });
    const template = Template.fromStack(stack);
    expect(declaredItems(template)[0].taskSupport).toBeUndefined();
    expect(server.node.tryFindChild('TaskInvokePolicy')).toBeUndefined();
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain(JSON.stringify(getAtt(server.function, 'Arn')));
  });

  test('ToolContract.MCP is the default and is not written', () => {
    const { stack, server } = setup();
    server.addTool({ name: 'a', description: 'a', inputSchema, function: toolFunction(stack, 'A'), contract: ToolContract.MCP });
    expect(declaredItems(Template.fromStack(stack))[0].contract).toBeUndefined();
  });
});

describe('invoke permissions of the handler', () => {
  function lambdaStatements(template: Template, roleId: string): Statement[] {
    return statementsOfRole(template, roleId).filter((s) => [s.Action].flat().some((a) => a.startsWith('lambda:')));
  }

  test('may invoke exactly each registered function, once, and nothing else', () => {
    const { stack, server, handlerRoleId } = setup();
    const orders = toolFunction(stack, 'Orders');
    const docs = toolFunction(stack, 'Docs');
    toolFunction(stack, 'Unrelated');
    server.addTool({ name: 'a', description: 'a', inputSchema, function: orders });
    server.addTool({ name: 'b', description: 'b', inputSchema, function: orders });
    server.addResource({ uri: 'app://docs', name: 'docs', function: docs });
    server.addResource({ uri: 'app://static', name: 'static', text: 'hello' });
    const statements = lambdaStatements(Template.fromStack(stack), handlerRoleId);
    // A declared item names the unqualified ARN: no `<arn>:*`, no wildcard at all.
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: getAtt(orders, 'Arn') },
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: getAtt(docs, 'Arn') },
    ]);
    expect(JSON.stringify(statements)).not.toContain('*');
  });

  test('allowedToolFunctions: the handler may invoke them, their versions and aliases, and itself (tasks); the admin function is told their ARNs', () => {
    const stack = newStack();
    const allowedA = toolFunction(stack, 'AllowedA');
    const allowedB = lambda.Function.fromFunctionArn(stack, 'AllowedB', 'arn:aws:lambda:eu-west-1:111111111111:function:orders-b');
    const server = new McpLambdaServer(stack, 'Mcp', { allowedToolFunctions: [allowedA, allowedB] });
    const template = Template.fromStack(stack);
    expect(lambdaStatements(template, logicalId(server.node.findChild('HandlerRole')))).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [getAtt(allowedA, 'Arn'), { 'Fn::Join': ['', [getAtt(allowedA, 'Arn'), ':*']] }] },
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: ['arn:aws:lambda:eu-west-1:111111111111:function:orders-b', 'arn:aws:lambda:eu-west-1:111111111111:function:orders-b:*'],
      },
      // A run-time registration may declare task support: task work is an
      // asynchronous invocation of the handler itself.
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: getAtt(server.function, 'Arn') },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          MCP_REGISTRY_TABLE: { Ref: logicalId(server.registryTable) },
          MCP_ADMIN_ALLOWED_FUNCTIONS: { 'Fn::Join': ['', [getAtt(allowedA, 'Arn'), ',arn:aws:lambda:eu-west-1:111111111111:function:orders-b']] },
        },
      },
    });
    // The admin function itself may invoke nothing.
    expect(lambdaStatements(template, logicalId(server.node.findChild('AdminRole')))).toEqual([]);
  });

  test('by default the handler may invoke no function', () => {
    const { stack, handlerRoleId } = setup();
    expect(lambdaStatements(Template.fromStack(stack), handlerRoleId)).toEqual([]);
  });
});

describe('grantRegister', () => {
  test('grants lambda:InvokeFunctionUrl (AWS_IAM) and lambda:InvokeFunction via the URL on the admin function only', () => {
    const { stack, server } = setup();
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    expect(server.grantRegister(admin).success).toBe(true);
    const template = Template.fromStack(stack);
    expect(statementsOfRole(template, logicalId(admin))).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunctionUrl',
        Resource: getAtt(server.adminFunction, 'Arn'),
        Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
      },
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: getAtt(server.adminFunction, 'Arn'),
        Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': true } },
      },
    ]);
    template.resourceCountIs('AWS::Lambda::Permission', 0);
  });
});

describe('synth-time validation', () => {
  function server(): { stack: Stack; server: McpLambdaServer; fn: lambda.Function } {
    const { stack, server: s } = setup();
    return { stack, server: s, fn: toolFunction(stack, 'Fn') };
  }

  test('a tool name outside the 2025-11-25 rules names the tool and suggests a fix', () => {
    const { server: s, fn } = server();
    expect(() => s.addTool({ name: 'look up order', description: 'd', inputSchema, function: fn }))
      .toThrow(/^invalid addTool \(tool 'look up order'\): 'name' must be 1 to 128 characters of A-Z a-z 0-9 _ - \. \(got "look up order"\); rename it, e\.g\. 'look_up_order'$/);
    expect(() => s.addTool({ name: 'x'.repeat(129), description: 'd', inputSchema, function: fn })).toThrow(/'name' must be 1 to 128 characters/);
    expect(() => s.addTool({ name: '', description: 'd', inputSchema, function: fn })).toThrow(/'name' must be 1 to 128 characters/);
    s.addTool({ name: 'A-z_0.9', description: 'd', inputSchema, function: fn });
    s.addTool({ name: 'x'.repeat(128), description: 'd', inputSchema, function: fn });
  });

  test('a duplicate name is refused at the second call, naming both', () => {
    const { server: s, fn } = server();
    s.addTool({ name: 'lookup', description: 'd', inputSchema, function: fn });
    expect(() => s.addTool({ name: 'lookup', description: 'again', inputSchema, function: fn }))
      .toThrow("addTool (tool 'lookup'): tool name 'lookup' is already declared by an earlier addTool; give it another name");
    // Names are unique per type: a prompt may share a tool's name.
    s.addPrompt({ name: 'lookup', messages: [{ role: McpPromptRole.USER, text: 'hi' }] });
    s.addResource({ uri: 'app://a', name: 'a', text: 'a' });
    expect(() => s.addResource({ uri: 'app://a', name: 'b', text: 'b' })).toThrow(/resource uri 'app:\/\/a' is already declared by an earlier addResource; give it another uri/);
  });

  test('a schema that does not compile, or an input schema that is not an object, is refused', () => {
    const { server: s, fn } = server();
    expect(() => s.addTool({ name: 't', description: 'd', inputSchema: { type: 'object', properties: { n: { type: 'integr' } } }, function: fn }))
      .toThrow(/'inputSchema' is not a valid JSON Schema: .*/);
    expect(() => s.addTool({ name: 't', description: 'd', inputSchema: { type: 'string' }, function: fn }))
      .toThrow(/'inputSchema' must have "type": "object" at its root \(got "string"\)/);
    expect(() => s.addTool({ name: 't', description: 'd', inputSchema, outputSchema: { type: 'object', minProperties: -1 }, function: fn }))
      .toThrow(/'outputSchema' is not a valid JSON Schema/);
  });

  test('a resource URI that is not absolute is refused with an example', () => {
    const { server: s } = server();
    expect(() => s.addResource({ uri: 'docs/readme.md', name: 'readme', text: 'x' }))
      .toThrow(/\(resource 'docs\/readme\.md'\): 'uri' "docs\/readme\.md" is not an absolute URI; give it a scheme, e\.g\. 'app:\/\/docs\/readme\.md'/);
  });

  test('a URI template that is not RFC 6570, or has no variable, is refused', () => {
    const { server: s, fn } = server();
    expect(() => s.addResourceTemplate({ uriTemplate: 'orders://{orderId', name: 'order', function: fn }))
      .toThrow(/'uriTemplate' "orders:\/\/\{orderId" is not a valid RFC 6570 template: '\{' at position 10 is never closed/);
    expect(() => s.addResourceTemplate({ uriTemplate: 'orders://all', name: 'order', function: fn }))
      .toThrow(/has no \{variable\}; register a 'resource' with a fixed 'uri' instead/);
  });

  test('prompt arguments must be unique and placeholders must name one', () => {
    const { server: s } = server();
    expect(() => s.addPrompt({
      name: 'p',
      arguments: [{ name: 'who' }, { name: 'who' }],
      messages: [{ role: McpPromptRole.USER, text: 'Hello {{who}} and {{other}}' }],
    })).toThrow(/^invalid addPrompt \(prompt 'p'\): \n- argument name 'who' is used twice; prompt argument names must be unique\n- messages\[0\] uses \{\{other\}\}, which is not a declared argument/);
  });

  test('an item with two sources of content, or none, is refused', () => {
    const { server: s, fn } = server();
    expect(() => s.addResource({ uri: 'app://x', name: 'x', text: 'x', function: fn })).toThrow(/has 'text' and 'lambdaArn'; keep exactly one of 'text', 'blob', 'lambdaArn'/);
    expect(() => s.addResource({ uri: 'app://x', name: 'x' })).toThrow(/needs exactly one of 'text', 'blob', 'lambdaArn'/);
    expect(() => s.addPrompt({ name: 'p' })).toThrow(/needs exactly one of 'messages', 'lambdaArn'/);
    expect(() => s.addPrompt({ name: 'p', messages: [{ role: McpPromptRole.USER, text: 'a', content: { type: 'text', text: 'b' } }] }))
      .toThrow("addPrompt (prompt 'p'): messages[0] needs exactly one of text and content");
  });

  test('a timeout beyond Lambda\'s 15 minutes is refused', () => {
    const { server: s, fn } = server();
    expect(() => s.addTool({ name: 't', description: 'd', inputSchema, function: fn, timeout: Duration.minutes(16) }))
      .toThrow('addTool: timeout is 16 minutes; it must be between 1 second and 15 minutes, Lambda\'s maximum');
  });

  test('more items than a deployment can carry are refused with the way out', () => {
    const { server: s, fn } = server();
    const description = 'x'.repeat(60 * 1024);
    for (let i = 0; i < 4; i++) s.addTool({ name: `t${i}`, description, inputSchema, function: fn });
    expect(() => s.addTool({ name: 't4', description, inputSchema, function: fn }))
      .toThrow(/^addTool \(tool 't4'\): the declared items would take about \d+ bytes of JSON, more than the 262144 a deployment can carry; shorten descriptions and schemas, or register the rest at run time through the admin API$/);
  });

  test('more allowedToolFunctions than fit in the admin environment are refused', () => {
    const stack = newStack();
    const fns = Array.from({ length: 26 }, (_, i) => lambda.Function.fromFunctionArn(stack, `F${i}`, `arn:aws:lambda:eu-west-1:111111111111:function:f${i}`));
    expect(() => new McpLambdaServer(stack, 'Mcp', { allowedToolFunctions: fns })).toThrow(/allowedToolFunctions has 26 functions: at most 25/);
  });
});
