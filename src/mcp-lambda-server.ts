import * as path from 'node:path';
import { CfnOutput, CustomResource, Duration, Lazy, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { McpAuth, McpAuthConfig } from './mcp-auth';
import { McpFrontDoor, McpFrontDoorConfig } from './mcp-front-door';
import { McpFunctionOptions } from './mcp-function-options';
import { IMcpServerMetrics, McpMonitoring, McpMonitoringOptions } from './mcp-monitoring';
import { McpPromptOptions, McpResourceOptions, McpResourceTemplateOptions, McpToolOptions, ToolTaskSupport } from './mcp-registration';
import { McpStreams } from './mcp-streams';
import { RegistryDeclarations } from './registry-declarations';
import { ADMIN_ENV, HANDLER_ENV, METRIC, OAUTH_ENV, PARTITION_KEY, SERVER_MARKER, SORT_KEY, TTL_ATTRIBUTE } from './runtime-contract';
import { serverMetric } from './server-metrics';

/**
 * Properties of an `McpLambdaServer`. Every one is optional.
 */
export interface McpLambdaServerProps {
  /**
   * The server's name, sent to clients as `serverInfo.name`.
   *
   * @default 'mcp-lambda-server'
   */
  readonly serverName?: string;

  /**
   * The server's version, sent to clients as `serverInfo.version`.
   *
   * @default '1.0.0'
   */
  readonly serverVersion?: string;

  /**
   * Instructions for the model on how to use this server, sent to clients at
   * initialization. Lambda allows 4 KB of environment variables in all, and these
   * travel in one.
   *
   * @default - no instructions
   */
  readonly instructions?: string;

  /**
   * How long a 2025-era session (`Mcp-Session-Id`) lives without use. Each request
   * extends it. Between 1 minute and 30 days.
   *
   * @default Duration.hours(24)
   */
  readonly sessionTtl?: Duration;

  /**
   * What happens to the tables and the log group when they leave the stack.
   * The tables hold every registered tool, resource and prompt.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * A customer managed KMS key that encrypts both tables and, with `enableEvents`,
   * the new event topic.
   *
   * @default - tables are encrypted with a key DynamoDB owns; a new event topic with the AWS managed key `alias/aws/sns`
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Memory of the handler function, in MB (128 to 10240). Lambda gives CPU in
   * proportion to memory.
   *
   * @default 1024
   */
  readonly memorySize?: number;

  /**
   * Timeout of the handler function, between 1 second and 15 minutes. A streaming
   * response (an SSE stream) can stay open this long, and no longer.
   *
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;

  /**
   * Runtime of the handler function: `NODEJS_24_X` or `NODEJS_22_X`; the bundled
   * handler is built for these two.
   *
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;

  /**
   * Instruction set of the handler function. The handler is plain JavaScript, so
   * both work.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * How long the handler's logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * AWS X-Ray tracing of the handler function.
   *
   * @default lambda.Tracing.ACTIVE
   */
  readonly tracing?: lambda.Tracing;

  /**
   * Create an SNS topic whose messages the server forwards to connected clients as
   * notifications (`eventTopic`). Not together with `eventTopic`.
   *
   * @default false
   */
  readonly enableEvents?: boolean;

  /**
   * An existing SNS topic whose messages the server forwards to connected clients
   * as notifications. The handler is subscribed to it. Not together with
   * `enableEvents`.
   *
   * @default - no topic, unless `enableEvents` is true
   */
  readonly eventTopic?: sns.ITopic;

  /**
   * How clients authenticate.
   *
   * @default McpAuth.iam()
   */
  readonly auth?: McpAuth;

  /**
   * Origins (`https://app.example.com`, `http://localhost:6274`) from which browsers
   * may call the endpoint. They configure the Function URL's CORS and the handler's
   * check of the `Origin` header (MCP, Streamable HTTP: servers must validate
   * `Origin`), so `*` is not accepted. At most 100.
   *
   * @default - no CORS; browsers are refused and requests that carry an `Origin` header are rejected
   */
  readonly allowedOrigins?: string[];

  /**
   * Further settings of the handler function (VPC, reserved concurrency, extra
   * environment variables, ...).
   *
   * @default - none
   */
  readonly functionOptions?: McpFunctionOptions;

  /**
   * How long a handler instance serves its in-memory copy of the registry before it
   * reads the table again: the longest a registration takes to be seen. At least
   * 1 second, at most 1 hour.
   *
   * @default Duration.seconds(30)
   */
  readonly registryCacheTtl?: Duration;

  /**
   * How often an open event stream (a 2025-era GET stream, a 2026-07-28
   * `subscriptions/listen`) reads the event log: the delay between an event and its
   * delivery, and each open stream's DynamoDB reads (a live 2025-era stream makes two
   * strongly consistent Queries and one session read per interval). In poll mode
   * (`streams`), how long an environment reuses its read of the broadcast events for
   * the clients it serves. At least 50 ms, at most 1 minute.
   *
   * @default Duration.seconds(1)
   */
  readonly eventPollInterval?: Duration;

  /**
   * How long an event stays in the event log: the window in which a client that
   * reconnects with `Last-Event-ID` gets what it missed. At least 1 minute, at most
   * 7 days.
   *
   * @default Duration.hours(1)
   */
  readonly eventRetention?: Duration;

  /**
   * How long the server waits for a tool function before it answers with an error
   * result. At least 1 second and less than `timeout`.
   *
   * @default Duration.seconds(60)
   */
  readonly toolTimeout?: Duration;

  /**
   * Functions that run-time registrations (the admin API) may name, besides those
   * declared with `addTool` and friends. The handler's role may invoke them; the admin
   * API refuses a registration that names any other function. At most 25, as their
   * ARNs travel in one environment variable of the admin function.
   *
   * @default - none: run-time registrations may serve only static resources and prompts
   */
  readonly allowedToolFunctions?: lambda.IFunction[];

  /**
   * Registration by tag (attribute-based access control): run-time registrations (the
   * admin API) may name any Lambda function in this stack's account and region that
   * carries the tag `McpLambdaServer.TOOL_TAG_KEY` (`mcp-lambda-server`) with this
   * value, with no redeploy. The handler's role may invoke exactly the functions that
   * carry it (`lambda:InvokeFunction` on `function:*` conditioned on
   * `aws:ResourceTag/mcp-lambda-server`), and the admin API reads a function's tags
   * (`lambda:ListTags`) at registration, refusing an untagged one with the command
   * that tags it. Works beside `allowedToolFunctions` and `addTool`.
   *
   * Whoever may tag functions in the account (`lambda:TagResource`) can then choose what
   * this server runs: grant that permission as carefully as `grantRegister`.
   *
   * A value of 1 to 256 characters of letters, digits and `_ . : / = + - @`, e.g. the
   * server's name.
   *
   * @default - off: run-time registrations may name only `allowedToolFunctions`
   */
  readonly toolFunctionTag?: string;

  /**
   * CloudWatch alarms (handler errors and throttles, 5xx answers, p99 time to
   * response headers, tool errors, DynamoDB throttles and internal errors, failed
   * event notifications) and a dashboard.
   * `monitoring: {}` turns them on with the defaults. With an event topic, the
   * handler's subscription also gets a dead-letter queue.
   *
   * @default - no alarms, no dashboard, no dead-letter queue
   */
  readonly monitoring?: McpMonitoringOptions;

  /**
   * How clients reach the endpoint: the Function URL itself, or a CloudFront
   * distribution in front of it (custom domain, AWS WAF) with
   * `McpFrontDoor.cloudFront({...})`.
   *
   * @default McpFrontDoor.functionUrl()
   */
  readonly frontDoor?: McpFrontDoor;

  /**
   * Whether responses stream. `BUFFERED` is for front doors that cannot pass a
   * streamed response through: every answer arrives whole (no progress before the
   * result), and a GET returns the events recorded since `Last-Event-ID` and ends,
   * so clients poll. Responses are then limited to Lambda's 6 MB.
   *
   * @default McpResponseMode.STREAMING
   */
  readonly responseMode?: McpResponseMode;

  /**
   * How notification streams are held (a 2025-era GET stream, a 2026-07-28
   * `subscriptions/listen`): each open stream is one running, billed invocation, and
   * on Lambda a client's hang-up is never seen. `McpStreams.poll()` costs an idle
   * client about $0.0003 an hour at 1,024 MB and delivers within the interval;
   * `McpStreams.live()` delivers within a second and costs about 100 times more;
   * `McpStreams.none()` offers no stream (GET 405) and no notification capabilities.
   *
   * @default - `McpStreams.poll()` with an event topic, `McpStreams.none()` without
   */
  readonly streams?: McpStreams;
}

/**
 * How the handler sends responses.
 */
export enum McpResponseMode {
  /** A response-streaming Function URL: SSE events reach the client as they are written. */
  STREAMING = 'streaming',
  /** A buffered Function URL: each response is sent whole, at most 6 MB. */
  BUFFERED = 'buffered',
}

/** Names of the handler's environment variables (lambda-src/model/config.ts reads the same). */
const ENV = { ...HANDLER_ENV, oauthResourceUrl: OAUTH_ENV.resourceUrl } as const;

/**
 * DynamoDB actions the handler uses on its tables, and nothing else: no Scan, no
 * DescribeTable, no table management. Transactions need no action of their own:
 * IAM checks each Put/Update/Delete/ConditionCheck inside a TransactWriteItems
 * against PutItem/UpdateItem/DeleteItem/ConditionCheckItem
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

/**
 * What a caller of a table encrypted with a customer managed key needs of the key:
 * aws-cdk-lib's table grants, with the wildcards (`kms:ReEncrypt*`,
 * `kms:GenerateDataKey*`) spelled out as the actions DynamoDB uses.
 */
const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

/** Request headers an MCP client sends (MCP, Streamable HTTP transport; 2026-07-28 adds Mcp-Method/Mcp-Name). */
const CORS_ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
  'mcp-method',
  'mcp-name',
];

