/**
 * cdk-nag AwsSolutions with `toolFunctionTag`: the two wildcards registration by tag
 * needs (InvokeFunction on `function:*` conditioned on the tag, ListTags on
 * `function:*` for the admin function) are the only findings beyond the X-Ray one, and
 * the suppressions docs/registration-by-tag.md gives silence them.
 */
import { NagSuppressions } from 'cdk-nag';
import { McpLambdaServer } from '../../src';
import { awsSolutionsFindings, nagStack } from '../support/cdk-nag-findings';

function findings(suppressTagWildcards: boolean): string[] {
  const stack = nagStack();
  const server = new McpLambdaServer(stack, 'Mcp', { toolFunctionTag: 'orders' });
  NagSuppressions.addResourceSuppressions(server.function.role!, [{
    id: 'AwsSolutions-IAM5', reason: 'X-Ray actions support no resource-level permissions.', appliesTo: ['Resource::*'],
  }], true);
  if (suppressTagWildcards) {
    const wildcard = { regex: '/^Resource::arn:<AWS::Partition>:lambda:eu-west-1:111111111111:function:\\*$/' };
    NagSuppressions.addResourceSuppressions(server.function.role!, [{
      id: 'AwsSolutions-IAM5', reason: 'Registration by tag: InvokeFunction only on functions tagged mcp-lambda-server=orders (aws:ResourceTag condition).', appliesTo: [wildcard],
    }], true);
    NagSuppressions.addResourceSuppressions(server.adminFunction.role!, [{
      id: 'AwsSolutions-IAM5', reason: 'Registration by tag: the admin function reads tags (ListTags) to refuse untagged functions.', appliesTo: [wildcard],
    }], true);
  }
  return awsSolutionsFindings(stack).map((m) => `${m.id}: ${m.entry.data}`);
}

test('the only new findings are the two function:* wildcards, on the handler and admin roles', () => {
  const found = findings(false);
  expect(found).toHaveLength(2);
  expect(found.every((f) => f.includes('AwsSolutions-IAM5') && f.includes('function:*'))).toBe(true);
  expect(found.some((f) => f.includes('HandlerRole'))).toBe(true);
  expect(found.some((f) => f.includes('AdminRole'))).toBe(true);
});

test('the documented suppressions silence them', () => {
  expect(findings(true)).toEqual([]);
});
