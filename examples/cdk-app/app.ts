// An example CDK app: an MCP server that an agent's IAM role may call, with an event
// topic for notifications, tools in TypeScript and Python, a resource, a resource
// template and a prompt. After `npm install` at the repository's root, synthesize it
// here with
//   npx cdk synth
// (cdk.json first builds the library's runtime assets if they are missing or stale:
// library-assets.mjs) and run it locally, with no AWS account and no Docker, with
//   npx mcp-lambda-server dev --app cdk.out --watch
// (a user's app imports from 'cdk-mcp-lambda-server'; this one uses the sources).
import * as path from 'node:path';
import { App, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { McpLambdaServer, McpPromptRole } from '../../src';

class McpServerStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const server = new McpLambdaServer(this, 'Mcp', {
      serverName: 'orders',
      serverVersion: '1.0.0',
      instructions: 'Tools to look up and track customer orders.',
      sessionTtl: Duration.hours(8),
      enableEvents: true,
    });

    // The role an agent runtime assumes to call the endpoint with SigV4.
    const agentRole = new iam.Role(this, 'AgentRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Calls the orders MCP server',
    });
    server.grantInvoke(agentRole);

    // A tool in TypeScript: NodejsFunction bundles it with esbuild at synth.
    const lookupOrder = new nodejs.NodejsFunction(this, 'LookupOrder', {
      entry: path.join(__dirname, 'tools', 'lookup-order.ts'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(10),
      environment: { CARRIER: 'ACME Freight' },
    });
    server.addTool({
      name: 'lookup_order',
      title: 'Look up an order',
      description: 'Returns the status of a customer order.',
      inputSchema: {
        type: 'object',
        properties: { orderId: { type: 'string', description: 'The order number, e.g. A-1001' } },
        required: ['orderId'],
      },
      outputSchema: {
        type: 'object',
        properties: { orderId: { type: 'string' }, status: { type: 'string' }, carrier: { type: 'string' } },
        required: ['orderId', 'status'],
      },
      annotations: { readOnlyHint: true },
      function: lookupOrder,
    });

    // A tool in Python: a folder with a .py handler, no bundling needed.
    const wordCount = new lambda.Function(this, 'WordCount', {
      code: lambda.Code.fromAsset(path.join(__dirname, 'tools', 'python')),
      handler: 'word_count.handler',
      runtime: lambda.Runtime.PYTHON_3_12,
      timeout: Duration.seconds(10),
      environment: { STAGE: 'example' },
    });
    server.addTool({
      name: 'count_words',
      description: 'Counts the words and characters of a text.',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      function: wordCount,
    });

    // A static resource, and a resource template served by inline code.
    server.addResource({
      uri: 'orders://policies/returns',
      name: 'returns-policy',
      description: 'How customers return an order.',
      mimeType: 'text/markdown',
      text: '# Returns\n\nAny order may be returned within 30 days of delivery.',
    });
    const orderDocument = new lambda.Function(this, 'OrderDocument', {
      code: lambda.Code.fromInline([
        'exports.handler = async (event) => ({',
        '  contents: [{ uri: event.uri, mimeType: "application/json",',
        '    text: JSON.stringify({ orderId: event.variables.orderId, lines: 2 }) }],',
        '});',
      ].join('\n')),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
    });
    server.addResourceTemplate({
      uriTemplate: 'orders://orders/{orderId}',
      name: 'order',
      description: 'An order as JSON.',
      mimeType: 'application/json',
      function: orderDocument,
    });

    server.addPrompt({
      name: 'summarize_order',
      description: 'Asks for a summary of an order for the customer.',
      arguments: [{ name: 'orderId', description: 'The order number', required: true }],
      messages: [{ role: McpPromptRole.USER, text: 'Summarize the status of order {{orderId}} for the customer, in two sentences.' }],
    });

    new CfnOutput(this, 'AgentRoleArn', { value: agentRole.roleArn });
    new CfnOutput(this, 'EventTopicArn', { value: server.eventTopic!.topicArn });
  }
}

const app = new App();
new McpServerStack(app, 'McpExample');
app.synth();
