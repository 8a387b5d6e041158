import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { newStack } from './server-template';
import { McpAuth, McpCloudFrontOptions, McpFrontDoor, McpLambdaServer, McpLambdaServerProps } from '../../src';
import { awsSolutionsFindings, nagStack } from '../support/cdk-nag-findings';

/** CloudFront's managed policies (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html). */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/0b7c1e36-0000-4000-8000-000000000000';

function logicalId(construct: Construct): string {
  return Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
}

function bearerServer(stack: Stack, frontDoor?: McpFrontDoor, props: McpLambdaServerProps = {}): McpLambdaServer {
  const token = new secretsmanager.Secret(stack, 'Token');
  return new McpLambdaServer(stack, 'Mcp', { auth: McpAuth.bearerToken(token), frontDoor, ...props });
}

function cloudFrontServer(options: McpCloudFrontOptions = {}, props: McpLambdaServerProps = {}) {
  const stack = newStack();
  const server = bearerServer(stack, McpFrontDoor.cloudFront(options), props);
  return { stack, server, template: Template.fromStack(stack) };
}

function distributionConfig(template: Template): any {
  const distributions = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  expect(distributions).toHaveLength(1);
  return distributions[0].Properties.DistributionConfig;
}

function handlerEnvironment(template: Template): Record<string, unknown> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function'))
    .filter((f) => f.Properties.Environment?.Variables?.MCP_SESSION_TABLE !== undefined);
  expect(functions).toHaveLength(1);
  return functions[0].Properties.Environment.Variables;
}

function secretOf(server: McpLambdaServer): secretsmanager.Secret {
  return server.node.findChild('FrontDoor').node.findChild('OriginVerifySecret') as secretsmanager.Secret;
}

describe('no front door (the default)', () => {
  test('clients call the Function URL; nothing of CloudFront is made, and McpFrontDoor.functionUrl() is the same template', () => {
    const implicit = newStack();
    const server = bearerServer(implicit);
    const template = Template.fromStack(implicit);
    expect(server.distribution).toBeUndefined();
    expect(implicit.resolve(server.endpointUrl)).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(server.functionUrl), 'FunctionUrl'] }, 'mcp']] });
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('AWS::CloudFront::Function', 0);
    expect(handlerEnvironment(template).MCP_ORIGIN_VERIFY_SECRET_ARN).toBeUndefined();

    const explicit = newStack();
    bearerServer(explicit, McpFrontDoor.functionUrl());
    expect(Template.fromStack(explicit).toJSON()).toEqual(template.toJSON());
  });
});

