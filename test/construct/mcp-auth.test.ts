/**
 * The auth modes in the synthesized template: the Function URL's auth type, the
 * handler's environment, the secret grant (and nothing of the secret's value), synth
 * validation, and cdk-nag AwsSolutions for every mode but none().
 */
import { App, Aspects, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { newStack, serverTemplate } from './server-template';
import { McpAuth, McpLambdaServer, McpLambdaServerProps } from '../../src';

function handlerEnv(template: Template): Record<string, unknown> {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } });
  const [fn] = Object.values(fns);
  return (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
}

describe('McpAuth.iam() and none()', () => {
  test('iam: Function URL AWS_IAM, no OAuth or bearer settings', () => {
    const { template } = serverTemplate({ auth: McpAuth.iam() });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    const env = handlerEnv(template);
    expect(env.MCP_AUTH_MODE).toBe('iam');
    expect(Object.keys(env).filter((k) => k.startsWith('MCP_OAUTH_') || k.startsWith('MCP_BEARER_'))).toEqual([]);
  });

  test('none: Function URL NONE and a synth warning naming the risk', () => {
    const { stack, template } = serverTemplate({ auth: McpAuth.none() });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    expect(handlerEnv(template).MCP_AUTH_MODE).toBe('none');
    Annotations.fromStack(stack).hasWarning('/TestStack/Mcp', Match.stringLikeRegexp('McpAuth.none\\(\\).*anyone on the internet'));
  });
});

