/**
 * A small cloud assembly written by hand, in the shape `cdk synth` writes it
 * (manifest.json, a template, an asset manifest, `asset.<hash>` folders), for tests
 * that need what the example app does not have: two servers in one stack, functions
 * that cannot run locally (Java, a container image), inline code, an app table with a
 * GSI and a TTL, functions that crash or hang.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_MARKER } from '../../src/runtime-contract';

export const NODE_TOOL_SOURCE = `
let calls = 0;
exports.handler = async (event, context) => {
  calls += 1;
  const args = event.arguments || {};
  switch (event.tool) {
    case 'crash':
      process.exit(3);
    case 'hang':
      for (;;) {}
    case 'throw':
      throw new TypeError('bad input: ' + args.message);
    case 'describe_table': {
      const { DynamoDBClient, DescribeTableCommand } = require('@aws-sdk/client-dynamodb');
      const client = new DynamoDBClient({});
      const { Table } = await client.send(new DescribeTableCommand({ TableName: process.env.ORDERS_TABLE }));
      client.destroy();
      return { name: Table.TableName, keys: Table.KeySchema, indexes: (Table.GlobalSecondaryIndexes || []).map((g) => g.IndexName) };
    }
    default:
      return { tool: event.tool, message: args.message, calls, functionName: context.functionName, remaining: context.getRemainingTimeInMillis() > 0 };
  }
};
`;

export const PYTHON_TOOL_SOURCE = `
import os

def handler(event, context):
    if event["tool"] == "py_fail":
        raise ValueError("no such order")
    print("python tool called with", event["arguments"])
    return {"echo": event["arguments"].get("message"), "function": context.function_name, "region": os.environ["AWS_REGION"]}
`;

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

function server(prefix: string, tools: Array<{ name: string; fn: string }>, extraItems: unknown[] = []): Record<string, Resource> {
  const parts: unknown[] = [];
  // Items as CDK's toJsonString writes them: a Fn::Join with the ARNs as GetAtt tokens.
  const json = (tools.map((t) => ({ type: 'tool', name: t.name, description: `${t.name} tool`, inputSchema: { type: 'object' }, lambdaArn: `@@${t.fn}@@` })) as unknown[]).concat(extraItems);
  const text = JSON.stringify(json);
  let rest = text;
  for (;;) {
    const m = /"@@(\w+)@@"/.exec(rest);
    if (!m) break;
    parts.push(rest.slice(0, m.index + 1), { 'Fn::GetAtt': [m[1], 'Arn'] });
    rest = rest.slice(m.index + m[0].length - 1);
  }
  parts.push(rest);
  return {
    [`${prefix}SessionTableAAAA0001`]: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
      Metadata: { 'aws:cdk:path': `Fixture/${prefix}/SessionTable/Resource` },
    },
    [`${prefix}RegistryTableAAAA0002`]: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      },
      Metadata: { 'aws:cdk:path': `Fixture/${prefix}/RegistryTable/Resource` },
    },
    [`${prefix}HandlerAAAA0003`]: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Code: { S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, S3Key: 'handlerhash.zip' },
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        // As the construct synthesizes it (its default timeout): the dev server applies it.
        Timeout: 900,
        Environment: {
          Variables: {
            MCP_SESSION_TABLE: { Ref: `${prefix}SessionTableAAAA0001` },
            MCP_REGISTRY_TABLE: { Ref: `${prefix}RegistryTableAAAA0002` },
            MCP_SERVER_NAME: prefix.toLowerCase(),
            MCP_SERVER_VERSION: '2.0.0',
            MCP_SESSION_TTL_SECONDS: '3600',
            MCP_REGISTRY_CACHE_SECONDS: '30',
            MCP_AUTH_MODE: 'oauth',
            MCP_TOOL_TIMEOUT_SECONDS: '5',
            MCP_OAUTH_ISSUER: 'https://issuer.example',
            MCP_ALLOWED_ORIGINS: { 'Fn::ImportValue': 'WebAppOrigin' },
          },
        },
      },
      Metadata: { 'aws:cdk:path': `Fixture/${prefix}/Handler/Resource`, [SERVER_MARKER.key]: SERVER_MARKER.handler },
    },
    [`${prefix}RegistryAAAA0004`]: {
      Type: 'Custom::McpRegistry',
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [`${prefix}AdminAAAA0005`, 'Arn'] },
        TableName: { Ref: `${prefix}RegistryTableAAAA0002` },
        Items: { 'Fn::Join': ['', parts] },
      },
      Metadata: { 'aws:cdk:path': `Fixture/${prefix}/Registry/Default` },
    },
  };
}

function fn(runtime: string, code: Record<string, unknown>, handler: string, extra: Record<string, unknown> = {}): Resource {
  return { Type: 'AWS::Lambda::Function', Properties: { Code: code, Handler: handler, Runtime: runtime, Timeout: 2, ...extra } };
}

/** Writes the assembly; returns its folder. */
export function writeFixtureAssembly(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-fixture-out-'));
  const asset = (hash: string, files: Record<string, string>) => {
    mkdirSync(join(dir, `asset.${hash}`));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `asset.${hash}`, name), text);
  };
  // The handler asset is absent on purpose: the dev server then serves with its own copy (and says so).
  asset('handlerhash', {});
  asset('nodetoolhash', { 'index.js': NODE_TOOL_SOURCE });
  asset('pytoolhash', { 'tool.py': PYTHON_TOOL_SOURCE });

  const resources: Record<string, Resource> = {
    ...server('Orders', [
      { name: 'echo', fn: 'NodeTool' }, { name: 'crash', fn: 'NodeTool' }, { name: 'hang', fn: 'NodeTool' },
      { name: 'throw', fn: 'NodeTool' }, { name: 'describe_table', fn: 'NodeTool' },
      { name: 'py_echo', fn: 'PyTool' }, { name: 'py_fail', fn: 'PyTool' }, { name: 'inline', fn: 'InlineTool' },
      { name: 'java_tool', fn: 'JavaTool' }, { name: 'image_tool', fn: 'ImageTool' },
    ], [{ type: 'prompt', name: 'hello', messages: [{ role: 'user', content: { type: 'text', text: 'Hello {{name}}' } }], arguments: [{ name: 'name' }] }]),
    ...server('Billing', [{ name: 'echo', fn: 'NodeTool' }]),
    // Orders has an event topic (enableEvents), Billing none.
    OrdersEventTopic: { Type: 'AWS::SNS::Topic', Properties: {} },
    OrdersEventSubscription: {
      Type: 'AWS::SNS::Subscription',
      Properties: { Protocol: 'lambda', TopicArn: { Ref: 'OrdersEventTopic' }, Endpoint: { 'Fn::GetAtt': ['OrdersHandlerAAAA0003', 'Arn'] } },
    },
    OrdersTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }, { AttributeName: 'customer', AttributeType: 'S' }],
        GlobalSecondaryIndexes: [{ IndexName: 'byCustomer', KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      },
    },
    NodeTool: fn('nodejs22.x', { S3Bucket: 'b', S3Key: 'nodetoolhash.zip' }, 'index.handler', {
      Environment: { Variables: { ORDERS_TABLE: { Ref: 'OrdersTable' } } },
      Layers: ['arn:aws:lambda:us-east-1:123456789012:layer:x:1'],
    }),
    PyTool: fn('python3.12', { S3Bucket: 'b', S3Key: 'pytoolhash.zip' }, 'tool.handler'),
    InlineTool: fn('nodejs20.x', { ZipFile: 'exports.handler = async (e) => ({ content: [{ type: "text", text: "inline " + e.tool }] });' }, 'index.handler'),
    JavaTool: fn('java21', { S3Bucket: 'b', S3Key: 'nodetoolhash.zip' }, 'com.example.Tool::handleRequest'),
    ImageTool: { Type: 'AWS::Lambda::Function', Properties: { PackageType: 'Image', Code: { ImageUri: 'x.dkr.ecr.us-east-1.amazonaws.com/tool:latest' } } },
  };
  writeFileSync(join(dir, 'Fixture.template.json'), JSON.stringify({ Resources: resources, Parameters: { BootstrapVersion: { Type: 'String', Default: '/cdk-bootstrap/hnb659fds/version' } } }, null, 1));
  const files = Object.fromEntries(['handlerhash', 'nodetoolhash', 'pytoolhash'].map((h) => [h, {
    source: { path: `asset.${h}`, packaging: 'zip' },
    destinations: { 'current_account-current_region': { bucketName: 'b', objectKey: `${h}.zip` } },
  }]));
  writeFileSync(join(dir, 'Fixture.assets.json'), JSON.stringify({ version: '48.0.0', files }));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({
    version: '48.0.0',
    artifacts: {
      'Fixture.assets': { type: 'cdk:asset-manifest', properties: { file: 'Fixture.assets.json' } },
      'Fixture': {
        type: 'aws:cloudformation:stack',
        environment: 'aws://unknown-account/unknown-region',
        properties: { templateFile: 'Fixture.template.json' },
        dependencies: ['Fixture.assets'],
        displayName: 'Fixture',
      },
    },
  }));
  return dir;
}
