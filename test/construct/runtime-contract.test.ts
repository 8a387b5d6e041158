/**
 * The construct and the handler it deploys agree on the handler's environment: every
 * variable the construct sets is one the handler reads, and every variable the handler
 * reads is one the construct sets in some configuration (except the few no construct
 * prop sets: UNMANAGED_ENV). The names come from src/runtime-contract.ts on both sides;
 * this test catches a variable one side adds and the other never uses.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { newStack } from './server-template';
import { adminRuntimeFromEnvironment } from '../../lambda-src/admin/index';
import { loadResponseMode } from '../../lambda-src/entry/response-mode';
import { loadEventConfig } from '../../lambda-src/events/event-config';
import { loadConfig } from '../../lambda-src/model/config';
import * as api from '../../src';
import { McpAuth, McpFrontDoor, McpLambdaServer, McpLambdaServerProps, McpResponseMode, McpStreams } from '../../src';
import { ADMIN_ENV, HANDLER_ENV, UNMANAGED_ENV } from '../../src/runtime-contract';

type Env = Record<string, string>;

/** Runs `load` on `env` and returns the names it read. */
function namesRead(load: (env: NodeJS.ProcessEnv) => unknown, env: Env): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  load(recording);
  return read;
}

/** What the handler reads of its environment at start (entry/index.ts createRuntime). */
function handlerReads(env: Env): Set<string> {
  const read = new Set<string>();
  for (const load of [loadConfig, loadEventConfig, loadResponseMode]) {
    for (const name of namesRead(load, env)) read.add(name);
  }
  return read;
}

/**
 * The environment of one function, with every value CloudFormation resolves at deploy
 * (a table name, an ARN) replaced by a placeholder string, as Lambda would hand it over.
 */
function environmentOf(template: Template, hasVariable: string): Env {
  const functions = Object.values(template.findResources('AWS::Lambda::Function'))
    .filter((f) => f.Properties.Environment?.Variables?.[hasVariable] !== undefined);
  expect(functions).toHaveLength(1);
  const variables = functions[0].Properties.Environment.Variables as Record<string, unknown>;
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : `resolved-${name}`]));
}

/** Every configuration that adds variables: each prop and auth mode that sets one. */
const CONFIGURATIONS: Record<string, (stack: Stack) => McpLambdaServerProps> = {
  'defaults (iam)': () => ({}),
  'every optional handler prop': () => ({
    instructions: 'Use the echo tool.',
    allowedOrigins: ['https://app.example.com'],
    enableEvents: true,
    eventPollInterval: Duration.millis(500),
    eventRetention: Duration.hours(2),
    responseMode: McpResponseMode.BUFFERED,
    streams: McpStreams.poll(Duration.seconds(20), { pollOlderRevisions: true }),
  }),
  'none': () => ({ auth: McpAuth.none() }),
  'oauth, every option': () => ({
    auth: McpAuth.oauth({
      issuer: 'https://auth.example.com',
      audience: 'api://mcp',
      jwksUri: 'https://auth.example.com/keys',
      requiredScopes: ['mcp'],
      allowedAlgorithms: ['ES256'],
      resourceUrl: 'https://mcp.example.com/mcp',
      authorizationServerMetadataProxy: true,
    }),
  }),
  'cognito': (stack) => {
    const userPool = new cognito.UserPool(stack, 'Pool');
    return { auth: McpAuth.cognito({ userPool, userPoolClients: [userPool.addClient('Client')], requiredScopes: ['mcp/tools'] }) };
  },
  'bearer token': (stack) => ({
    auth: McpAuth.bearerToken(new secretsmanager.Secret(stack, 'Token'), { cacheTtl: Duration.seconds(30), acceptPreviousVersion: true }),
  }),
  'oauth behind a CloudFront front door': () => ({
    auth: McpAuth.oauth({ issuer: 'https://auth.example.com' }),
    frontDoor: McpFrontDoor.cloudFront(),
  }),
};

function synthesize(configure: (stack: Stack) => McpLambdaServerProps): Template {
  const stack = newStack();
  new McpLambdaServer(stack, 'Mcp', configure(stack));
  return Template.fromStack(stack);
}

const handlerEnvironments = Object.entries(CONFIGURATIONS).map(([name, configure]) => {
  return [name, environmentOf(synthesize(configure), HANDLER_ENV.sessionTable)] as const;
});

describe('the environment the construct synthesizes is the one the handler reads', () => {
  test.each(handlerEnvironments)('%s: the handler starts on it and reads every variable the construct set', (_name, env) => {
    const read = handlerReads(env);
    const unread = Object.keys(env).filter((name) => !read.has(name));
    expect(unread).toEqual([]);
  });

  test('every variable the handler can read is set by the construct in some configuration, except the unmanaged ones', () => {
    const set = new Set(handlerEnvironments.flatMap(([, env]) => Object.keys(env)));
    const read = new Set(handlerEnvironments.flatMap(([, env]) => [...handlerReads(env)]));
    const unmanaged: string[] = Object.values(UNMANAGED_ENV);
    expect([...read].filter((name) => !set.has(name) && !unmanaged.includes(name)).sort()).toEqual([]);
    expect([...set].filter((name) => !read.has(name)).sort()).toEqual([]);
    // The unmanaged ones are read, and never set by the construct.
    for (const name of unmanaged) {
      expect(read.has(name)).toBe(true);
      expect(set.has(name)).toBe(false);
    }
  });

  test('values round-trip: what the props say is what the handler loads', () => {
    const env = Object.fromEntries(handlerEnvironments)['every optional handler prop'];
    expect(loadResponseMode(env)).toBe('buffered');
    expect(loadEventConfig(env)).toEqual({ pollIntervalMs: 500, eventTtlSeconds: 7200, streamMode: 'poll', streamRetryMs: 20000, maxStreamMs: 300000, pollOlderRevisions: true });
    const config = loadConfig(env);
    expect(config).toMatchObject({ authMode: 'iam', instructions: 'Use the echo tool.', allowedOrigins: ['https://app.example.com'] });
    const oauth = loadConfig(Object.fromEntries(handlerEnvironments)['oauth, every option']).oauth;
    expect(oauth).toMatchObject({
      issuer: 'https://auth.example.com',
      audiences: ['api://mcp'],
      jwksUri: 'https://auth.example.com/keys',
      requiredScopes: ['mcp'],
      algorithms: ['ES256'],
      resourceUrl: 'https://mcp.example.com/mcp',
      authorizationServerProxy: true,
    });
    const bearer = loadConfig(Object.fromEntries(handlerEnvironments)['bearer token']).bearer;
    expect(bearer).toMatchObject({ cacheSeconds: 30, acceptPrevious: true });
  });
});

describe('the admin function', () => {
  test('reads every variable the construct sets on it', () => {
    const template = synthesize((stack) => ({
      allowedToolFunctions: [lambda.Function.fromFunctionArn(stack, 'Tool', 'arn:aws:lambda:eu-west-1:111111111111:function:tool')],
    }));
    const env = environmentOf(template, ADMIN_ENV.allowedFunctions);
    const read = namesRead(adminRuntimeFromEnvironment, env);
    expect(Object.keys(env).filter((name) => !read.has(name))).toEqual([]);
    expect(Object.keys(env).sort()).toEqual([ADMIN_ENV.allowedFunctions, ADMIN_ENV.registryTable].sort());
  });
});

test('the contract is no part of the jsii API (src/index.ts does not export it)', () => {
  expect(Object.keys(api)).not.toContain('HANDLER_ENV');
  expect(Object.keys(api)).not.toContain('METRIC');
});
