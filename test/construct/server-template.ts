import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { McpLambdaServer, McpLambdaServerProps } from '../../src';

/** A fresh stack in a fixed account and region. */
export function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

/** Synthesizes one McpLambdaServer (id `Mcp`) in a fresh stack. */
export function serverTemplate(props: McpLambdaServerProps = {}): { stack: Stack; server: McpLambdaServer; template: Template } {
  const stack = newStack();
  const server = new McpLambdaServer(stack, 'Mcp', props);
  return { stack, server, template: Template.fromStack(stack) };
}
