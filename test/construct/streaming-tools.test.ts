/**
 * Streaming tools in the construct: `addTool({ streaming: true })` writes the flag the
 * handler reads (it then calls InvokeWithResponseStream), with the same least-privilege
 * `lambda:InvokeFunction` grant (the action that authorizes InvokeWithResponseStream);
 * `McpToolDefinition.fromModule` reads a `defineTool` module's definition at synth time.
 */
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { logicalId, newStack } from './server-template';
import { McpLambdaServer, McpToolDefinition, ToolContract, ToolTaskSupport } from '../../src';

const root = join(__dirname, '..', '..');
const inputSchema = { type: 'object', properties: { table: { type: 'string' } } };

function setup() {
  const stack = newStack();
  const server = new McpLambdaServer(stack, 'Mcp');
  const fn = new lambda.Function(stack, 'Scan', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => 1;'),
  });
  return { stack, server, fn };
}

/** The declared items, with each function ARN token replaced by `ARN(<logical id>)`. */
function declaredItems(stack: Stack): any[] {
  const resources = Object.values(Template.fromStack(stack).findResources('Custom::McpRegistry'));
  const items = resources[0].Properties.Items;
  if (typeof items === 'string') return JSON.parse(items);
  const parts = items['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((p: any) => (typeof p === 'string' ? p : `ARN(${p['Fn::GetAtt'][0]})`)).join(''));
}

test('streaming: true is written to the item; false or absent writes nothing', () => {
  const { stack, server, fn } = setup();
  server.addTool({ name: 'scan', description: 'scans', inputSchema, function: fn, streaming: true });
  server.addTool({ name: 'plain', description: 'plain', inputSchema, function: fn, streaming: false });
  server.addTool({ name: 'default', description: 'default', inputSchema, function: fn });
  const items = declaredItems(stack);
  expect(items.map((i) => [i.name, i.streaming])).toEqual([['scan', true], ['plain', undefined], ['default', undefined]]);
  expect(items[0]).toEqual({ type: 'tool', name: 'scan', description: 'scans', inputSchema, lambdaArn: `ARN(${logicalId(fn)})`, streaming: true });
});

test('a streaming tool\'s function gets lambda:InvokeFunction (which authorizes InvokeWithResponseStream), on its ARN only', () => {
  const { stack, server, fn } = setup();
  server.addTool({ name: 'scan', description: 'scans', inputSchema, function: fn, streaming: true });
  const handlerRoleId = logicalId(server.node.findChild('HandlerRole'));
  const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: handlerRoleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
    .filter((s) => [s.Action].flat().some((a) => a.startsWith('lambda:')));
  expect(statements).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [logicalId(fn), 'Arn'] } }]);
});

test('streaming with the AgentCore Gateway contract is refused at synth', () => {
  const { server, fn } = setup();
  expect(() => server.addTool({ name: 'gw', description: 'gw', inputSchema, function: fn, streaming: true, contract: ToolContract.BEDROCK_AGENTCORE_GATEWAY }))
    .toThrow("invalid addTool (tool 'gw'): 'streaming' cannot be used with the 'bedrock-agentcore-gateway' contract");
});

describe('McpToolDefinition.fromModule', () => {
  test('reads the Node example (TypeScript, under ts-jest as under ts-node): the schema is written once', () => {
    const definition = McpToolDefinition.fromModule(join(root, 'examples', 'streaming-tools', 'node', 'scan-table.ts'));
    expect(definition.name).toBe('scan_tables');
    expect(definition.streaming).toBe(true);
    const { stack, server, fn } = setup();
    server.addTool(definition.toolOptions({ function: fn, timeout: Duration.seconds(30), taskSupport: ToolTaskSupport.OPTIONAL }));
    expect(declaredItems(stack)).toEqual([{
      type: 'tool',
      name: 'scan_tables',
      title: 'Scan tables',
      description: 'Counts the rows of each table, reporting progress table by table.',
      inputSchema: { type: 'object', properties: { tables: { type: 'array', items: { type: 'string' }, maxItems: 50 } } },
      outputSchema: {
        type: 'object',
        properties: { tables: { type: 'integer' }, total: { type: 'integer' }, rows: { type: 'object' } },
        required: ['tables', 'total', 'rows'],
      },
      lambdaArn: `ARN(${logicalId(fn)})`,
      timeoutSeconds: 30,
      taskSupport: 'optional',
      streaming: true,
    }]);
  });

  test('reads a CommonJS module written against the shipped helper, by export name', () => {
    const definition = McpToolDefinition.fromModule(join(root, 'test', 'tools', 'fixtures', 'define-tool-fixture.cjs'), 'handler');
    expect([definition.name, definition.description, definition.inputSchema.required]).toEqual(['deploy', 'Deploys after asking for confirmation', ['env']]);
  });

  test('says what is wrong: a module that does not load, an export without a definition', () => {
    expect(() => McpToolDefinition.fromModule(join(root, 'no', 'such', 'tool.js'))).toThrow(/McpToolDefinition.fromModule: cannot load .*tool\.js/);
    expect(() => McpToolDefinition.fromModule(join(root, 'test', 'tools', 'fixtures', 'define-tool-fixture.cjs'), 'other'))
      .toThrow("export 'other' of " + join(root, 'test', 'tools', 'fixtures', 'define-tool-fixture.cjs') + " has no definition; write the handler with defineTool from 'cdk-mcp-lambda-server/tool'");
  });
});
