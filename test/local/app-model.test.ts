/**
 * How the local emulator (`dev --app`) finds the McpLambdaServers of a synthesized
 * template: by the marker the construct writes on its handler (SERVER_MARKER), not by
 * the template's shape. The templates here are the construct's own, synthesized in
 * the test; cdk-dev-server.test.ts and cdk-app-dev-server.test.ts serve whole apps.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AppModelError, buildAppModel } from '../../lambda-src/local/cdk-app/app-model';
import type { AssemblyStack, CfnTemplate } from '../../lambda-src/local/cdk-app/cloud-assembly';
import { McpLambdaServer } from '../../src';
import { SERVER_MARKER } from '../../src/runtime-contract';
import { logicalId, newStack } from '../construct/server-template';

function assemblyStack(template: CfnTemplate): AssemblyStack {
  return {
    artifactId: 'TestStack',
    stackName: 'TestStack',
    displayName: 'TestStack',
    region: 'eu-west-1',
    accountId: '111111111111',
    template,
    assetsByObjectKey: new Map(),
    assemblyDir: '/nonexistent',
  };
}

/** A stack with two servers, one with a declared tool, and a function of the app's own. */
function twoServers(): { stack: Stack; first: McpLambdaServer; second: McpLambdaServer; template: any } {
  const stack = newStack();
  const first = new McpLambdaServer(stack, 'First');
  const second = new McpLambdaServer(stack, 'Second', { enableEvents: true });
  const tool = new lambda.Function(stack, 'Tool', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (e) => e;'),
  });
  first.addTool({ name: 'echo', description: 'Echo', inputSchema: { type: 'object' }, function: tool });
  return { stack, first, second, template: Template.fromStack(stack).toJSON() };
}

/** The template without the marker on any resource. */
function unmarked(template: any): CfnTemplate {
  const copy = structuredClone(template);
  for (const resource of Object.values(copy.Resources as Record<string, { Metadata?: Record<string, unknown> }>)) {
    delete resource.Metadata?.[SERVER_MARKER.key];
  }
  return copy;
}

test('finds each server by its marked handler, with its tables, items and topic', () => {
  const { first, second, template } = twoServers();
  const model = buildAppModel([assemblyStack(template)]);
  expect(model.servers.map((s) => s.handler.logicalId)).toEqual([logicalId(first.function), logicalId(second.function)]);
  const [one, two] = model.servers;
  expect(one.sessionTable.logicalId).toBe(logicalId(first.sessionTable));
  expect(one.registryTable.logicalId).toBe(logicalId(first.registryTable));
  expect(one.items.map((i) => i.name)).toEqual(['echo']);
  expect(one.eventTopicArn).toBeUndefined();
  expect(two.registryTable.logicalId).toBe(logicalId(second.registryTable));
  expect(two.items).toEqual([]);
  expect(two.eventTopicArn).toMatch(/^arn:aws:sns:eu-west-1:111111111111:/);
});

test('a function without the marker is no server, even when its environment names two tables as a handler\'s does', () => {
  const { template } = twoServers();
  const model = buildAppModel([assemblyStack(unmarked(template))]);
  expect(model.servers).toEqual([]);
  // The functions are still there, to run as tools.
  expect(model.functions.size).toBe(5);
});

test('a marked function whose environment does not name its tables is an error, not a silent skip', () => {
  const { first, template } = twoServers();
  delete template.Resources[logicalId(first.function)].Properties.Environment.Variables.MCP_SESSION_TABLE;
  expect(() => buildAppModel([assemblyStack(template)])).toThrow(AppModelError);
  expect(() => buildAppModel([assemblyStack(template)])).toThrow(`TestStack/${logicalId(first.function)} is marked as an McpLambdaServer handler`);
});
