/**
 * The handler's settings, read once per execution environment from the environment
 * variables the construct sets (both take the names from src/runtime-contract.ts).
 */
import {
  ASYMMETRIC_JWS_ALGORITHMS, BEARER_ENV, DEFAULT_JWS_ALGORITHMS, FRONT_DOOR_ENV, HANDLER_ENV, OAUTH_ENV, UNMANAGED_ENV,
} from '../../src/runtime-contract';

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

export { ASYMMETRIC_JWS_ALGORITHMS, DEFAULT_JWS_ALGORITHMS };

/** The names this file reads, from the contract with the construct. */
export const ENV = {
  sessionTable: HANDLER_ENV.sessionTable,
  registryTable: HANDLER_ENV.registryTable,
  serverName: HANDLER_ENV.serverName,
  serverVersion: HANDLER_ENV.serverVersion,
  instructions: HANDLER_ENV.instructions,
  sessionTtlSeconds: HANDLER_ENV.sessionTtlSeconds,
  registryCacheSeconds: HANDLER_ENV.registryCacheSeconds,
  authMode: HANDLER_ENV.authMode,
  allowedOrigins: HANDLER_ENV.allowedOrigins,
  maxBodyBytes: UNMANAGED_ENV.maxBodyBytes,
  toolTimeoutSeconds: HANDLER_ENV.toolTimeoutSeconds,
  dynamoDbEndpoint: UNMANAGED_ENV.dynamoDbEndpoint,
  oauthIssuer: OAUTH_ENV.issuer,
  oauthAudience: OAUTH_ENV.audience,
  oauthJwksUri: OAUTH_ENV.jwksUri,
  oauthRequiredScopes: OAUTH_ENV.requiredScopes,
  oauthAuthorizationServers: OAUTH_ENV.authorizationServers,
  oauthAlgorithms: OAUTH_ENV.algorithms,
  oauthResourceUrl: OAUTH_ENV.resourceUrl,
  oauthTokenProfile: OAUTH_ENV.tokenProfile,
  oauthClientIds: OAUTH_ENV.clientIds,
  oauthAuthorizationServerProxy: OAUTH_ENV.authorizationServerProxy,
  bearerSecretArn: BEARER_ENV.secretArn,
  bearerCacheSeconds: BEARER_ENV.cacheSeconds,
  bearerAcceptPrevious: BEARER_ENV.acceptPrevious,
  originVerifySecretArn: FRONT_DOOR_ENV.originVerifySecretArn,
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