/** Headers a browser signing requests with SigV4 sends, needed only with IAM auth. */
const CORS_SIGV4_HEADERS = ['x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'];

/** Response headers a browser client must be able to read. */
const CORS_EXPOSED_HEADERS = ['mcp-session-id', 'mcp-protocol-version', 'www-authenticate'];

/** DynamoDB actions of the admin function's role, on the registry table only (lambda-src/store/dynamodb-registry-store.ts). */
const REGISTRY_ADMIN_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
];

/** How many allowedToolFunctions fit in the admin function's 4 KB of environment, at 140 characters an ARN. */
const MAX_ALLOWED_TOOL_FUNCTIONS = 25;

const SUPPORTED_RUNTIMES = [lambda.Runtime.NODEJS_22_X.name, lambda.Runtime.NODEJS_24_X.name];

/** Lambda's limit on the total size of a function's environment variables. */
const LAMBDA_ENVIRONMENT_BYTES = 4096;
/** What an unresolved value (a table name) is counted as: DynamoDB's longest table name. */
const UNRESOLVED_VALUE_BYTES = 255;

/**
 * A Model Context Protocol server on AWS Lambda: a streaming Function URL in front of
 * a pre-bundled handler, with sessions and a registry of tools, resources and prompts
 * in DynamoDB.
 *
 * @example
 * declare const agentRole: iam.IRole;
 *
 * const server = new McpLambdaServer(this, 'Mcp', { serverName: 'orders' });
 * server.grantInvoke(agentRole);
 */
export class McpLambdaServer extends Construct implements IMcpServerMetrics {
  /**
   * The tag key that marks a Lambda function as one a server with `toolFunctionTag` may
   * run; the tag's value names the server.
   */
  public static readonly TOOL_TAG_KEY = 'mcp-lambda-server';

  /**
   * Sessions of 2025-era clients, their event logs, broadcast events and tasks.
   * Partition key `pk`, sort key `sk` (strings); TTL attribute `expiresAt`.
   */
  public readonly sessionTable: dynamodb.Table;