describe('McpFrontDoor.cloudFront() with defaults', () => {
  const { stack, server, template } = cloudFrontServer();

  test('a distribution whose one origin is the Function URL, over HTTPS with TLS 1.2, waiting 60 seconds for each chunk', () => {
    expect(server.distribution).toBe(server.node.findChild('FrontDoor').node.findChild('Distribution'));
    const config = distributionConfig(template);
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0]).toMatchObject({
      DomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [logicalId(server.functionUrl), 'FunctionUrl'] }] }] },
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'], OriginReadTimeout: 60 },
    });
    expect(config.Origins[0].OriginAccessControlId).toBeUndefined();
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 0);
    expect(config).toMatchObject({ Enabled: true, HttpVersion: 'http2and3', IPV6Enabled: true });
    expect(config.Comment).toBe('MCP server mcp-lambda-server (cdk-mcp-lambda-server)');
  });

  test('the behaviour passes every method and header but Host, caches nothing, compresses nothing, and refuses plain HTTP', () => {
    const behavior = distributionConfig(template).DefaultCacheBehavior;
    expect(behavior).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      Compress: false,
      ViewerProtocolPolicy: 'https-only',
    });
  });

  test('CloudFront sends the origin-verify secret in x-mcp-origin-verify, read at deploy, never written into the template', () => {
    const secret = secretOf(server);
    expect(distributionConfig(template).Origins[0].OriginCustomHeaders).toEqual([{
      HeaderName: 'x-mcp-origin-verify',
      HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: logicalId(secret) }, ':SecretString:::}}']] },
    }]);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
    });
  });

  test('the handler is told the secret\'s ARN and may read its current and previous value, nothing more', () => {
    const secret = secretOf(server);
    expect(handlerEnvironment(template).MCP_ORIGIN_VERIFY_SECRET_ARN).toEqual({ Ref: logicalId(secret) });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(server.function.role!) }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: { Ref: logicalId(secret) },
          Condition: { 'ForAnyValue:StringEquals': { 'secretsmanager:VersionStage': ['AWSCURRENT', 'AWSPREVIOUS'] } },
        }]),
      },
    });
  });

  test('the Function URL keeps the auth type of the auth mode, streaming responses', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(server.function), 'Arn'] },
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
    });
  });

  test('endpointUrl and the EndpointUrl output are the distribution\'s; functionUrl stays the direct URL', () => {
    const expected = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(server.distribution!), 'DomainName'] }, '/mcp']] };
    expect(stack.resolve(server.endpointUrl)).toEqual(expected);
    template.hasOutput('*', { Value: expected, Description: Match.stringLikeRegexp('^MCP endpoint') });
    expect(stack.resolve(server.functionUrl.url)).toEqual({ 'Fn::GetAtt': [logicalId(server.functionUrl), 'FunctionUrl'] });
  });

  describe('the viewer-request function', () => {
    const fn = () => Object.values(template.findResources('AWS::CloudFront::Function'))[0];

    test('runs on cloudfront-js-2.0 at viewer request', () => {
      template.resourceCountIs('AWS::CloudFront::Function', 1);
      expect(fn().Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
      expect(distributionConfig(template).DefaultCacheBehavior.FunctionAssociations).toEqual([{
        EventType: 'viewer-request',
        FunctionARN: { 'Fn::GetAtt': [logicalId(server.node.findChild('FrontDoor').node.findChild('ViewerHostFunction')), 'FunctionARN'] },
      }]);
    });

    // The function's own code, run on the event shape CloudFront Functions pass
    // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html).
    function run(headers: Record<string, { value: string }>): any {
      const handler = new Function(`${fn().Properties.FunctionCode}\nreturn handler;`)();
      return handler({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '192.0.2.1' }, request: { method: 'POST', uri: '/mcp', querystring: {}, headers, cookies: {} } });
    }

    test('copies the Host the client used into x-mcp-forwarded-host and keeps every other header', () => {
      const request = run({ host: { value: 'mcp.example.com' }, authorization: { value: 'Bearer t' } });
      expect(request.headers).toEqual({
        'host': { value: 'mcp.example.com' },
        'authorization': { value: 'Bearer t' },
        'x-mcp-forwarded-host': { value: 'mcp.example.com' },
      });
      expect(request.uri).toBe('/mcp');
    });

    test('overwrites an x-mcp-forwarded-host a client sent', () => {
      const request = run({ 'host': { value: 'd111.cloudfront.net' }, 'x-mcp-forwarded-host': { value: 'evil.example' } });
      expect(request.headers['x-mcp-forwarded-host']).toEqual({ value: 'd111.cloudfront.net' });
    });
  });

  test('makes no DNS record, no logging, no WAF and no geographic restriction unless asked', () => {
    const config = distributionConfig(template);
    expect(config.WebACLId).toBeUndefined();
    expect(config.Logging).toBeUndefined();
    expect(config.Restrictions).toBeUndefined();
    expect(config.Aliases).toBeUndefined();
    expect(config.ViewerCertificate).toBeUndefined();
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  test('warns that a tool may run as long as CloudFront waits (toolTimeout 60 s, readTimeout 60 s)', () => {
    Annotations.fromStack(stack).hasWarning('/TestStack/Mcp', Match.stringLikeRegexp('toolTimeout \\(1 minute\\) is not below the front door\'s readTimeout \\(60 seconds\\)'));
  });
});

