/**
 * The handler's settings, read once per execution environment from the environment
 * variables the construct sets (src/mcp-lambda-server.ts writes the same names).
 */
export interface HandlerConfig {
  readonly sessionTable: string;
  readonly registryTable: string;
  readonly serverName: string;
  readonly serverVersion: string;
  readonly instructions?: string;
  /** Idle lifetime of a 2025-era session, in seconds. */
  readonly sessionTtlSeconds: number;
  /** How long a registry snapshot is served from memory before it is read again. */
  readonly registryCacheSeconds: number;
  /** `iam` | `none` | `oauth` | `bearer`. */
  readonly authMode: string;
  /** Origins allowed to call from a browser; empty: only requests without an Origin header. */
  readonly allowedOrigins: string[];
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Default tool timeout in seconds (a tool item may lower it). */
  readonly toolTimeoutSeconds: number;
  /** DynamoDB endpoint override (local development only). */
  readonly dynamoDbEndpoint?: string;
  /** Settings of auth mode `oauth`; required in that mode. */
  readonly oauth?: OAuthConfig;
  /** Settings of auth mode `bearer`; required in that mode. */
  readonly bearer?: BearerConfig;
  /**
   * Behind the construct's CloudFront front door: the Secrets Manager secret whose
   * value CloudFront sends in `x-mcp-origin-verify` (http/origin-verifier.ts).
   */
  readonly originVerifySecretArn?: string;
}

/**
 * The handler as an OAuth 2.1 resource server (MCP 2025-11-25 basic/authorization.mdx).
 * Written by `McpAuth.oauth()` / `McpAuth.cognito()` in src/mcp-auth.ts.
 */
export interface OAuthConfig {
  /** The `iss` every token must carry, exactly. */
  readonly issuer: string;
  /**
   * Audiences accepted besides this server's canonical URL (RFC 8707 resource
   * indicator), e.g. an API identifier an authorization server puts in `aud`.
   */
  readonly audiences: readonly string[];
  /** Where the issuer's signing keys are (a JWK Set). */
  readonly jwksUri: string;
  /** Scopes every token must hold (all of them). */
  readonly requiredScopes: readonly string[];
  /** `authorization_servers` of the Protected Resource Metadata (RFC 9728). */
  readonly authorizationServers: readonly string[];
  /** JWS algorithms accepted; never `none` or an HMAC one. */
  readonly algorithms: readonly string[];
  /** The canonical URL of the MCP endpoint when it is not the Function URL (a custom domain). */
  readonly resourceUrl?: string;
  /**
   * `cognito`: access tokens of an Amazon Cognito user pool, which carry `client_id`
   * and `token_use` instead of `aud`; `clientIds` then lists the app clients accepted.
   */
  readonly tokenProfile: 'jwt' | 'cognito';
  /** App client ids accepted in `client_id` (profile `cognito`). */
  readonly clientIds: readonly string[];
  /**
   * Advertise this server's origin as the authorization server and serve the single
   * configured authorization server's metadata from it, completed with what MCP clients
   * require and some servers leave out (authorization-server-metadata.ts).
   */
  readonly authorizationServerProxy?: boolean;
}

/** A shared bearer token kept in AWS Secrets Manager. Written by `McpAuth.bearerToken()`. */
export interface BearerConfig {
  /** ARN (or name) of the secret; its value is never in the environment. */
  readonly secretArn: string;
  /** How long a read of the secret is reused, in seconds. */
  readonly cacheSeconds: number;
  /** Also accept the `AWSPREVIOUS` version (a grace period after rotation). */
  readonly acceptPrevious: boolean;
}

/** JWS algorithms an OAuth config may allow: asymmetric ones only (RFC 8725 section 3.1). */
export const ASYMMETRIC_JWS_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;

export const DEFAULT_JWS_ALGORITHMS = ['RS256', 'ES256'] as const;

export const ENV = {
  sessionTable: 'MCP_SESSION_TABLE',
  registryTable: 'MCP_REGISTRY_TABLE',
  serverName: 'MCP_SERVER_NAME',
  serverVersion: 'MCP_SERVER_VERSION',
  instructions: 'MCP_SERVER_INSTRUCTIONS',
  sessionTtlSeconds: 'MCP_SESSION_TTL_SECONDS',
  registryCacheSeconds: 'MCP_REGISTRY_CACHE_SECONDS',
  authMode: 'MCP_AUTH_MODE',
  allowedOrigins: 'MCP_ALLOWED_ORIGINS',
  maxBodyBytes: 'MCP_MAX_BODY_BYTES',
  toolTimeoutSeconds: 'MCP_TOOL_TIMEOUT_SECONDS',
  dynamoDbEndpoint: 'MCP_DYNAMODB_ENDPOINT',
  oauthIssuer: 'MCP_OAUTH_ISSUER',
  oauthAudience: 'MCP_OAUTH_AUDIENCE',
  oauthJwksUri: 'MCP_OAUTH_JWKS_URI',
  oauthRequiredScopes: 'MCP_OAUTH_REQUIRED_SCOPES',
  oauthAuthorizationServers: 'MCP_OAUTH_AUTHORIZATION_SERVERS',
  oauthAlgorithms: 'MCP_OAUTH_ALGORITHMS',
  oauthResourceUrl: 'MCP_OAUTH_RESOURCE_URL',
  oauthTokenProfile: 'MCP_OAUTH_TOKEN_PROFILE',
  oauthClientIds: 'MCP_OAUTH_CLIENT_IDS',
  oauthAuthorizationServerProxy: 'MCP_OAUTH_AS_PROXY',
  bearerSecretArn: 'MCP_BEARER_SECRET_ARN',
  bearerCacheSeconds: 'MCP_BEARER_CACHE_SECONDS',
  bearerAcceptPrevious: 'MCP_BEARER_ACCEPT_PREVIOUS',
  originVerifySecretArn: 'MCP_ORIGIN_VERIFY_SECRET_ARN',
} as const;