  /**
   * The registered tools, resources and prompts. Partition key `pk`, sort key `sk`.
   */
  public readonly registryTable: dynamodb.Table;

  /**
   * The handler function that serves the endpoint.
   */
  public readonly function: lambda.Function;

  /**
   * The handler's log group.
   */
  public readonly logGroup: logs.LogGroup;

  /**
   * The Function URL (response streaming) in front of the handler.
   */
  public readonly functionUrl: lambda.FunctionUrl;

  /**
   * The MCP endpoint clients use: the front door's URL with the path `/mcp` (the
   * Function URL's, or the CloudFront distribution's). The Function URL itself stays
   * `functionUrl.url`; behind CloudFront the handler refuses requests that did not
   * come through the distribution.
   */
  public readonly endpointUrl: string;

  /**
   * The CloudFront distribution in front of the Function URL.
   *
   * @default - undefined unless `frontDoor` is `McpFrontDoor.cloudFront()`
   */
  public readonly distribution?: cloudfront.Distribution;

  /**
   * The alarms, the dashboard and the event dead-letter queue.
   *
   * @default - undefined unless `monitoring` is set
   */
  public readonly monitoring?: McpMonitoring;

  /**
   * The SNS topic whose messages reach connected clients: the new one with
   * `enableEvents`, or the given `eventTopic`.
   *
   * @default - undefined unless `enableEvents` or `eventTopic` is set
   */
  public readonly eventTopic?: sns.ITopic;

  /**
   * The admin function: writes the items declared with `addTool` and friends at
   * deploy (the `Custom::McpRegistry` resource), and serves the admin API. Its role
   * may read and write the registry table and nothing else.
   */
  public readonly adminFunction: lambda.Function;

  /**
   * The admin API's Function URL, always with AWS_IAM auth whatever `auth` says.
   */
  public readonly adminUrl: lambda.FunctionUrl;

  /**
   * The admin API's items collection: the admin Function URL with the path `items`.
   */
  public readonly adminEndpointUrl: string;

  /**
   * With `toolFunctionTag`: the tag value (key `McpLambdaServer.TOOL_TAG_KEY`) that lets
   * this server run a function.
   *
   * @default - registration by tag is off
   */
  public readonly toolFunctionTag?: string;

  private readonly declarations = new RegistryDeclarations();
  /** The `service` dimension of the handler's metrics. */
  private readonly metricsServiceName: string;
  /** Functions the handler's role has been allowed to invoke, so each is granted once. */
  private readonly invokable = new Set<lambda.IFunction>();
  private readonly invokableQualified = new Set<lambda.IFunction>();

