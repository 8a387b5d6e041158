import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FRONT_DOOR_ENV } from './runtime-contract';

/**
 * The request header CloudFront adds to every request it forwards to the Function
 * URL, holding the value of the origin-verify secret. The handler refuses requests
 * without it (lambda-src reads the same name). CloudFront overwrites a header of the
 * same name sent by a viewer, so a client cannot supply it through the distribution.
 */
const ORIGIN_VERIFY_HEADER = 'x-mcp-origin-verify';

/**
 * The request header in which the distribution's viewer-request function passes the
 * `Host` the client used (the Function URL sees its own host, as CloudFront must send
 * that one). The handler uses it, once the origin-verify header checked out, to build
 * the canonical URL it names in OAuth metadata and challenges.
 */
const FORWARDED_HOST_HEADER = 'x-mcp-forwarded-host';

/**
 * Settings of `McpFrontDoor.cloudFront()`.
 */
export interface McpCloudFrontOptions {
  /**
   * A custom domain name for the endpoint, e.g. `mcp.example.com`. Needs `certificate`.
   *
   * @default - the distribution's own `*.cloudfront.net` name
   */
  readonly domainName?: string;

  /**
   * The ACM certificate for `domainName`, in us-east-1 (CloudFront's requirement).
   * With it, viewers must use TLS 1.2 or later.
   *
   * @default - the CloudFront default certificate, only without `domainName`
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The Route 53 hosted zone of `domainName`: A and AAAA alias records are created in
   * it. Needs `domainName`.
   *
   * @default - no DNS records; point the domain at the distribution yourself
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * The ARN of an AWS WAF (v2) web ACL of scope CLOUDFRONT (created in us-east-1)
   * that inspects every request.
   *
   * @default - no web application firewall
   */
  readonly webAclId?: string;

  /**
   * The edge locations that serve the endpoint.
   *
   * @default cloudfront.PriceClass.PRICE_CLASS_ALL
   */
  readonly priceClass?: cloudfront.PriceClass;

  /**
   * Countries the endpoint is served to or refused to.
   *
   * @default - no geographic restriction
   */
  readonly geoRestriction?: cloudfront.GeoRestriction;

  /**
   * A bucket for CloudFront standard access logs (it needs ACLs enabled, with the
   * `awslogsdelivery` account granted, as CloudFront requires).
   *
   * @default - no access logs
   */
  readonly logBucket?: s3.IBucket;

  /**
   * How long CloudFront waits for the first byte of a response, and then between two
   * chunks of a streamed response, before it gives up with 504. The handler writes an
   * SSE keep-alive comment every 15 seconds on open streams. Above 60 seconds only
   * after AWS raised the account's "Response timeout per origin" quota (to at most 180).
   *
   * @default Duration.seconds(60)
   */
  readonly readTimeout?: Duration;
}

/**
 * What `McpLambdaServer` tells a front door when it binds it.
 */
export interface McpFrontDoorBindOptions {
  /** The server's name, for descriptions. */
  readonly serverName: string;
  /** The handler's Function URL: the origin. */
  readonly functionUrl: lambda.IFunctionUrl;
  /** The handler, granted what the front door needs it to read. */
  readonly handler: lambda.IFunction;
  /** The auth type of the Function URL. */
  readonly functionUrlAuthType: lambda.FunctionUrlAuthType;
  /** The server's tool timeout, to check the front door waits long enough. */
  readonly toolTimeout: Duration;
}

/**
 * What a front door gives back to `McpLambdaServer`.
 */
export interface McpFrontDoorConfig {
  /**
   * The base URL clients use, with a trailing slash (`https://mcp.example.com/`).
   */
  readonly url: string;

  /**
   * The URL of the MCP endpoint when it is known at synth (a custom domain): the
   * OAuth canonical resource URL.
   *
   * @default - only known at deploy; the handler learns the host per request
   */
  readonly canonicalEndpointUrl?: string;

  /**
   * The CloudFront distribution.
   *
   * @default - none
   */
  readonly distribution?: cloudfront.Distribution;

  /**
   * Environment variables the handler needs.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };
}

/**
 * How clients reach the MCP endpoint.
 *
 * An enum-like class (jsii has no unions): `McpFrontDoor.functionUrl()` (the
 * default) or `McpFrontDoor.cloudFront({...})`.
 */
export abstract class McpFrontDoor {
  /**
   * Clients call the Function URL itself (`https://<id>.lambda-url.<region>.on.aws/mcp`).
   */
  public static functionUrl(): McpFrontDoor {
    return new FunctionUrlFrontDoor();
  }

