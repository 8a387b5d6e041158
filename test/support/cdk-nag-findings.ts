/**
 * cdk-nag's AwsSolutions pack over a test stack: the stack to build the server in and
 * the pack's findings after synthesis.
 */
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';

export type NagFinding = ReturnType<Annotations['findError']>[number];

/** A stack in an app of its own, with a concrete account and region so the ARNs the pack reads are concrete. */
export function nagStack(): Stack {
  return new Stack(new App(), 'NagStack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

/** Adds the AwsSolutions pack to the stack's app, synthesizes it and returns the findings no suppression silenced: errors, then warnings. */
export function awsSolutionsFindings(stack: Stack): NagFinding[] {
  const app = stack.node.root as App;
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  app.synth();
  const annotations = Annotations.fromStack(stack);
  return [
    ...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ];
}