  constructor(scope: Construct, id: string, props: McpLambdaServerProps = {}) {
    super(scope, id);
    // The order of the steps below is the order in which constructs and grants are
    // added, and so the order of resources and policy statements in the template.
    const settings = resolveSettings(props);
    this.metricsServiceName = settings.serverName;
    this.toolFunctionTag = props.toolFunctionTag;

    this.sessionTable = new dynamodb.Table(this, 'SessionTable', {
      ...tableProps(settings.removalPolicy, props.encryptionKey),
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    this.registryTable = new dynamodb.Table(this, 'RegistryTable', tableProps(settings.removalPolicy, props.encryptionKey));

    this.logGroup = this.createLogGroup('HandlerLogs', settings);
    const { role, auth } = this.createHandlerRole(settings);
    const environment = this.handlerEnvironment(settings, auth);
    this.function = this.createHandler(settings, role, environment);
    this.grantTableAccess(role, props.encryptionKey);
    this.functionUrl = this.createHandlerUrl(settings, auth);

    const frontDoor = this.bindFrontDoor(settings, auth, environment);
    this.distribution = frontDoor.distribution;
    // Both URLs end with '/'.
    this.endpointUrl = `${frontDoor.url}mcp`;

    this.eventTopic = this.createEventTopic(settings);
    this.monitoring = this.createMonitoring(settings);
    this.eventTopic?.addSubscription(new subscriptions.LambdaSubscription(this.function, {
      deadLetterQueue: this.monitoring?.eventDeadLetterQueue,
    }));

    new CfnOutput(this, 'EndpointUrl', {
      description: `MCP endpoint (Streamable HTTP) of ${settings.serverName}`,
      value: this.endpointUrl,
    });

    // The admin function: its own role, its own log group, only the registry table.
    const adminLogs = this.createLogGroup('AdminLogs', settings);
    const adminRole = this.createAdminRole(settings, adminLogs);
    this.adminFunction = this.createAdminHandler(settings, adminRole, adminLogs);
    this.adminUrl = new lambda.FunctionUrl(this, 'AdminUrl', {
      function: this.adminFunction,
      // Always IAM: registering a tool decides what code the server runs.
      authType: lambda.FunctionUrlAuthType.AWS_IAM,
    });
    this.adminEndpointUrl = `${this.adminUrl.url}items`;
    new CfnOutput(this, 'AdminEndpointUrl', {
      description: `Registry admin API (IAM auth) of ${settings.serverName}`,
      value: this.adminEndpointUrl,
    });

    this.createRegistryResource(adminRole);
    this.allowRuntimeRegistrations(settings, adminRole);
  }

  /** A log group of one of the construct's functions. */
  private createLogGroup(id: string, settings: ServerSettings): logs.LogGroup {
    return new logs.LogGroup(this, id, {
      retention: settings.props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: settings.removalPolicy,
    });
  }

  /**
   * The handler's role, and the auth mode bound to it. Our own role instead of the one
   * lambda.Function makes: that one carries the AWS managed AWSLambdaBasicExecutionRole,
   * which may create any log group and write to any log stream (Resource "*"). This one
   * writes to its own log group.
   */
  private createHandlerRole(settings: ServerSettings): { role: iam.Role; auth: McpAuthConfig } {
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the MCP server ${settings.serverName}`,
    });
    // Bound after the role exists: a mode may grant the handler what it needs (the
    // bearer-token mode reads its secret).
    const auth: McpAuthConfig = (settings.props.auth ?? McpAuth.iam()).bind(this, role);
    this.logGroup.grantWrite(role);
    if (settings.functionOptions.vpc) {
      // What lambda.Function attaches to the role it makes for a VPC function: ENI
      // management, whose EC2 actions support no resource-level permissions.
      role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    }
    return { role, auth };
  }

  /** The handler's environment variables: the construct's settings, the auth mode's, then the user's. */
  private handlerEnvironment(settings: ServerSettings, auth: McpAuthConfig): { [key: string]: string } {
    const { props, streams } = settings;
    const environment: { [key: string]: string } = {
      [ENV.sessionTable]: this.sessionTable.tableName,
      [ENV.registryTable]: this.registryTable.tableName,
      [ENV.serverName]: settings.serverName,
      [ENV.serverVersion]: settings.serverVersion,
      ...(props.instructions ? { [ENV.instructions]: props.instructions } : {}),
      [ENV.sessionTtlSeconds]: secondsString(settings.sessionTtl),
      [ENV.registryCacheSeconds]: secondsString(settings.registryCacheTtl),
      [ENV.authMode]: auth.mode,
      ...(settings.allowedOrigins.length > 0 ? { [ENV.allowedOrigins]: settings.allowedOrigins.join(',') } : {}),
      [ENV.toolTimeoutSeconds]: secondsString(settings.toolTimeout),
      ...(settings.buffered ? { [ENV.responseMode]: McpResponseMode.BUFFERED } : {}),
      // Set only when given: the handler's defaults (1 s, 1 h) are documented there.
      ...(props.eventPollInterval ? { [ENV.eventPollIntervalMs]: millisString(props.eventPollInterval) } : {}),
      ...(props.eventRetention ? { [ENV.eventTtlSeconds]: secondsString(props.eventRetention) } : {}),
      [ENV.streamMode]: streams.mode,
      ...(streams.interval ? { [ENV.streamRetryMs]: millisString(streams.interval) } : {}),
      ...(streams.pollOlderRevisions ? { [ENV.streamPollOlderRevisions]: 'true' } : {}),
      ...(streams.mode !== 'off' ? { [ENV.maxStreamMs]: millisString(settings.maxStream) } : {}),
    };
    Object.assign(environment, auth.environment ?? {});
    for (const [name, value] of Object.entries(settings.functionOptions.environment ?? {})) {
      if (name in environment) {
        throw new Error(`functionOptions.environment sets '${name}', which the construct sets itself: remove it and use the matching prop`);
      }
      environment[name] = value;
    }
    validateEnvironmentSize(environment);
    return environment;
  }

  private createHandler(settings: ServerSettings, role: iam.IRole, environment: { [key: string]: string }): lambda.Function {
    const { props, functionOptions } = settings;
    const handler = new lambda.Function(this, 'Handler', {
      description: functionOptions.description ?? `MCP server ${settings.serverName} (cdk-mcp-lambda-server)`,
      functionName: functionOptions.functionName,
      // Relative to this file: src/ under ts-node/ts-jest, lib/ once compiled; both
      // sit next to assets/ in the repository and in the npm package.
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'handler')),
      // A buffered Function URL calls a plain (not streamified) handler. `index` is
      // index.mjs, an ES module with chunks (scripts/bundle.mjs): the Node.js runtime
      // looks for index.js, index.mjs and index.cjs.
      handler: settings.buffered ? 'index.bufferedHandler' : 'index.handler',
      runtime: settings.runtime,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      tracing: props.tracing ?? lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role,
      environment,
      environmentEncryption: functionOptions.environmentEncryption,
      vpc: functionOptions.vpc,
      vpcSubnets: functionOptions.vpcSubnets,
      securityGroups: functionOptions.securityGroups,
      reservedConcurrentExecutions: functionOptions.reservedConcurrentExecutions,
    });
    // What the local emulator finds a server by (`mcp-lambda-server dev --app`).
    (handler.node.defaultChild as lambda.CfnFunction).addMetadata(SERVER_MARKER.key, SERVER_MARKER.handler);
    return handler;
  }

  /**
   * Least privilege: item-level data actions on the two tables, nothing on any other
   * table, no lambda:InvokeFunction until a tool is registered.
   */
  private grantTableAccess(role: iam.IRole, encryptionKey: kms.IKey | undefined): void {
    for (const table of [this.sessionTable, this.registryTable]) {
      table.grant(role, ...TABLE_ACTIONS);
    }
    this.grantTableKey(role, encryptionKey);
  }

  /** The tables' customer managed key, only through DynamoDB: the role cannot use the key to decrypt anything else. */
  private grantTableKey(role: iam.IRole, encryptionKey: kms.IKey | undefined): void {
    if (!encryptionKey) return;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: TABLE_KEY_ACTIONS,
      resources: [encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
    }));
  }

  private createHandlerUrl(settings: ServerSettings, auth: McpAuthConfig): lambda.FunctionUrl {
    return new lambda.FunctionUrl(this, 'HandlerUrl', {
      function: this.function,
      authType: auth.functionUrlAuthType,
      invokeMode: settings.buffered ? lambda.InvokeMode.BUFFERED : lambda.InvokeMode.RESPONSE_STREAM,
      cors: corsOptions(settings.allowedOrigins, auth.functionUrlAuthType),
    });
  }

  /** Puts the front door in front of the Function URL and gives the handler the environment it needs. */
  private bindFrontDoor(settings: ServerSettings, auth: McpAuthConfig, environment: { [key: string]: string }): McpFrontDoorConfig {
    const frontDoor = (settings.props.frontDoor ?? McpFrontDoor.functionUrl()).bind(this, {
      serverName: settings.serverName,
      functionUrl: this.functionUrl,
      handler: this.function,
      functionUrlAuthType: auth.functionUrlAuthType,
      toolTimeout: settings.toolTimeout,
    });
    const frontDoorEnvironment: { [key: string]: string } = { ...frontDoor.environment ?? {} };
    // OAuth behind a custom domain: tokens are issued for that URL, so it is the
    // canonical resource URL, unless the auth mode names one itself.
    if (auth.mode === 'oauth' && frontDoor.canonicalEndpointUrl && !(ENV.oauthResourceUrl in environment)) {
      frontDoorEnvironment[ENV.oauthResourceUrl] = frontDoor.canonicalEndpointUrl;
    }
    for (const [name, value] of Object.entries(frontDoorEnvironment)) {
      if (name in environment) {
        throw new Error(`functionOptions.environment sets '${name}', which the front door sets itself: remove it`);
      }
      environment[name] = value;
      this.function.addEnvironment(name, value);
    }
    validateEnvironmentSize(environment);
    return frontDoor;
  }

  /** The new topic of `enableEvents`, or the given `eventTopic`. */
  private createEventTopic(settings: ServerSettings): sns.ITopic | undefined {
    const { props } = settings;
    if (!props.enableEvents) return props.eventTopic;
    return new sns.Topic(this, 'EventTopic', {
      displayName: `Events of the MCP server ${settings.serverName}`,
      masterKey: props.encryptionKey ?? kms.Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
  }

  private createMonitoring(settings: ServerSettings): McpMonitoring | undefined {
    if (!settings.props.monitoring) return undefined;
    return new McpMonitoring(this, 'Monitoring', {
      ...settings.props.monitoring,
      serverName: settings.serverName,
      handler: this.function,
      sessionTable: this.sessionTable,
      registryTable: this.registryTable,
      eventTopic: this.eventTopic,
      metrics: this,
    });
  }

  /** The admin function's role: it writes its own log group and the registry table, nothing else. */
  private createAdminRole(settings: ServerSettings, adminLogs: logs.ILogGroup): iam.Role {
    const adminRole = new iam.Role(this, 'AdminRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the registry admin function of the MCP server ${settings.serverName}`,
    });
    adminLogs.grantWrite(adminRole);
    this.registryTable.grant(adminRole, ...REGISTRY_ADMIN_ACTIONS);
    this.grantTableKey(adminRole, settings.props.encryptionKey);
    return adminRole;
  }