describe('McpFrontDoor.cloudFront() options', () => {
  test('a custom domain: alias, SNI certificate with TLS 1.2 minimum, A and AAAA alias records, and endpointUrl on the domain', () => {
    const stack = newStack();
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN);
    const server = bearerServer(stack, McpFrontDoor.cloudFront({ domainName: 'mcp.example.com', certificate, hostedZone: zone }));
    const template = Template.fromStack(stack);
    const config = distributionConfig(template);
    expect(config.Aliases).toEqual(['mcp.example.com']);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: CERTIFICATE_ARN,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'mcp.example.com.',
        Type: type,
        HostedZoneId: 'Z0123456789ABC',
        // CloudFront's alias zone (Z2FDTNDATAQYW2), looked up per partition by CloudFrontTarget.
        AliasTarget: { DNSName: { 'Fn::GetAtt': [logicalId(server.distribution!), 'DomainName'] }, HostedZoneId: { 'Fn::FindInMap': Match.anyValue() } },
      });
    }
    expect(server.endpointUrl).toBe('https://mcp.example.com/mcp');
  });

  test('a web ACL, geographic restriction, price class, access logs and a longer read timeout are passed through', () => {
    const stack = newStack();
    const logBucket = s3.Bucket.fromBucketAttributes(stack, 'Logs', { bucketName: 'cf-logs', region: 'eu-west-1' });
    const webAclId = 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/mcp/a1b2c3d4-0000-4000-8000-000000000000';
    bearerServer(stack, McpFrontDoor.cloudFront({
      webAclId,
      geoRestriction: cloudfront.GeoRestriction.allowlist('DE', 'FR'),
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      logBucket,
      readTimeout: Duration.seconds(120),
    }), { toolTimeout: Duration.seconds(90) });
    const template = Template.fromStack(stack);
    const config = distributionConfig(template);
    expect(config.WebACLId).toBe(webAclId);
    expect(config.Restrictions).toEqual({ GeoRestriction: { Locations: ['DE', 'FR'], RestrictionType: 'whitelist' } });
    expect(config.PriceClass).toBe('PriceClass_100');
    expect(config.Logging).toMatchObject({ Bucket: 'cf-logs.s3.eu-west-1.amazonaws.com' });
    expect(config.Origins[0].CustomOriginConfig.OriginReadTimeout).toBe(120);
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Mcp', Match.anyValue()).map((m) => String(m.entry.data));
    expect(warnings).toEqual([expect.stringMatching(/readTimeout is 120 seconds: CloudFront accepts more than 60 only after AWS raised the account's "Response timeout per origin" quota/)]);
  });

  test('no timeout warning when tools time out before CloudFront gives up', () => {
    const stack = newStack();
    bearerServer(stack, McpFrontDoor.cloudFront(), { toolTimeout: Duration.seconds(50) });
    expect(Annotations.fromStack(stack).findWarning('/TestStack/Mcp', Match.anyValue())).toEqual([]);
  });

  test('with OAuth behind a custom domain the handler names that domain as the canonical resource URL', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN);
    new McpLambdaServer(stack, 'Mcp', {
      auth: McpAuth.oauth({ issuer: 'https://auth.example.com' }),
      frontDoor: McpFrontDoor.cloudFront({ domainName: 'mcp.example.com', certificate }),
    });
    expect(handlerEnvironment(Template.fromStack(stack)).MCP_OAUTH_RESOURCE_URL).toBe('https://mcp.example.com/mcp');
  });

  test('an OAuth resourceUrl given by the user wins over the front door\'s', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN);
    new McpLambdaServer(stack, 'Mcp', {
      auth: McpAuth.oauth({ issuer: 'https://auth.example.com', resourceUrl: 'https://api.example.com/mcp' }),
      frontDoor: McpFrontDoor.cloudFront({ domainName: 'mcp.example.com', certificate }),
    });
    expect(handlerEnvironment(Template.fromStack(stack)).MCP_OAUTH_RESOURCE_URL).toBe('https://api.example.com/mcp');
  });

  test('with OAuth on the distribution\'s own name the handler learns the host per request (no resource URL at synth)', () => {
    const stack = newStack();
    new McpLambdaServer(stack, 'Mcp', { auth: McpAuth.oauth({ issuer: 'https://auth.example.com' }), frontDoor: McpFrontDoor.cloudFront() });
    const environment = handlerEnvironment(Template.fromStack(stack));
    expect(environment.MCP_OAUTH_RESOURCE_URL).toBeUndefined();
    expect(environment.MCP_ORIGIN_VERIFY_SECRET_ARN).toBeDefined();
  });

  test('McpAuth.none() behind CloudFront works: the origin-verify header keeps the Function URL closed', () => {
    const stack = newStack();
    new McpLambdaServer(stack, 'Mcp', { auth: McpAuth.none(), frontDoor: McpFrontDoor.cloudFront() });
    expect(handlerEnvironment(Template.fromStack(stack)).MCP_ORIGIN_VERIFY_SECRET_ARN).toBeDefined();
  });
});

