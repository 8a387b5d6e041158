// An example CDK app: an MCP server that an agent's IAM role may call, with an event
// topic for notifications. Synthesize it with
//   npx cdk synth --app 'npx ts-node --prefer-ts-exts app.ts'
// (a user's app imports from 'cdk-mcp-lambda-server'; this one uses the sources).
import { App, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { McpLambdaServer } from '../../src';

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

    new CfnOutput(this, 'AgentRoleArn', { value: agentRole.roleArn });
    new CfnOutput(this, 'EventTopicArn', { value: server.eventTopic!.topicArn });
  }
}

const app = new App();
new McpServerStack(app, 'McpExample');
app.synth();
