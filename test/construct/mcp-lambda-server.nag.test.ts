import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NagSuppressions } from 'cdk-nag';
import { McpLambdaServer, McpLambdaServerProps } from '../../src';
import { awsSolutionsFindings, nagStack } from '../support/cdk-nag-findings';

/** Synthesizes a server under the AwsSolutions pack; returns the pack's unsuppressed findings. */
function nagFindings(build: (stack: Stack) => McpLambdaServerProps, suppress: (stack: Stack, server: McpLambdaServer) => void): string[] {
  const stack = nagStack();
  const server = new McpLambdaServer(stack, 'Mcp', build(stack));
  suppress(stack, server);
  return awsSolutionsFindings(stack).map((m) => `${m.id}: ${m.entry.data}`);
}

/**
 * The one finding the construct cannot avoid: with active tracing (the default), the
 * role may call xray:PutTraceSegments and xray:PutTelemetryRecords, which support no
 * resource-level permissions, so their statement's resource is "*"
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html).
 * Everything else on the role names its own resources.
 */
function suppressXRay(_stack: Stack, server: McpLambdaServer): void {
  NagSuppressions.addResourceSuppressions(server.function.role!, [{
    id: 'AwsSolutions-IAM5',
    reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; tracing needs Resource "*" for these two actions only.',
    appliesTo: ['Resource::*'],
  }], true);
}

describe('cdk-nag AwsSolutions', () => {
  test('a server with defaults has no finding beyond the justified X-Ray wildcard', () => {
    expect(nagFindings(() => ({}), suppressXRay)).toEqual([]);
  });

  test('without the suppression the X-Ray wildcard is the only finding', () => {
    const findings = nagFindings(() => ({}), () => undefined);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/AwsSolutions-IAM5\[Resource::\*\]/);
  });

  test('without tracing there is no finding and nothing to suppress', () => {
    expect(nagFindings(() => ({ tracing: lambda.Tracing.DISABLED }), () => undefined)).toEqual([]);
  });

  test('events, a customer managed key and CORS add no finding', () => {
    const findings = nagFindings((stack) => ({
      enableEvents: true,
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      allowedOrigins: ['https://app.example.com'],
    }), suppressXRay);
    expect(findings).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions with registrations', () => {
  function withTools(stack: Stack, allowed: boolean): McpLambdaServerProps {
    const fn = new lambda.Function(stack, 'Tool', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async (e) => e;'),
    });
    NagSuppressions.addResourceSuppressions(fn, [
      { id: 'AwsSolutions-IAM4', reason: 'a test tool function; not part of the construct' },
    ], true);
    return allowed ? { allowedToolFunctions: [fn] } : {};
  }

  test('declared tools add no finding: the handler may invoke each tool function by its exact ARN', () => {
    let tool: lambda.Function | undefined;
    const findings = nagFindings((stack) => {
      const props = withTools(stack, false);
      tool = stack.node.findChild('Tool') as lambda.Function;
      return props;
    }, (stack, server) => {
      suppressXRay(stack, server);
      server.addTool({ name: 'echo', description: 'echo', inputSchema: { type: 'object' }, function: tool! });
      server.addResource({ uri: 'app://motd', name: 'motd', text: 'hello' });
    });
    expect(findings).toEqual([]);
  });

  test('allowedToolFunctions add one finding, the <arn>:* that lets a run-time registration name a version or alias', () => {
    const findings = nagFindings((stack) => withTools(stack, true), suppressXRay);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/AwsSolutions-IAM5\[Resource::<Tool[0-9A-F]+\.Arn>:\*\]/);
  });
});