  private createAdminHandler(settings: ServerSettings, adminRole: iam.IRole, adminLogs: logs.ILogGroup): lambda.Function {
    const { props, allowedToolFunctions } = settings;
    return new lambda.Function(this, 'AdminHandler', {
      description: `Registry admin of the MCP server ${settings.serverName} (cdk-mcp-lambda-server)`,
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'admin')),
      handler: 'index.handler',
      runtime: settings.runtime,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      memorySize: 256,
      // A deployment writes items one by one; hundreds take seconds, not minutes.
      timeout: Duration.minutes(5),
      logGroup: adminLogs,
      role: adminRole,
      environment: {
        [ADMIN_ENV.registryTable]: this.registryTable.tableName,
        ...(allowedToolFunctions.length > 0
          ? { [ADMIN_ENV.allowedFunctions]: Lazy.string({ produce: () => allowedToolFunctions.map((f) => f.functionArn).join(',') }) }
          : {}),
        ...(props.toolFunctionTag !== undefined
          ? {
            [ADMIN_ENV.toolTag]: `${McpLambdaServer.TOOL_TAG_KEY}=${props.toolFunctionTag}`,
            [ADMIN_ENV.toolTagScope]: this.toolFunctionScope(),
          }
          : {}),
      },
    });
  }

  /**
   * The items declared in the app, written at deploy. A JSON string, because
   * CloudFormation turns numbers and booleans inside custom resource properties into
   * strings, which would change schemas (`"minimum": "1"`).
   */
  private createRegistryResource(adminRole: iam.IRole): void {
    const registry = new CustomResource(this, 'Registry', {
      serviceToken: this.adminFunction.functionArn,
      resourceType: 'Custom::McpRegistry',
      // Without an answer (say, the function cannot start) the deploy fails after
      // this long instead of CloudFormation's default of one hour.
      serviceTimeout: Duration.minutes(10),
      properties: {
        TableName: this.registryTable.tableName,
        Items: Lazy.string({ produce: () => this.declarations.toJson(Stack.of(this)) }),
      },
    });
    // The function must be able to write before CloudFormation asks it to.
    registry.node.addDependency(adminRole);
  }

  /** What the handler may run for registrations made at run time (the admin API). */
  private allowRuntimeRegistrations(settings: ServerSettings, adminRole: iam.IRole): void {
    const { allowedToolFunctions, props } = settings;
    for (const fn of allowedToolFunctions) this.allowInvoke(fn, true);
    // A run-time registration may declare task support, so the handler may need to
    // start its own task invocations.
    if (allowedToolFunctions.length > 0) this.allowTasks();
    if (props.toolFunctionTag !== undefined) this.allowTaggedFunctions(props.toolFunctionTag, adminRole);
  }

  /**
   * Tags a function so that this server may run it once registered through the admin
   * API (`toolFunctionTag` must be set): the same as
   * `aws lambda tag-resource --resource <arn> --tags mcp-lambda-server=<value>`.
   * Only for functions defined in a CDK app (`Tags.of`); tag others with the AWS CLI.
   */
  public tagToolFunction(fn: lambda.IFunction): void {
    if (this.toolFunctionTag === undefined) {
      throw new Error('tagToolFunction needs the toolFunctionTag prop: set it to the tag value that marks functions this server may run');
    }
    Tags.of(fn).add(McpLambdaServer.TOOL_TAG_KEY, this.toolFunctionTag);
  }

  /**
   * Declares a tool served by a Lambda function. It is checked now (name, schemas,
   * uniqueness) and written to the registry at deploy; the handler's role may invoke
   * the function. Removing it from the app removes it from the registry at the next
   * deploy.
   */
  public addTool(options: McpToolOptions): void {
    this.declarations.addTool(options);
    this.allowInvoke(options.function);
    if (options.taskSupport && options.taskSupport !== ToolTaskSupport.FORBIDDEN) this.allowTasks();
  }

  /**
   * Declares a resource with a fixed URI: static `text` or `blob`, or produced by a
   * function.
   */
  public addResource(options: McpResourceOptions): void {
    this.declarations.addResource(options);
    if (options.function) this.allowInvoke(options.function);
  }

  /**
   * Declares a resource template (RFC 6570) whose resources a function produces.
   */
  public addResourceTemplate(options: McpResourceTemplateOptions): void {
    this.declarations.addResourceTemplate(options);
    this.allowInvoke(options.function);
  }

  /**
   * Declares a prompt: static messages with `{{argument}}` placeholders, or a function
   * that produces them.
   */
  public addPrompt(options: McpPromptOptions): void {
    this.declarations.addPrompt(options);
    if (options.function) this.allowInvoke(options.function);
  }

  /**
   * Allows a principal to call the MCP endpoint with IAM auth (SigV4):
   * `lambda:InvokeFunctionUrl` (for auth type AWS_IAM) and `lambda:InvokeFunction`
   * (only when invoked through the Function URL) on the handler. A caller of an IAM
   * Function URL needs both, since October 2025
   * (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
   *
   * The `lambda:InvokedViaFunctionUrl` condition keeps the grantee from invoking the
   * handler directly, where it could pose as SNS or a deployment.
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.function.grantInvokeUrl(grantee);
  }

  /**
   * Allows a principal to use the admin API (register, replace and delete tools,
   * resources and prompts at run time): `lambda:InvokeFunctionUrl` and
   * `lambda:InvokeFunction` (only through the Function URL) on the admin function,
   * and nothing else.
   */
  public grantRegister(grantee: iam.IGrantable): iam.Grant {
    return this.adminFunction.grantInvokeUrl(grantee);
  }

  /**
   * Allows a principal to publish events to the server's topic (`sns:Publish`, and the
   * topic key's `kms:Decrypt`/`kms:GenerateDataKey*` when it is encrypted with a customer
   * managed key). Each message becomes an MCP notification on open streams: message
   * attribute `method` (String, default `notifications/message`), `sessionId` (String:
   * only that session's streams; absent: every stream), `uri` (String, for
   * `notifications/resources/updated`); the body is the notification's params as JSON.
   * Throws when the server has no topic (`enableEvents` or `eventTopic`).
   */
  public grantPublishEvents(grantee: iam.IGrantable): iam.Grant {
    if (!this.eventTopic) {
      throw new Error('grantPublishEvents needs an event topic: set enableEvents: true or eventTopic');
    }
    return this.eventTopic.grantPublish(grantee);
  }

  /**
   * Any metric the handler publishes (namespace `McpLambdaServer`, dimension `service` =
   * the server's name).
   *
   * @default - statistic Sum, period 5 minutes
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return serverMetric(this.metricsServiceName, metricName, cloudwatch.Stats.SUM, props);
  }

  /** MCP requests served (POST, GET, DELETE). Default: Sum over 5 minutes. */
  public metricRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.Requests, props);
  }

  /** Requests answered with a 5xx status: server failures clients see. Default: Sum over 5 minutes. */
  public metricRequestErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.RequestErrors, props);
  }

  /** Milliseconds from a request's arrival to its response headers. Default: p99 over 5 minutes. */
  public metricRequestLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return serverMetric(this.metricsServiceName, METRIC.RequestLatency, cloudwatch.Stats.p(99), props);
  }

  /** Tool calls. Default: Sum over 5 minutes. */
  public metricToolCalls(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.ToolCalls, props);
  }

  /** Tool calls whose function failed (error, timeout or throttle; not a tool's own `isError` result). Default: Sum over 5 minutes. */
  public metricToolErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.ToolErrors, props);
  }

  /** Milliseconds a tool function took. Default: p99 over 5 minutes. */
  public metricToolLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return serverMetric(this.metricsServiceName, METRIC.ToolLatency, cloudwatch.Stats.p(99), props);
  }

  /** SSE streams opened. Default: Sum over 5 minutes. */
  public metricStreamsOpened(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.StreamsOpened, props);
  }

  /** SSE streams closed. Default: Sum over 5 minutes. */
  public metricStreamsClosed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.StreamsClosed, props);
  }

  /** External events (SNS) delivered to open streams. Default: Sum over 5 minutes. */
  public metricEventsDelivered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC.EventsDelivered, props);
  }

  /**
   * `lambda:InvokeFunction` for the handler on exactly this function (which also
   * authorizes `InvokeWithResponseStream`, how streaming tools are called). A declared item
   * names the function's unqualified ARN, so that ARN is all the handler needs; an
   * allowed function may be registered at run time with a version or alias
   * (`...:function:orders:live`), so `grantInvoke` also covers `<arn>:*` for it.
   */
  private allowInvoke(fn: lambda.IFunction, qualified = false): void {
    const key = qualified ? this.invokableQualified : this.invokable;
    if (key.has(fn)) return;
    key.add(fn);
    if (qualified) {
      fn.grantInvoke(this.function);
    } else {
      iam.Grant.addToPrincipal({ grantee: this.function, actions: ['lambda:InvokeFunction'], resourceArns: [fn.functionArn] });
    }
  }

  /** `arn:<partition>:lambda:<region>:<account>:function:`: where tagged functions may live. */
  private toolFunctionScope(): string {
    const stack = Stack.of(this);
    return `arn:${stack.partition}:lambda:${stack.region}:${stack.account}:function:`;
  }

  /**
   * Attribute-based access control: the handler may invoke any function of this account
   * and region that carries the tag (Lambda authorizes InvokeFunction on
   * `aws:ResourceTag/<key>`; `function:*` covers versions and aliases too, whose tags are
   * the function's). The admin function may read tags (ListTags) there, to refuse an
   * untagged function at registration instead of at call time.
   */
  private allowTaggedFunctions(value: string, adminRole: iam.IRole): void {
    const functions = `${this.toolFunctionScope()}*`;
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [functions],
      conditions: { StringEquals: { [`aws:ResourceTag/${McpLambdaServer.TOOL_TAG_KEY}`]: value } },
    }));
    adminRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:ListTags'], resources: [functions] }));
    // A tagged registration may declare task support.
    this.allowTasks();
  }

  /**
   * `lambda:InvokeFunction` for the handler on itself: task work runs in an
   * asynchronous invocation of the same function, never after a response (Lambda
   * freezes the environment then). In a policy of its own: a statement in the role's
   * default policy naming the function would make the function depend on itself.
   */
  private allowTasks(): void {
    if (this.node.tryFindChild('TaskInvokePolicy')) return;
    new iam.Policy(this, 'TaskInvokePolicy', {
      roles: [this.function.role!],
      statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] })],
    });
  }
}

