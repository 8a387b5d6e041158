/**
 * The contract between the construct (src/) and the runtime it deploys (lambda-src/,
 * bundled into assets/): the names both sides must spell alike. Both import them from
 * here, so a rename is one edit that the compiler follows; test/construct/runtime-contract.test.ts
 * checks that the environment the construct synthesizes is the one the handler reads.
 *
 * Not exported from index.ts, so no part of the jsii API. lambda-src imports this file
 * and esbuild inlines it; src/ never imports lambda-src/ (an eslint zone in .projenrc.ts
 * says so). Plain values only: whatever this file imported would be bundled into the
 * handler too.
 */

/** Environment variables of the MCP handler function that McpLambdaServer sets. */
export const HANDLER_ENV = {
  sessionTable: 'MCP_SESSION_TABLE',
  registryTable: 'MCP_REGISTRY_TABLE',
  serverName: 'MCP_SERVER_NAME',
  serverVersion: 'MCP_SERVER_VERSION',
  instructions: 'MCP_SERVER_INSTRUCTIONS',
  sessionTtlSeconds: 'MCP_SESSION_TTL_SECONDS',
  registryCacheSeconds: 'MCP_REGISTRY_CACHE_SECONDS',
  authMode: 'MCP_AUTH_MODE',
  allowedOrigins: 'MCP_ALLOWED_ORIGINS',
  toolTimeoutSeconds: 'MCP_TOOL_TIMEOUT_SECONDS',
  responseMode: 'MCP_RESPONSE_MODE',
  eventPollIntervalMs: 'MCP_EVENT_POLL_INTERVAL_MS',
  eventTtlSeconds: 'MCP_EVENT_TTL_SECONDS',
  /** How GET streams are served: off | poll | live (lambda-src/events/event-config.ts). */
  streamMode: 'MCP_STREAM_MODE',
  /** The `retry:` a polled GET stream ends with, in ms. */
  streamRetryMs: 'MCP_STREAM_RETRY_MS',
  /** `true`: poll mode polls 2025-06-18 / 2025-03-26 sessions too, from a cursor each session keeps. */
  streamPollOlderRevisions: 'MCP_STREAM_POLL_OLDER_REVISIONS',
  /** A stream's own maximum duration, in ms: on Lambda a hang-up is never seen. */
  maxStreamMs: 'MCP_STREAM_MAX_DURATION_MS',
} as const;

/**
 * Environment variables the handler reads that the construct never sets: a user sets
 * them through `functionOptions.environment`, or the local dev server does.
 */
export const UNMANAGED_ENV = {
  /** Largest request body accepted, in bytes (no prop: a tuning knob). */
  maxBodyBytes: 'MCP_MAX_BODY_BYTES',
  /** A DynamoDB endpoint override: DynamoDB Local, for local development only. */
  dynamoDbEndpoint: 'MCP_DYNAMODB_ENDPOINT',
} as const;

/** Environment variables of the OAuth modes, set by `McpAuth.oauth()` / `McpAuth.cognito()`. */
export const OAUTH_ENV = {
  issuer: 'MCP_OAUTH_ISSUER',
  audience: 'MCP_OAUTH_AUDIENCE',
  jwksUri: 'MCP_OAUTH_JWKS_URI',
  requiredScopes: 'MCP_OAUTH_REQUIRED_SCOPES',
  authorizationServers: 'MCP_OAUTH_AUTHORIZATION_SERVERS',
  algorithms: 'MCP_OAUTH_ALGORITHMS',
  /** Also set by McpLambdaServer for a front door's custom domain. */
  resourceUrl: 'MCP_OAUTH_RESOURCE_URL',
  tokenProfile: 'MCP_OAUTH_TOKEN_PROFILE',
  clientIds: 'MCP_OAUTH_CLIENT_IDS',
  authorizationServerProxy: 'MCP_OAUTH_AS_PROXY',
} as const;

/** Environment variables of the shared-token mode, set by `McpAuth.bearerToken()`. */
export const BEARER_ENV = {
  secretArn: 'MCP_BEARER_SECRET_ARN',
  cacheSeconds: 'MCP_BEARER_CACHE_SECONDS',
  acceptPrevious: 'MCP_BEARER_ACCEPT_PREVIOUS',
} as const;