describe('McpAuth.oauth()', () => {
  test('Function URL NONE; issuer, JWKS, audience, scopes, authorization servers and algorithms in the environment', () => {
    const { template } = serverTemplate({
      auth: McpAuth.oauth({
        issuer: 'https://auth.example.com/',
        audience: 'api://orders',
        requiredScopes: ['mcp:tools', 'orders:read'],
        allowedAlgorithms: ['ES256'],
        resourceUrl: 'https://mcp.example.com/mcp',
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' });
    expect(handlerEnv(template)).toMatchObject({
      MCP_AUTH_MODE: 'oauth',
      MCP_OAUTH_ISSUER: 'https://auth.example.com/',
      MCP_OAUTH_JWKS_URI: 'https://auth.example.com/.well-known/jwks.json',
      MCP_OAUTH_AUDIENCE: 'api://orders',
      MCP_OAUTH_REQUIRED_SCOPES: 'mcp:tools orders:read',
      MCP_OAUTH_AUTHORIZATION_SERVERS: 'https://auth.example.com/',
      MCP_OAUTH_ALGORITHMS: 'ES256',
      MCP_OAUTH_RESOURCE_URL: 'https://mcp.example.com/mcp',
    });
  });

  test('defaults: no audience, scopes, algorithms or resource URL variables (the handler defaults apply)', () => {
    const { template } = serverTemplate({ auth: McpAuth.oauth({ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/keys' }) });
    const env = handlerEnv(template);
    expect(env.MCP_OAUTH_JWKS_URI).toBe('https://auth.example.com/keys');
    for (const name of ['MCP_OAUTH_AUDIENCE', 'MCP_OAUTH_REQUIRED_SCOPES', 'MCP_OAUTH_ALGORITHMS', 'MCP_OAUTH_RESOURCE_URL', 'MCP_OAUTH_TOKEN_PROFILE', 'MCP_OAUTH_AS_PROXY']) {
      expect(env[name]).toBeUndefined();
    }
  });

  test.each([
    [{ issuer: 'http://auth.example.com' }, /issuer 'http:\/\/auth.example.com' must use https/],
    [{ issuer: 'not a url' }, /issuer 'not a url' is not a URL/],
    [{ issuer: 'https://a.example', allowedAlgorithms: ['HS256'] }, /'HS256' is not accepted/],
    [{ issuer: 'https://a.example', allowedAlgorithms: ['none'] }, /'none' is not accepted/],
    [{ issuer: 'https://a.example', requiredScopes: ['two words'] }, /'two words' is not a scope/],
    [{ issuer: 'https://a.example', resourceUrl: 'https://mcp.example.com/mcp#x' }, /must not have a query or fragment/],
    [{ issuer: 'https://a.example', authorizationServers: [] }, /authorizationServers is empty/],
    [{ issuer: 'https://a.example', authorizationServers: ['https://a.example', 'https://b.example'], authorizationServerMetadataProxy: true },
      /authorizationServerMetadataProxy needs exactly one authorization server/],
  ])('%j is refused at synth', (options, message) => {
    expect(() => serverTemplate({ auth: McpAuth.oauth(options) })).toThrow(message);
  });
});

describe('McpAuth.cognito()', () => {
  test('issuer and JWKS of the pool, RS256, and the app clients bound by client_id', () => {
    const stack = newStack();
    const userPool = new cognito.UserPool(stack, 'Pool');
    const claude = userPool.addClient('Claude');
    const chatgpt = userPool.addClient('ChatGpt');
    new McpLambdaServer(stack, 'Mcp', { auth: McpAuth.cognito({ userPool, userPoolClients: [claude, chatgpt], requiredScopes: ['mcp/tools'] }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    const poolRef = { Ref: stack.getLogicalId(userPool.node.defaultChild as cognito.CfnUserPool) };
    const issuer = { 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', poolRef]] };
    expect(handlerEnv(template)).toMatchObject({
      MCP_AUTH_MODE: 'oauth',
      MCP_OAUTH_ISSUER: issuer,
      MCP_OAUTH_JWKS_URI: { 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', poolRef, '/.well-known/jwks.json']] },
      MCP_OAUTH_AUTHORIZATION_SERVERS: issuer,
      MCP_OAUTH_ALGORITHMS: 'RS256',
      MCP_OAUTH_TOKEN_PROFILE: 'cognito',
      MCP_OAUTH_CLIENT_IDS: {
        'Fn::Join': ['', [
          { Ref: stack.getLogicalId(claude.node.defaultChild as cognito.CfnUserPoolClient) }, ',',
          { Ref: stack.getLogicalId(chatgpt.node.defaultChild as cognito.CfnUserPoolClient) },
        ]],
      },
      MCP_OAUTH_REQUIRED_SCOPES: 'mcp/tools',
      // Cognito's discovery document does not advertise PKCE: served completed from our origin.
      MCP_OAUTH_AS_PROXY: 'true',
    });
  });

  test('the metadata proxy can be turned off', () => {
    const stack = newStack();
    const userPool = new cognito.UserPool(stack, 'Pool');
    new McpLambdaServer(stack, 'Mcp', {
      auth: McpAuth.cognito({ userPool, userPoolClients: [userPool.addClient('App')], authorizationServerMetadataProxy: false }),
    });
    expect(handlerEnv(Template.fromStack(stack)).MCP_OAUTH_AS_PROXY).toBeUndefined();
  });

  test('without app clients it is refused: Cognito access tokens have no aud', () => {
    const stack = newStack();
    const userPool = new cognito.UserPool(stack, 'Pool');
    expect(() => new McpLambdaServer(stack, 'Mcp', { auth: McpAuth.cognito({ userPool, userPoolClients: [] }) }))
      .toThrow(/userPoolClients is empty/);
  });
});

describe('McpAuth.bearerToken()', () => {
  /** Binds the mode as McpLambdaServer does, with the handler's role as grantee. */
  function bindBearer(secret: (stack: Stack) => secretsmanager.ISecret, options = {}) {
    const stack = newStack();
    const role = new iam.Role(stack, 'HandlerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const s = secret(stack);
    const config = McpAuth.bearerToken(s, options).bind(stack, role);
    return { stack, role, secret: s, config, template: Template.fromStack(stack) };
  }

  test('Function URL NONE; only the secret ARN in the environment; read access to AWSCURRENT only', () => {
    const { stack, secret, config, template } = bindBearer((st) => new secretsmanager.Secret(st, 'Token', {
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    }));
    expect(config.mode).toBe('bearer');
    expect(config.functionUrlAuthType).toBe(lambda.FunctionUrlAuthType.NONE);
    expect(stack.resolve(config.environment)).toEqual({
      MCP_BEARER_SECRET_ARN: { Ref: stack.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret) },
      MCP_BEARER_CACHE_SECONDS: '60',
      MCP_BEARER_ACCEPT_PREVIOUS: 'false',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: { Ref: stack.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret) },
          Condition: { 'ForAnyValue:StringEquals': { 'secretsmanager:VersionStage': ['AWSCURRENT'] } },
        })]),
      },
    });
  });

  test('acceptPreviousVersion grants AWSPREVIOUS too; cacheTtl is passed in seconds', () => {
    const { stack, config, template } = bindBearer((st) => new secretsmanager.Secret(st, 'Token'), {
      acceptPreviousVersion: true, cacheTtl: Duration.seconds(15),
    });
    expect(stack.resolve(config.environment)).toMatchObject({ MCP_BEARER_CACHE_SECONDS: '15', MCP_BEARER_ACCEPT_PREVIOUS: 'true' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Condition: { 'ForAnyValue:StringEquals': { 'secretsmanager:VersionStage': ['AWSCURRENT', 'AWSPREVIOUS'] } },
        })]),
      },
    });
  });

  test('a secret encrypted with a customer managed key: the handler may decrypt with it through Secrets Manager', () => {
    const { stack, role, template } = bindBearer((st) => new secretsmanager.Secret(st, 'Token', { encryptionKey: new kms.Key(st, 'Key') }));
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt',
          Principal: { AWS: { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] } },
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        })]),
      },
    });
  });

  test('the token value never appears in the template', () => {
    const value = 'tok_literal_value_that_must_not_leak_0123456789';
    const { template } = bindBearer((st) => new secretsmanager.Secret(st, 'Token', { secretStringValue: SecretValue.unsafePlainText(value) }));
    // The secret resource itself holds it (that is what unsafePlainText does); nothing else may.
    const resources = template.toJSON().Resources as Record<string, { Type: string }>;
    const others = Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type !== 'AWS::SecretsManager::Secret'));
    expect(JSON.stringify(others)).not.toContain(value);
  });

  test('an imported secret known by name is read by name', () => {
    const { stack, config } = bindBearer((st) => secretsmanager.Secret.fromSecretNameV2(st, 'Token', 'mcp/token'));
    expect(stack.resolve(config.environment).MCP_BEARER_SECRET_ARN).toBe('mcp/token');
  });

  test('bound without the handler it refuses, rather than deploy a handler that cannot read its secret', () => {
    const stack = newStack();
    expect(() => McpAuth.bearerToken(new secretsmanager.Secret(stack, 'Token')).bind(stack)).toThrow(/bound with the handler/);
  });

  test('on the construct: the handler role reads the secret, the URL is public, no secret value in the template', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'Token', { generateSecretString: { excludePunctuation: true } });
    const server = new McpLambdaServer(stack, 'Mcp', { auth: McpAuth.bearerToken(secret) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    expect(handlerEnv(template).MCP_AUTH_MODE).toBe('bearer');
    expect(handlerEnv(template).MCP_BEARER_SECRET_ARN).toEqual({ Ref: stack.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret) });
    const roleRef = { Ref: stack.getLogicalId(server.function.role!.node.defaultChild as iam.CfnRole) };
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [roleRef],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: { Ref: stack.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret) },
        })]),
      },
    });
    // A generated secret only: no literal value anywhere (a SecretString property would be one).
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"SecretString"\s*:/);
  });

  test('cacheTtl out of range is refused', () => {
    expect(() => bindBearer((st) => new secretsmanager.Secret(st, 'Token'), { cacheTtl: Duration.minutes(20) })).toThrow(/cacheTtl is 20 minutes/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  function nagFindings(build: (stack: Stack) => McpLambdaServerProps): string[] {
    const app = new App();
    const stack = new Stack(app, 'NagStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const server = new McpLambdaServer(stack, 'Mcp', build(stack));
    // The one finding the construct cannot avoid (see mcp-lambda-server.nag.test.ts).
    NagSuppressions.addResourceSuppressions(server.function.role!, [{
      id: 'AwsSolutions-IAM5', reason: 'X-Ray actions support no resource-level permissions.', appliesTo: ['Resource::*'],
    }], true);
    Aspects.of(app).add(new AwsSolutionsChecks());
    app.synth();
    const annotations = Annotations.fromStack(stack);
    return [
      ...annotations.findError('/NagStack/Mcp/*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...annotations.findWarning('/NagStack/Mcp/*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ].map((m) => `${m.id}: ${m.entry.data}`);
  }

  test.each([
    ['iam', () => ({ auth: McpAuth.iam() })],
    ['oauth', () => ({ auth: McpAuth.oauth({ issuer: 'https://auth.example.com', requiredScopes: ['mcp:tools'] }) })],
    ['cognito', (stack: Stack) => {
      const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_AbCdEfGhI');
      const client = cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', '1example23456789');
      return { auth: McpAuth.cognito({ userPool, userPoolClients: [client] }) };
    }],
    ['bearer', (stack: Stack) => {
      const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Token', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:mcp/token-AbCdEf');
      return { auth: McpAuth.bearerToken(secret) };
    }],
  ] as Array<[string, (stack: Stack) => McpLambdaServerProps]>)('%s: no finding on the server', (_mode, build) => {
    expect(nagFindings(build)).toEqual([]);
  });

  test('none: AwsSolutions has no rule on Function URL auth (LambdaFunctionUrlAuth is in no pack), so the construct\'s own warning reports it', () => {
    expect(nagFindings(() => ({ auth: McpAuth.none() }))).toEqual([]);
    const app = new App();
    const stack = new Stack(app, 'NagStack');
    new McpLambdaServer(stack, 'Mcp', { auth: McpAuth.none() });
    Annotations.fromStack(stack).hasWarning('/NagStack/Mcp', Match.stringLikeRegexp('cdk-mcp-lambda-server:unauthenticatedEndpoint|McpAuth.none'));
  });
});