  /**
   * A CloudFront distribution in front of the Function URL: custom domain, AWS WAF,
   * geographic restriction, access logs, HTTP/3, and responses streamed through
   * unbuffered and uncached.
   *
   * CloudFront origin access control (OAC) is not used, because it cannot carry MCP
   * traffic: it signs the request with SigV4 in the `Authorization` header, which
   * replaces the client's OAuth or bearer token, and Lambda then needs the client to
   * send `x-amz-content-sha256` (the SHA-256 of the body) with every POST, which no
   * MCP client does. Instead CloudFront adds a secret header (`x-mcp-origin-verify`,
   * its value a generated Secrets Manager secret) and the handler refuses requests
   * without it, so the Function URL cannot be used around the distribution. Needs an
   * auth mode the handler checks itself (`McpAuth.oauth()`, `cognito()`,
   * `bearerToken()`, or `none()`); `McpAuth.iam()` is refused, as a SigV4 signature
   * for the front door's host cannot be verified by the Function URL.
   */
  public static cloudFront(options: McpCloudFrontOptions = {}): McpFrontDoor {
    return new CloudFrontFrontDoor(options);
  }

  /**
   * Subclasses are the front doors above; use the static factories.
   */
  protected constructor() {}

  /**
   * Called once by `McpLambdaServer` to build the front door.
   *
   * @param scope the McpLambdaServer
   */
  public abstract bind(scope: Construct, options: McpFrontDoorBindOptions): McpFrontDoorConfig;
}

class FunctionUrlFrontDoor extends McpFrontDoor {
  public constructor() {
    super();
  }

  public bind(_scope: Construct, options: McpFrontDoorBindOptions): McpFrontDoorConfig {
    // A Function URL ends with '/'.
    return { url: options.functionUrl.url };
  }
}

/** A CloudFront distribution in front of the Function URL, closed by the origin-verify header. */
class CloudFrontFrontDoor extends McpFrontDoor {
  public constructor(private readonly options: McpCloudFrontOptions) {
    super();
  }