/** Environment variables a front door (`McpFrontDoor.cloudFront()`) gives the handler. */
export const FRONT_DOOR_ENV = {
  originVerifySecretArn: 'MCP_ORIGIN_VERIFY_SECRET_ARN',
} as const;

/** Environment variables of the admin function. */
export const ADMIN_ENV = {
  registryTable: 'MCP_REGISTRY_TABLE',
  allowedFunctions: 'MCP_ADMIN_ALLOWED_FUNCTIONS',
  /** The tag key and value a function must carry to be registered at run time (toolFunctionTag). */
  toolTag: 'MCP_ADMIN_TOOL_TAG',
  /** The account and region such tagged functions must be in. */
  toolTagScope: 'MCP_ADMIN_TOOL_TAG_SCOPE',
  /** Local development only, as for the handler. */
  dynamoDbEndpoint: 'MCP_DYNAMODB_ENDPOINT',
} as const;

/** The values of `MCP_AUTH_MODE`; `local` is the dev server's, never deployed. */
export const AUTH_MODE = {
  iam: 'iam',
  none: 'none',
  oauth: 'oauth',
  bearer: 'bearer',
  local: 'local',
} as const;

/** JWS algorithms an OAuth config may allow: asymmetric ones only (RFC 8725 section 3.1). */
export const ASYMMETRIC_JWS_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;

/** The algorithms accepted when a config names none. */
export const DEFAULT_JWS_ALGORITHMS = ['RS256', 'ES256'] as const;

/** The CloudWatch namespace of the handler's EMF metrics. */
export const METRICS_NAMESPACE = 'McpLambdaServer';

/** The handler's metric names; the construct's alarms and dashboard name the same. */
export const METRIC = {
  /** Every HTTP request; dimensions [service] and [service, method]. */
  Requests: 'Requests',
  /** Requests answered with a 5xx status. */
  RequestErrors: 'RequestErrors',
  /** Milliseconds to status and headers. */
  RequestLatency: 'RequestLatency',
  /** Tool function invocations; dimensions [service] and [service, tool]. */
  ToolCalls: 'ToolCalls',
  /** Invocations whose outcome was not `ok` (function error, timeout, throttle, ...). */
  ToolErrors: 'ToolErrors',
  ToolLatency: 'ToolLatency',
  /** Event streams this environment holds open after the change (gauge: 1 at open, 0 at close). */
  OpenStreams: 'OpenStreams',
  StreamsOpened: 'StreamsOpened',
  StreamsClosed: 'StreamsClosed',
  /** SSE events with data written on streams; dimensions [service] and [service, method]. */
  EventsDelivered: 'EventsDelivered',
} as const;

/** Metric dimension names besides `service` (the server's name, on every metric). */
export const METRIC_DIMENSION = { service: 'service', method: 'method', tool: 'tool' } as const;

/** Partition key attribute of both tables (string). */
export const PARTITION_KEY = 'pk';
/** Sort key attribute of both tables (string). */
export const SORT_KEY = 'sk';
/**
 * The TTL attribute of the session table, in epoch seconds. DynamoDB deletes expired
 * items late (hours, even days), so every read also compares it with the clock.
 */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * The marker of an McpLambdaServer in a synthesized template: a `Metadata` entry the
 * construct writes on its handler function (`AWS::Lambda::Function`). The local
 * emulator (`mcp-lambda-server dev --app`, lambda-src/local/cdk-app/app-model.ts) finds
 * each server by it, and by nothing else; from the marked function it follows the
 * environment (`MCP_SESSION_TABLE`, `MCP_REGISTRY_TABLE`) to the server's tables.
 * CloudFormation ignores resource metadata, so the marker changes nothing deployed.
 */
export const SERVER_MARKER = {
  /** The Metadata key. */
  key: 'cdk-mcp-lambda-server:role',
  /** Its value on the handler function. */
  handler: 'handler',
} as const;