/** The props with their defaults applied and checked, and what follows from them. */
interface ServerSettings {
  readonly props: McpLambdaServerProps;
  readonly serverName: string;
  readonly serverVersion: string;
  readonly sessionTtl: Duration;
  readonly timeout: Duration;
  readonly toolTimeout: Duration;
  readonly registryCacheTtl: Duration;
  readonly memorySize: number;
  readonly runtime: lambda.Runtime;
  readonly removalPolicy: RemovalPolicy;
  readonly allowedOrigins: string[];
  readonly functionOptions: McpFunctionOptions;
  readonly allowedToolFunctions: lambda.IFunction[];
  readonly buffered: boolean;
  readonly streams: McpStreams;
  /** A stream's own bound (`streams.maxDuration` or its default). */
  readonly maxStream: Duration;
}

/** Applies the defaults and checks every prop at synth, with an error that names the value and the fix. */
function resolveSettings(props: McpLambdaServerProps): ServerSettings {
  const serverName = props.serverName ?? 'mcp-lambda-server';
  const serverVersion = props.serverVersion ?? '1.0.0';
  const sessionTtl = props.sessionTtl ?? Duration.hours(24);
  const timeout = props.timeout ?? Duration.minutes(15);
  const toolTimeout = props.toolTimeout ?? Duration.seconds(60);
  const registryCacheTtl = props.registryCacheTtl ?? Duration.seconds(30);
  const memorySize = props.memorySize ?? 1024;
  const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;
  const allowedOrigins = props.allowedOrigins ?? [];
  const allowedToolFunctions = props.allowedToolFunctions ?? [];

  validateNonEmpty('serverName', serverName);
  validateNonEmpty('serverVersion', serverVersion);
  validateDuration('sessionTtl', sessionTtl, Duration.minutes(1), Duration.days(30));
  validateDuration('timeout', timeout, Duration.seconds(1), Duration.minutes(15));
  validateDuration('registryCacheTtl', registryCacheTtl, Duration.seconds(1), Duration.hours(1));
  if (props.eventPollInterval) validateDuration('eventPollInterval', props.eventPollInterval, Duration.millis(50), Duration.minutes(1));
  if (props.eventRetention) validateDuration('eventRetention', props.eventRetention, Duration.minutes(1), Duration.days(7));
  validateToolTimeout(toolTimeout, timeout);
  validateMemorySize(memorySize);
  validateRuntime(runtime);
  validateAllowedOrigins(allowedOrigins);
  if (allowedToolFunctions.length > MAX_ALLOWED_TOOL_FUNCTIONS) {
    throw new Error(`allowedToolFunctions has ${allowedToolFunctions.length} functions: at most ${MAX_ALLOWED_TOOL_FUNCTIONS} fit in the admin function's environment; route several tools through one function`);
  }
  if (props.toolFunctionTag !== undefined) validateToolFunctionTag(props.toolFunctionTag);
  if (props.enableEvents !== undefined && props.eventTopic) {
    throw new Error('enableEvents and eventTopic were both given: pass enableEvents: true to create a topic, or eventTopic to use an existing one, not both');
  }
  const { streams, maxStream } = resolveStreams(props, timeout);

  return {
    props,
    serverName,
    serverVersion,
    sessionTtl,
    timeout,
    toolTimeout,
    registryCacheTtl,
    memorySize,
    runtime,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    allowedOrigins,
    functionOptions: props.functionOptions ?? {},
    allowedToolFunctions,
    buffered: props.responseMode === McpResponseMode.BUFFERED,
    streams,
    maxStream,
  };
}