/** A comma-separated list (`a,b`); empty entries dropped. */
function listFrom(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] || '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** The OAuth settings; throws naming the variable when one is missing or unsafe. */
export function loadOAuthConfig(env: NodeJS.ProcessEnv): OAuthConfig {
  const issuer = env[ENV.oauthIssuer];
  if (!issuer) throw new Error(`auth mode 'oauth' needs the environment variable ${ENV.oauthIssuer}`);
  const algorithms = listFrom(env, ENV.oauthAlgorithms);
  for (const alg of algorithms) {
    if (!(ASYMMETRIC_JWS_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new Error(`${ENV.oauthAlgorithms} lists '${alg}': only asymmetric algorithms are accepted (${ASYMMETRIC_JWS_ALGORITHMS.join(', ')})`);
    }
  }
  const profile = env[ENV.oauthTokenProfile] || 'jwt';
  if (profile !== 'jwt' && profile !== 'cognito') {
    throw new Error(`${ENV.oauthTokenProfile} must be 'jwt' or 'cognito', got '${profile}'`);
  }
  const clientIds = listFrom(env, ENV.oauthClientIds);
  if (profile === 'cognito' && clientIds.length === 0) {
    throw new Error(`${ENV.oauthTokenProfile}=cognito needs ${ENV.oauthClientIds}: Cognito access tokens name their app client in client_id, not aud`);
  }
  const servers = listFrom(env, ENV.oauthAuthorizationServers);
  const authorizationServerProxy = env[ENV.oauthAuthorizationServerProxy] === 'true';
  if (authorizationServerProxy && servers.length > 1) {
    throw new Error(`${ENV.oauthAuthorizationServerProxy}=true needs exactly one authorization server, got ${servers.length} in ${ENV.oauthAuthorizationServers}`);
  }
  return {
    issuer,
    audiences: listFrom(env, ENV.oauthAudience),
    jwksUri: env[ENV.oauthJwksUri] || `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
    requiredScopes: (env[ENV.oauthRequiredScopes] || '').split(/[\s,]+/).filter(Boolean),
    authorizationServers: servers.length > 0 ? servers : [issuer],
    algorithms: algorithms.length > 0 ? algorithms : [...DEFAULT_JWS_ALGORITHMS],
    resourceUrl: env[ENV.oauthResourceUrl] || undefined,
    tokenProfile: profile,
    clientIds,
    authorizationServerProxy,
  };
}

export function loadBearerConfig(env: NodeJS.ProcessEnv): BearerConfig {
  const secretArn = env[ENV.bearerSecretArn];
  if (!secretArn) throw new Error(`auth mode 'bearer' needs the environment variable ${ENV.bearerSecretArn}`);
  return {
    secretArn,
    cacheSeconds: intFrom(env, ENV.bearerCacheSeconds, 60),
    acceptPrevious: env[ENV.bearerAcceptPrevious] === 'true',
  };
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`environment variable ${name} must be a positive integer, got '${raw}'`);
  }
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HandlerConfig {
  const sessionTable = env[ENV.sessionTable];
  const registryTable = env[ENV.registryTable];
  if (!sessionTable || !registryTable) {
    throw new Error(`environment variables ${ENV.sessionTable} and ${ENV.registryTable} are required`);
  }
  const authMode = env[ENV.authMode] || 'iam';
  return {
    sessionTable,
    registryTable,
    serverName: env[ENV.serverName] || 'mcp-lambda-server',
    serverVersion: env[ENV.serverVersion] || '1.0.0',
    instructions: env[ENV.instructions] || undefined,
    sessionTtlSeconds: intFrom(env, ENV.sessionTtlSeconds, 24 * 3600),
    registryCacheSeconds: intFrom(env, ENV.registryCacheSeconds, 30),
    authMode,
    allowedOrigins: (env[ENV.allowedOrigins] || '').split(',').map((s) => s.trim()).filter(Boolean),
    maxBodyBytes: intFrom(env, ENV.maxBodyBytes, 4 * 1024 * 1024),
    toolTimeoutSeconds: intFrom(env, ENV.toolTimeoutSeconds, 60),
    dynamoDbEndpoint: env[ENV.dynamoDbEndpoint] || undefined,
    oauth: authMode === 'oauth' ? loadOAuthConfig(env) : undefined,
    bearer: authMode === 'bearer' ? loadBearerConfig(env) : undefined,
    originVerifySecretArn: env[ENV.originVerifySecretArn] || undefined,
  };
}
