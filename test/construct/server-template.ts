import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Construct } from 'constructs';
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

/** The logical id of a construct's CloudFormation resource (its default child). */
export function logicalId(construct: Construct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/** An IAM policy statement as it stands in the template. */
export interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: unknown;
}

/** Every statement of the identity policies attached to the role with that logical id. */
export function statementsOfRole(template: Template, roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