/** The stream mode, by default from whether there is an event topic, and a stream's own bound. */
function resolveStreams(props: McpLambdaServerProps, timeout: Duration): { streams: McpStreams; maxStream: Duration } {
  // Without an event topic nothing reaches a stream but run-time registry changes,
  // which a user asks for explicitly: no stream is offered by default.
  const hasTopic = props.enableEvents === true || props.eventTopic !== undefined;
  const streams = props.streams ?? (hasTopic ? McpStreams.poll() : McpStreams.none());
  if (hasTopic && streams.mode === 'off') {
    throw new Error('streams is McpStreams.none() but an event topic is set: its events would reach no client; use McpStreams.poll() or McpStreams.live()');
  }
  const maxStream = streams.maxDuration ?? defaultMaxStream(timeout);
  const resolved = !Token.isUnresolved(maxStream.toMilliseconds()) && !Token.isUnresolved(timeout.toMilliseconds());
  if (resolved && maxStream.toMilliseconds() >= timeout.toMilliseconds()) {
    throw new Error(`streams: maxDuration (${maxStream.toHumanString()}) must be less than the function timeout (${timeout.toHumanString()}): a stream cut by the timeout loses its clean end`);
  }
  return { streams, maxStream };
}

/** The Function URL's CORS: none without allowed origins. */
function corsOptions(allowedOrigins: string[], authType: lambda.FunctionUrlAuthType): lambda.FunctionUrlCorsOptions | undefined {
  if (allowedOrigins.length === 0) return undefined;
  return {
    allowedOrigins,
    // Function URL CORS lists the methods of actual requests; Lambda answers
    // the OPTIONS preflight itself, and OPTIONS is not a value it accepts here.
    allowedMethods: [lambda.HttpMethod.GET, lambda.HttpMethod.POST, lambda.HttpMethod.DELETE],
    allowedHeaders: authType === lambda.FunctionUrlAuthType.AWS_IAM
      ? [...CORS_ALLOWED_HEADERS, ...CORS_SIGV4_HEADERS]
      : CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    // Credentials mode is for cookies and TLS client certificates; MCP sends its
    // token in the Authorization header, which needs no credentials mode.
    allowCredentials: false,
    // Browsers cap it (Chromium at 2 hours); without it every request is preflighted.
    maxAge: Duration.hours(2),
  };
}