  public bind(scope: Construct, bind: McpFrontDoorBindOptions): McpFrontDoorConfig {
    const o = this.options;
    if (bind.functionUrlAuthType === lambda.FunctionUrlAuthType.AWS_IAM) {
      throw new Error('McpFrontDoor.cloudFront() cannot be used with McpAuth.iam(): a SigV4 signature made for the front door\'s host does not verify at the Function URL, and CloudFront origin access control would replace the caller\'s identity with its own. '
        + 'Use McpAuth.oauth(), McpAuth.cognito() or McpAuth.bearerToken() with a front door, or call the Function URL directly with IAM');
    }
    validateDomain(o);
    const readTimeout = o.readTimeout ?? Duration.seconds(60);
    if (!readTimeout.isUnresolved()) {
      const seconds = readTimeout.toSeconds({ integral: false });
      if (!Number.isInteger(seconds) || seconds < 16 || seconds > 180) {
        throw new Error(`readTimeout is ${readTimeout.toHumanString()}: give whole seconds from 16 (more than the handler's 15-second keep-alive) to 180`);
      }
      if (seconds > 60) {
        Annotations.of(scope).addWarningV2('cdk-mcp-lambda-server:frontDoorReadTimeoutQuota',
          `readTimeout is ${seconds} seconds: CloudFront accepts more than 60 only after AWS raised the account's "Response timeout per origin" quota; without it the deployment fails`);
      }
      if (!bind.toolTimeout.isUnresolved() && bind.toolTimeout.toSeconds({ integral: false }) >= seconds) {
        Annotations.of(scope).addWarningV2('cdk-mcp-lambda-server:frontDoorReadTimeout',
          `toolTimeout (${bind.toolTimeout.toHumanString()}) is not below the front door's readTimeout (${seconds} seconds): a tools/call answered as plain JSON sends nothing until the tool returns, and CloudFront answers 504 after readTimeout. Lower toolTimeout or raise readTimeout`);
      }
    }

    const door = new Construct(scope, 'FrontDoor');

    // The shared secret between CloudFront and the handler. Letters and digits only,
    // as it travels in an HTTP header.
    const secret = new secretsmanager.Secret(door, 'OriginVerifySecret', {
      description: `Header value CloudFront sends to the Function URL of the MCP server ${bind.serverName}; the handler refuses requests without it`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    // Rotation without an outage: the handler accepts the previous value until the
    // distribution has been updated with the new one (docs/operations.md, "Front doors: custom domain and web application firewall").
    secret.grantRead(bind.handler, ['AWSCURRENT', 'AWSPREVIOUS']);
    (secret.node.defaultChild as secretsmanager.CfnSecret).addMetadata('cdk_nag', {
      rules_to_suppress: [{
        id: 'AwsSolutions-SMG4',
        reason: 'CloudFront reads the header value at deploy (a dynamic reference); rotating it is a put-secret-value followed by a distribution update, documented, as no rotation Lambda can update CloudFront and the handler together.',
      }],
    });

    // Copies the viewer's Host into a header the handler can read: CloudFront must send
    // the Function URL's own host (AllViewerExceptHostHeader), or Lambda cannot route.
    // The function overwrites any value a viewer sent.
    const viewerHost = new cloudfront.Function(door, 'ViewerHostFunction', {
      comment: `Passes the Host of the MCP server ${bind.serverName} to its handler`.slice(0, 128),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline([
        'function handler(event) {',
        '  var request = event.request;',
        `  request.headers['${FORWARDED_HOST_HEADER}'] = { value: request.headers.host.value };`,
        '  return request;',
        '}',
      ].join('\n')),
    });

    const distribution = new cloudfront.Distribution(door, 'Distribution', {
      comment: `MCP server ${bind.serverName} (cdk-mcp-lambda-server)`.slice(0, 128),
      defaultBehavior: {
        origin: new origins.FunctionUrlOrigin(bind.functionUrl, {
          readTimeout,
          customHeaders: { [ORIGIN_VERIFY_HEADER]: secret.secretValue.unsafeUnwrap() },
        }),
        // HTTPS only, not a redirect: a redirected POST loses its body in most clients.
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        // MCP uses POST, GET and DELETE, browsers OPTIONS.
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // Every MCP response is per request and per client.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        // Every header (Authorization, Mcp-Session-Id, MCP-Protocol-Version,
        // Last-Event-ID, Origin, Accept), query string and cookie, except Host: the
        // Function URL routes on its own host name.
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        // Compressing would buffer SSE streams; the handler compresses JSON itself.
        compress: false,
        functionAssociations: [{ function: viewerHost, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      domainNames: o.domainName !== undefined ? [o.domainName] : undefined,
      certificate: o.certificate,
      minimumProtocolVersion: o.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      webAclId: o.webAclId,
      priceClass: o.priceClass,
      geoRestriction: o.geoRestriction,
      enableLogging: o.logBucket !== undefined,
      logBucket: o.logBucket,
    });

    if (o.hostedZone && o.domainName !== undefined) {
      const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(distribution));
      new route53.ARecord(door, 'AliasRecord', { zone: o.hostedZone, recordName: o.domainName, target });
      new route53.AaaaRecord(door, 'AliasRecordIpv6', { zone: o.hostedZone, recordName: o.domainName, target });
    }

    const host = o.domainName ?? distribution.distributionDomainName;
    return {
      url: `https://${host}/`,
      canonicalEndpointUrl: o.domainName !== undefined ? `https://${o.domainName}/mcp` : undefined,
      distribution,
      environment: { [FRONT_DOOR_ENV.originVerifySecretArn]: secret.secretArn },
    };
  }
}

function validateDomain(o: McpCloudFrontOptions): void {
  if (o.domainName !== undefined && !o.certificate) {
    throw new Error(`domainName '${o.domainName}' needs a certificate: give an ACM certificate for it in us-east-1 (acm.Certificate in a us-east-1 stack, or acm.Certificate.fromCertificateArn)`);
  }
  if (o.certificate && o.domainName === undefined) {
    throw new Error('certificate was given without domainName: name the custom domain it is for, e.g. domainName: \'mcp.example.com\'');
  }
  if (o.hostedZone && o.domainName === undefined) {
    throw new Error('hostedZone was given without domainName: name the record to create in it, e.g. domainName: \'mcp.example.com\'');
  }
  if (o.domainName !== undefined && !Token.isUnresolved(o.domainName)
    && !/^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(o.domainName)) {
    throw new Error(`domainName '${o.domainName}' is not a domain name: give a host name without scheme or path, e.g. 'mcp.example.com'`);
  }
  if (o.certificate) {
    // An imported certificate's region is in its ARN (its env is the importing stack's);
    // a certificate made in a stack is in that stack's region.
    const arn = o.certificate.certificateArn;
    const region = Token.isUnresolved(arn) ? o.certificate.env.region : arn.split(':')[3];
    if (region !== undefined && !Token.isUnresolved(region) && region !== '' && region !== 'us-east-1') {
      throw new Error(`certificate is in ${region}: CloudFront uses certificates in us-east-1 only; create it in a us-east-1 stack (crossRegionReferences) or import one by ARN`);
    }
  }
}