describe('McpFrontDoor.cloudFront() refuses', () => {
  test('IAM auth (the default auth), naming the modes that work', () => {
    expect(() => new McpLambdaServer(newStack(), 'Mcp', { frontDoor: McpFrontDoor.cloudFront() }))
      .toThrow(/McpFrontDoor.cloudFront\(\) cannot be used with McpAuth.iam\(\).*Use McpAuth.oauth\(\), McpAuth.cognito\(\) or McpAuth.bearerToken\(\)/);
    expect(() => new McpLambdaServer(newStack(), 'Mcp', { auth: McpAuth.iam(), frontDoor: McpFrontDoor.cloudFront() })).toThrow(/McpAuth.iam/);
  });

  test.each<[string, (stack: Stack) => McpCloudFrontOptions, RegExp]>([
    ['a domain without a certificate', () => ({ domainName: 'mcp.example.com' }), /domainName 'mcp.example.com' needs a certificate/],
    ['a certificate without a domain', (s) => ({ certificate: acm.Certificate.fromCertificateArn(s, 'C', CERTIFICATE_ARN) }), /certificate was given without domainName/],
    ['a hosted zone without a domain', (s) => ({ hostedZone: route53.HostedZone.fromHostedZoneAttributes(s, 'Z', { hostedZoneId: 'Z1', zoneName: 'example.com' }) }), /hostedZone was given without domainName/],
    ['a URL as domain name', (s) => ({ domainName: 'https://mcp.example.com', certificate: acm.Certificate.fromCertificateArn(s, 'C', CERTIFICATE_ARN) }), /domainName 'https:\/\/mcp.example.com' is not a domain name/],
    ['a certificate outside us-east-1', (s) => ({ domainName: 'mcp.example.com', certificate: acm.Certificate.fromCertificateArn(s, 'C', 'arn:aws:acm:eu-west-1:111111111111:certificate/x') }), /certificate is in eu-west-1: CloudFront uses certificates in us-east-1 only/],
    ['a read timeout at or below the 15-second keep-alive', () => ({ readTimeout: Duration.seconds(15) }), /readTimeout is 15 seconds: give whole seconds from 16/],
    ['a read timeout over 180 seconds', () => ({ readTimeout: Duration.seconds(181) }), /readTimeout is 3 minutes 1 second/],
  ])('%s', (_name, options, message) => {
    const stack = newStack();
    expect(() => bearerServer(stack, McpFrontDoor.cloudFront(options(stack)))).toThrow(message);
  });

  test('functionOptions.environment setting the front door\'s variable', () => {
    expect(() => cloudFrontServer({}, { functionOptions: { environment: { MCP_ORIGIN_VERIFY_SECRET_ARN: 'x' } } }))
      .toThrow(/functionOptions.environment sets 'MCP_ORIGIN_VERIFY_SECRET_ARN', which the front door sets itself/);
  });
});

describe('cdk-nag AwsSolutions with a CloudFront front door', () => {
  function nagFindings(options: (stack: Stack) => McpCloudFrontOptions): string[] {
    const stack = nagStack();
    const token = new secretsmanager.Secret(stack, 'Token');
    NagSuppressions.addResourceSuppressions(token, [{ id: 'AwsSolutions-SMG4', reason: 'the test\'s bearer token; rotation is the user\'s' }]);
    const server = new McpLambdaServer(stack, 'Mcp', {
      auth: McpAuth.bearerToken(token),
      frontDoor: McpFrontDoor.cloudFront(options(stack)),
      toolTimeout: Duration.seconds(50),
    });
    NagSuppressions.addResourceSuppressions(server.function.role!, [{
      id: 'AwsSolutions-IAM5',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
      appliesTo: ['Resource::*'],
    }], true);
    return awsSolutionsFindings(stack).map((m) => String(m.entry.data).split(':')[0]).sort();
  }

  test('with a domain, certificate, WAF, geographic restriction and access logs: no finding', () => {
    expect(nagFindings((stack) => ({
      domainName: 'mcp.example.com',
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN),
      webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/mcp/a1b2c3d4-0000-4000-8000-000000000000',
      geoRestriction: cloudfront.GeoRestriction.denylist('KP'),
      logBucket: s3.Bucket.fromBucketAttributes(stack, 'Logs', { bucketName: 'cf-logs', region: 'eu-west-1' }),
    }))).toEqual([]);
  });

  test('with defaults the findings are exactly the choices left to the user: geo restriction, WAF, access logs, and TLS of the default certificate', () => {
    expect(nagFindings(() => ({}))).toEqual([
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR3',
      'AwsSolutions-CFR4',
    ]);
  });
});