/**
 * `Table` (AWS::DynamoDB::Table), not `TableV2` (AWS::DynamoDB::GlobalTable): the
 * runtime's optimistic concurrency (conditional writes on a version number) holds
 * only in one region, as global tables resolve concurrent writes last-writer-wins;
 * `TableV2` with a customer managed key cannot synthesize in an environment-agnostic
 * stack; and compliance checks (cdk-nag DDB3) know `AWS::DynamoDB::Table`.
 */
function tableProps(removalPolicy: RemovalPolicy, key: kms.IKey | undefined): dynamodb.TableProps {
  return {
    partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
    sortKey: { name: SORT_KEY, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: key ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.DEFAULT,
    encryptionKey: key,
    removalPolicy,
  };
}

/** A stream's own bound by default: 5 minutes, or half a shorter function timeout. */
function defaultMaxStream(timeout: Duration): Duration {
  if (Token.isUnresolved(timeout.toMilliseconds())) return Duration.minutes(5);
  return Duration.millis(Math.min(5 * 60_000, Math.floor(timeout.toMilliseconds() / 2)));
}

/** Whole seconds as an environment value; a token stays a token. */
function secondsString(duration: Duration): string {
  const seconds = duration.toSeconds();
  return Token.isUnresolved(seconds) ? Token.asString(seconds) : String(seconds);
}

function millisString(duration: Duration): string {
  const ms = duration.toMilliseconds();
  return Token.isUnresolved(ms) ? Token.asString(ms) : String(ms);
}

function validateNonEmpty(name: string, value: string): void {
  if (!Token.isUnresolved(value) && value.trim() === '') {
    throw new Error(`${name} is empty: give a non-empty string, or leave it out for the default`);
  }
}

function validateDuration(name: string, value: Duration, min: Duration, max: Duration): void {
  if (value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  if (ms < min.toMilliseconds() || ms > max.toMilliseconds()) {
    throw new Error(`${name} is ${value.toHumanString()}: it must be between ${min.toHumanString()} and ${max.toHumanString()}`);
  }
}

function validateToolTimeout(toolTimeout: Duration, timeout: Duration): void {
  validateDuration('toolTimeout', toolTimeout, Duration.seconds(1), Duration.minutes(15));
  if (toolTimeout.isUnresolved() || timeout.isUnresolved()) return;
  if (toolTimeout.toMilliseconds() >= timeout.toMilliseconds()) {
    throw new Error(`toolTimeout (${toolTimeout.toHumanString()}) must be less than the function timeout (${timeout.toHumanString()}): lower toolTimeout or raise timeout`);
  }
}

function validateToolFunctionTag(value: string): void {
  if (Token.isUnresolved(value)) return;
  // Lambda tag values: up to 256 characters; kept to characters that need no quoting in a shell.
  if (!/^[A-Za-z0-9_.:/=+\-@]{1,256}$/.test(value)) {
    throw new Error(`toolFunctionTag '${value}' is not a usable tag value: use 1 to 256 characters of letters, digits and _ . : / = + - @, e.g. the server's name`);
  }
}

function validateMemorySize(memorySize: number): void {
  if (Token.isUnresolved(memorySize)) return;
  if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
    throw new Error(`memorySize is ${memorySize}: Lambda accepts a whole number of MB from 128 to 10240`);
  }
}

function validateRuntime(runtime: lambda.Runtime): void {
  if (!SUPPORTED_RUNTIMES.includes(runtime.name)) {
    throw new Error(`runtime ${runtime.name} is not supported: the bundled handler runs on ${SUPPORTED_RUNTIMES.join(' or ')}; use lambda.Runtime.NODEJS_24_X (the default) or lambda.Runtime.NODEJS_22_X`);
  }
}

function validateAllowedOrigins(origins: string[]): void {
  // Function URL CORS takes at most 100 origins of at most 253 characters.
  if (origins.length > 100) {
    throw new Error(`allowedOrigins has ${origins.length} entries: a Function URL accepts at most 100`);
  }
  for (const origin of origins) {
    if (Token.isUnresolved(origin)) continue;
    if (origin === '*') {
      // MCP, Streamable HTTP, "Security Warning": servers must validate Origin to
      // prevent DNS rebinding, which a wildcard would give up.
      throw new Error("allowedOrigins entry '*' is not accepted: MCP servers must validate the Origin header; list each origin, e.g. 'https://app.example.com'");
    }
    // An origin in the form browsers send it (RFC 6454): scheme://host[:port], lower
    // case, no default port, no path or trailing slash. Lambda's CORS and the
    // handler's Origin check compare it with the request's Origin header.
    const canonical = canonicalOrigin(origin);
    if (canonical !== origin || origin.length > 253) {
      const hint = canonical ? `'${canonical}'` : "e.g. 'https://app.example.com'";
      throw new Error(`allowedOrigins entry '${origin}' is not an origin: write it as scheme://host[:port] with no path or trailing slash, ${hint}`);
    }
  }
}

/** The origin of an http(s) URL as a browser serializes it, or undefined. */
function canonicalOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

function validateEnvironmentSize(environment: { [key: string]: string }): void {
  let bytes = 0;
  for (const [name, value] of Object.entries(environment)) {
    bytes += Buffer.byteLength(name) + (Token.isUnresolved(value) ? UNRESOLVED_VALUE_BYTES : Buffer.byteLength(value));
  }
  if (bytes > LAMBDA_ENVIRONMENT_BYTES) {
    throw new Error(`the handler's environment variables take about ${bytes} bytes, more than Lambda's limit of 4 KB: shorten instructions or functionOptions.environment`);
  }
}
