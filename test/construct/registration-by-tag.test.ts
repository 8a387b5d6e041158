/**
 * `toolFunctionTag`: the IAM of registration by tag (an InvokeFunction statement
 * conditioned on the function's tag, ListTags for the admin function), what the admin
 * function is told, and `tagToolFunction`.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { logicalId, newStack, type Statement, statementsOfRole } from './server-template';
import { McpLambdaServer } from '../../src';

function lambdaStatements(template: Template, roleId: string): Statement[] {
  return statementsOfRole(template, roleId).filter((s) => [s.Action].flat().some((a) => a.startsWith('lambda:')));
}

/** `arn:<partition>:lambda:eu-west-1:111111111111:function:<suffix>`: the partition stays a deploy-time value. */
function scope(suffix: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:lambda:eu-west-1:111111111111:function:${suffix}`]] };
}

test('the handler may invoke exactly the functions of its account and region that carry the tag; the admin function may read tags', () => {
  const stack = newStack();
  const server = new McpLambdaServer(stack, 'Mcp', { toolFunctionTag: 'orders-server' });
  const template = Template.fromStack(stack);
  expect(McpLambdaServer.TOOL_TAG_KEY).toBe('mcp-lambda-server');
  expect(server.toolFunctionTag).toBe('orders-server');

  expect(lambdaStatements(template, logicalId(server.node.findChild('HandlerRole')))).toEqual(expect.arrayContaining([
    {
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: scope('*'),
      Condition: { StringEquals: { 'aws:ResourceTag/mcp-lambda-server': 'orders-server' } },
    },
    // A tagged registration may declare task support: the handler invokes itself for task work.
    { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [logicalId(server.function), 'Arn'] } },
  ]));
  // No unconditioned InvokeFunction on a wildcard.
  for (const s of lambdaStatements(template, logicalId(server.node.findChild('HandlerRole')))) {
    if (JSON.stringify(s.Resource).includes('function:*')) expect(s.Condition).toBeDefined();
  }
  expect(lambdaStatements(template, logicalId(server.node.findChild('AdminRole')))).toEqual([
    { Effect: 'Allow', Action: 'lambda:ListTags', Resource: scope('*') },
  ]);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: Match.objectLike({
        MCP_ADMIN_TOOL_TAG: 'mcp-lambda-server=orders-server',
        MCP_ADMIN_TOOL_TAG_SCOPE: scope(''),
      }),
    },
  });
});

test('in an environment-agnostic stack the scope is built from the deploy-time partition, region and account', () => {
  const stack = new Stack();
  const server = new McpLambdaServer(stack, 'Mcp', { toolFunctionTag: 'x' });
  const template = Template.fromStack(stack);
  const agnostic = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':function:']] };
  template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MCP_ADMIN_TOOL_TAG_SCOPE: agnostic }) } });
  expect(server.toolFunctionTag).toBe('x');
});

test('without toolFunctionTag nothing changes: no tag statement, no ListTags, no tag environment', () => {
  const stack = newStack();
  const server = new McpLambdaServer(stack, 'Mcp');
  const template = Template.fromStack(stack);
  expect(lambdaStatements(template, logicalId(server.node.findChild('HandlerRole')))).toEqual([]);
  expect(lambdaStatements(template, logicalId(server.node.findChild('AdminRole')))).toEqual([]);
  expect(JSON.stringify(template.toJSON())).not.toContain('MCP_ADMIN_TOOL_TAG');
  expect(() => server.tagToolFunction(lambda.Function.fromFunctionName(stack, 'F', 'f'))).toThrow(/tagToolFunction needs the toolFunctionTag prop/);
});

test('tagToolFunction tags a function of the app with the server tag', () => {
  const stack = newStack();
  const server = new McpLambdaServer(stack, 'Mcp', { toolFunctionTag: 'orders-server' });
  const fn = new lambda.Function(stack, 'Tool', {
    runtime: lambda.Runtime.PYTHON_3_13,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return event'),
  });
  server.tagToolFunction(fn);
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
    Handler: 'index.handler',
    Tags: Match.arrayWith([{ Key: 'mcp-lambda-server', Value: 'orders-server' }]),
  });
});

test.each(['', 'has space', 'a'.repeat(257), 'semi;colon'])('toolFunctionTag %j is refused', (value) => {
  expect(() => new McpLambdaServer(newStack(), 'Mcp', { toolFunctionTag: value })).toThrow(/is not a usable tag value/);
});
