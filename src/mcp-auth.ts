import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ASYMMETRIC_JWS_ALGORITHMS, AUTH_MODE, BEARER_ENV, OAUTH_ENV } from './runtime-contract';

/**
 * What an auth mode asks of the construct: the Function URL's auth type and what the
 * runtime handler is told about it.
 */
export interface McpAuthConfig {
  /**
   * The value of the handler's `MCP_AUTH_MODE` environment variable
   * (`iam`, `oauth`, `bearer` or `none`).
   */
  readonly mode: string;

  /**
   * The auth type of the Function URL in front of the handler.
   */
  readonly functionUrlAuthType: lambda.FunctionUrlAuthType;

  /**
   * Extra environment variables the handler needs for this mode (for example the
   * issuer of an OAuth mode). Names must not collide with the construct's own.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };
}

/** Asymmetric JWS algorithms the handler can verify (RFC 8725 3.1: never `none`, never HMAC with public keys). */
const ASYMMETRIC_ALGORITHMS: readonly string[] = ASYMMETRIC_JWS_ALGORITHMS;

/**
 * Settings of `McpAuth.oauth()`: the MCP endpoint as an OAuth 2.1 resource server that
 * accepts JWT access tokens of one issuer.
 */
export interface McpOAuthOptions {
  /**
   * The issuer of the access tokens, exactly as in their `iss` claim
   * (`https://auth.example.com/`, `https://example.okta.com/oauth2/default`).
   */
  readonly issuer: string;

  /**
   * An audience accepted in `aud` besides the server's canonical URL (the RFC 8707
   * resource indicator `https://<function-url-host>/mcp`, or `resourceUrl`). Use it when
   * the authorization server does not support resource indicators and puts a fixed API
   * identifier in `aud` (Auth0: the API identifier; Entra ID: the application ID URI).
   *
   * @default - only the canonical URL
   */
  readonly audience?: string;

  /**
   * Where the issuer publishes its signing keys (a JWK Set).
   *
   * @default `${issuer}/.well-known/jwks.json`
   */
  readonly jwksUri?: string;

  /**
   * Scopes every access token must hold. They are announced in the Protected
   * Resource Metadata (`scopes_supported`) and in the `scope` of every 401 challenge,
   * so clients ask for them; a token without one gets 403 `insufficient_scope`.
   *
   * @default - no scope is required
   */
  readonly requiredScopes?: string[];

  /**
   * The authorization servers named in the Protected Resource Metadata
   * (`authorization_servers`), where clients get tokens.
   *
   * @default - [issuer]
   */
  readonly authorizationServers?: string[];

  /**
   * JWS algorithms accepted. Asymmetric ones only: `none` and the HMAC algorithms
   * (HS256 ...) are refused at synth.
   *
   * @default ['RS256', 'ES256']
   */
  readonly allowedAlgorithms?: string[];

  /**
   * The canonical URL of the MCP endpoint when clients reach it through another
   * domain than the Function URL (a CloudFront distribution with a custom domain),
   * e.g. `https://mcp.example.com/mcp`. Tokens must be issued for it, and the metadata
   * names it.
   *
   * @default - `https://<host of the request>/mcp`, the Function URL
   */
  readonly resourceUrl?: string;

  /**
   * Name this server's own origin as the authorization server in the Protected
   * Resource Metadata, and serve the issuer's metadata from it
   * (`/.well-known/oauth-authorization-server`) with `issuer` set to that origin and
   * `code_challenge_methods_supported: ["S256"]` added when the issuer leaves it out.
   * MCP clients must refuse an authorization server that does not advertise PKCE, and
   * some (Amazon Cognito, Microsoft Entra ID) support it without saying so. Endpoints
   * and token issuer stay the issuer's. Needs a single authorization server.
   *
   * @default false
   */
  readonly authorizationServerMetadataProxy?: boolean;
}

/**
 * Settings of `McpAuth.cognito()`: access tokens of an Amazon Cognito user pool.
 */
export interface McpCognitoAuthOptions {
  /** The user pool that issues the access tokens. */
  readonly userPool: cognito.IUserPool;

  /**
   * The app clients whose access tokens are accepted. Cognito access tokens carry no
   * `aud` claim; they name their app client in `client_id`, and that is what binds a
   * token to this server (an ID token, whose `aud` is the app client, is refused).
   * Give each MCP client (Claude, ChatGPT, ...) its own app client.
   */
  readonly userPoolClients: cognito.IUserPoolClient[];

  /**
   * Scopes every access token must hold, e.g. a resource server scope
   * `mcp-server/tools`.
   *
   * @default - no scope is required
   */
  readonly requiredScopes?: string[];

  /**
   * The canonical URL of the MCP endpoint behind a custom domain.
   *
   * @default - `https://<host of the request>/mcp`, the Function URL
   */
  readonly resourceUrl?: string;

  /**
   * Serve the user pool's metadata from this server's origin, completed with
   * `code_challenge_methods_supported: ["S256"]`, which Cognito's OpenID Connect
   * discovery document leaves out although Cognito supports PKCE; MCP clients such as
   * Claude refuse an authorization server without it. See
   * `McpOAuthOptions.authorizationServerMetadataProxy`.
   *
   * @default true
   */
  readonly authorizationServerMetadataProxy?: boolean;
}

/**
 * Settings of `McpAuth.bearerToken()`.
 */
export interface McpBearerTokenOptions {
  /**
   * How long a handler instance reuses its read of the secret. A rotated token is
   * accepted at once (a token that matches nothing makes the handler read the secret
   * again, at most every 5 seconds); the old token stops working within this time.
   * Between 1 second and 15 minutes.
   *
   * @default Duration.seconds(60)
   */
  readonly cacheTtl?: Duration;

  /**
   * Also accept the secret's `AWSPREVIOUS` version: a grace period after a rotation in
   * which clients holding the old token keep working, until the next rotation. Leave it
   * off if you rotate because a token leaked. `AWSPENDING` (a rotation in progress) is
   * never accepted.
   *
   * @default false
   */
  readonly acceptPreviousVersion?: boolean;
}

/**
 * How clients authenticate to the MCP endpoint.
 *
 * An enum-like class (jsii has no unions): pick a mode with a static factory,
 * `McpAuth.iam()`, `McpAuth.oauth({...})`, `McpAuth.cognito({...})`,
 * `McpAuth.bearerToken(secret)` or `McpAuth.none()`.
 */
export abstract class McpAuth {
  /**
   * AWS IAM (SigV4) on the Function URL: Lambda rejects unsigned requests and
   * requests from principals without `lambda:InvokeFunctionUrl` and
   * `lambda:InvokeFunction` before the handler runs. Grant callers with
   * `McpLambdaServer.grantInvoke()`.
   */
  public static iam(): McpAuth {
    return new IamAuth();
  }

  /**
   * No authentication: anyone on the internet who knows the URL can call every tool.
   * For demos and for servers that only expose public data. Synthesis emits a warning.
   */
  public static none(): McpAuth {
    return new NoAuth();
  }

  /**
   * An OAuth 2.1 resource server (MCP authorization spec): the Function URL is open
   * (auth type NONE) and the handler accepts only JWT access tokens of `issuer`, checked
   * against the issuer's published keys, with the server's canonical URL (or `audience`)
   * in `aud`, unexpired, and holding `requiredScopes`. It serves the OAuth Protected
   * Resource Metadata (RFC 9728) that tells clients such as Claude and ChatGPT where to
   * get a token.
   */
  public static oauth(options: McpOAuthOptions): McpAuth {
    return new OAuthAuth(options);
  }

  /**
   * `McpAuth.oauth()` for an Amazon Cognito user pool: issuer
   * `https://cognito-idp.<region>.amazonaws.com/<pool id>`, keys at
   * `<issuer>/.well-known/jwks.json`, and access tokens bound to this server by their
   * `client_id` (Cognito access tokens have no `aud`).
   */
  public static cognito(options: McpCognitoAuthOptions): McpAuth {
    return new CognitoAuth(options);
  }

  /**
   * One shared token, kept in AWS Secrets Manager (never in an environment variable:
   * only the secret's ARN is). Clients send `Authorization: Bearer <token>`. The handler
   * may read only the secret's `AWSCURRENT` (and, with `acceptPreviousVersion`,
   * `AWSPREVIOUS`) version; rotation needs no redeployment.
   *
   * The secret's value is the token itself, or a JSON object with a `token` field.
   */
  public static bearerToken(secret: secretsmanager.ISecret, options: McpBearerTokenOptions = {}): McpAuth {
    return new BearerTokenAuth(secret, options);
  }

  /**
   * Subclasses are the modes above; use the static factories.
   */
  protected constructor() {}

  /**
   * Called once by `McpLambdaServer` to configure the endpoint.
   *
   * @param scope the McpLambdaServer the mode is used by
   * @param handler the identity of the handler function, granted what the mode needs
   * (read access to the bearer token's secret)
   */
  public abstract bind(scope: Construct, handler?: iam.IGrantable): McpAuthConfig;
}

class IamAuth extends McpAuth {
  public constructor() {
    super();
  }

  public bind(_scope: Construct): McpAuthConfig {
    return { mode: AUTH_MODE.iam, functionUrlAuthType: lambda.FunctionUrlAuthType.AWS_IAM };
  }
}

class NoAuth extends McpAuth {
  public constructor() {
    super();
  }

  public bind(scope: Construct): McpAuthConfig {
    Annotations.of(scope).addWarningV2(
      'cdk-mcp-lambda-server:unauthenticatedEndpoint',
      'McpAuth.none(): the MCP endpoint accepts requests from anyone on the internet, and every registered tool can be called without credentials. '
      + 'Use McpAuth.iam() (the default) unless the server exposes only public data.',
    );
    return { mode: AUTH_MODE.none, functionUrlAuthType: lambda.FunctionUrlAuthType.NONE };
  }
}

class OAuthAuth extends McpAuth {
  public constructor(private readonly options: McpOAuthOptions) {
    super();
  }

  public bind(_scope: Construct): McpAuthConfig {
    const o = this.options;
    validateUrl('issuer', o.issuer);
    if (o.jwksUri !== undefined) validateUrl('jwksUri', o.jwksUri);
    if (o.resourceUrl !== undefined) validateResourceUrl(o.resourceUrl);
    for (const server of o.authorizationServers ?? []) validateUrl('authorizationServers entry', server);
    if (o.authorizationServers !== undefined && o.authorizationServers.length === 0) {
      throw new Error('authorizationServers is empty: name at least one authorization server (MCP clients need one), or leave it out for [issuer]');
    }
    if (o.audience !== undefined && !Token.isUnresolved(o.audience) && (o.audience.trim() === '' || o.audience.includes(','))) {
      throw new Error(`audience '${o.audience}' is not valid: give one non-empty value without commas`);
    }
    const scopes = validateScopes(o.requiredScopes ?? []);
    const algorithms = validateAlgorithms(o.allowedAlgorithms);
    const environment: { [key: string]: string } = {
      [OAUTH_ENV.issuer]: o.issuer,
      [OAUTH_ENV.jwksUri]: o.jwksUri ?? `${stripTrailingSlash(o.issuer)}/.well-known/jwks.json`,
      [OAUTH_ENV.authorizationServers]: (o.authorizationServers ?? [o.issuer]).join(','),
    };
    if (o.audience !== undefined) environment[OAUTH_ENV.audience] = o.audience;
    if (scopes.length > 0) environment[OAUTH_ENV.requiredScopes] = scopes.join(' ');
    if (algorithms) environment[OAUTH_ENV.algorithms] = algorithms.join(',');
    if (o.resourceUrl !== undefined) environment[OAUTH_ENV.resourceUrl] = o.resourceUrl;
    if (o.authorizationServerMetadataProxy) {
      if ((o.authorizationServers ?? [o.issuer]).length !== 1) {
        throw new Error('authorizationServerMetadataProxy needs exactly one authorization server: leave authorizationServers out or give one');
      }
      environment[OAUTH_ENV.authorizationServerProxy] = 'true';
    }
    return { mode: AUTH_MODE.oauth, functionUrlAuthType: lambda.FunctionUrlAuthType.NONE, environment };
  }
}

class CognitoAuth extends McpAuth {
  public constructor(private readonly options: McpCognitoAuthOptions) {
    super();
  }

  public bind(scope: Construct): McpAuthConfig {
    const o = this.options;
    if (o.userPoolClients.length === 0) {
      throw new Error('userPoolClients is empty: Cognito access tokens are bound to an app client (client_id), so name the app clients whose tokens this server accepts');
    }
    if (o.resourceUrl !== undefined) validateResourceUrl(o.resourceUrl);
    const scopes = validateScopes(o.requiredScopes ?? []);
    const region = Token.isUnresolved(o.userPool.env.region) ? Stack.of(scope).region : o.userPool.env.region;
    const issuer = `https://cognito-idp.${region}.${Stack.of(scope).urlSuffix}/${o.userPool.userPoolId}`;
    const environment: { [key: string]: string } = {
      [OAUTH_ENV.issuer]: issuer,
      [OAUTH_ENV.jwksUri]: `${issuer}/.well-known/jwks.json`,
      [OAUTH_ENV.authorizationServers]: issuer,
      // Cognito signs with RS256 only.
      [OAUTH_ENV.algorithms]: 'RS256',
      [OAUTH_ENV.tokenProfile]: 'cognito',
      [OAUTH_ENV.clientIds]: o.userPoolClients.map((c) => c.userPoolClientId).join(','),
    };
    if (scopes.length > 0) environment[OAUTH_ENV.requiredScopes] = scopes.join(' ');
    if (o.resourceUrl !== undefined) environment[OAUTH_ENV.resourceUrl] = o.resourceUrl;
    if (o.authorizationServerMetadataProxy ?? true) environment[OAUTH_ENV.authorizationServerProxy] = 'true';
    return { mode: AUTH_MODE.oauth, functionUrlAuthType: lambda.FunctionUrlAuthType.NONE, environment };
  }
}

class BearerTokenAuth extends McpAuth {
  public constructor(private readonly secret: secretsmanager.ISecret, private readonly options: McpBearerTokenOptions) {
    super();
  }

  public bind(_scope: Construct, handler?: iam.IGrantable): McpAuthConfig {
    if (!handler) {
      throw new Error('McpAuth.bearerToken() must be bound with the handler function, which it grants read access to the secret');
    }
    const cacheTtl = this.options.cacheTtl ?? Duration.seconds(60);
    if (!cacheTtl.isUnresolved()) {
      const ms = cacheTtl.toMilliseconds();
      if (ms < 1000 || ms > 15 * 60_000) {
        throw new Error(`cacheTtl is ${cacheTtl.toHumanString()}: it must be between 1 second and 15 minutes`);
      }
    }
    const acceptPrevious = this.options.acceptPreviousVersion ?? false;
    // Only the versions the handler accepts: never AWSPENDING (lambda-src/http/secrets-manager-token-source.ts).
    // grantRead also grants kms:Decrypt on the secret's key, when it has one.
    this.secret.grantRead(handler, acceptPrevious ? ['AWSCURRENT', 'AWSPREVIOUS'] : ['AWSCURRENT']);
    const seconds = cacheTtl.toSeconds();
    return {
      mode: AUTH_MODE.bearer,
      functionUrlAuthType: lambda.FunctionUrlAuthType.NONE,
      environment: {
        // The full ARN when known; an imported secret known by name only is read by name.
        [BEARER_ENV.secretArn]: this.secret.secretFullArn ?? this.secret.secretName,
        [BEARER_ENV.cacheSeconds]: Token.isUnresolved(seconds) ? Token.asString(seconds) : String(seconds),
        [BEARER_ENV.acceptPrevious]: String(acceptPrevious),
      },
    };
  }
}

function stripTrailingSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

/** An https URL (http only for loopback, for local testing). */
function validateUrl(name: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} '${value}' is not a URL: give an https URL such as 'https://auth.example.com'`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`${name} '${value}' must use https (OAuth 2.1 section 1.5): use 'https://${url.host}${url.pathname === '/' ? '' : url.pathname}'`);
  }
}

/** MCP "Canonical Server URI": absolute https, no fragment. */
function validateResourceUrl(value: string): void {
  validateUrl('resourceUrl', value);
  if (!Token.isUnresolved(value) && (value.includes('#') || value.includes('?'))) {
    throw new Error(`resourceUrl '${value}' must not have a query or fragment: use e.g. 'https://mcp.example.com/mcp'`);
  }
}

function validateScopes(scopes: string[]): string[] {
  for (const scope of scopes) {
    if (Token.isUnresolved(scope)) continue;
    // RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope)) {
      throw new Error(`requiredScopes entry '${scope}' is not a scope: one token of visible characters without spaces, quotes or backslashes`);
    }
  }
  return scopes;
}

function validateAlgorithms(algorithms: string[] | undefined): string[] | undefined {
  if (algorithms === undefined) return undefined;
  if (algorithms.length === 0) throw new Error("allowedAlgorithms is empty: list at least one, e.g. ['RS256'], or leave it out for RS256 and ES256");
  for (const alg of algorithms) {
    if (!ASYMMETRIC_ALGORITHMS.includes(alg)) {
      throw new Error(`allowedAlgorithms entry '${alg}' is not accepted: only asymmetric algorithms (${ASYMMETRIC_ALGORITHMS.join(', ')}); 'none' and HMAC (HS256 ...) would let anyone who knows the public key forge tokens`);
    }
  }
  return algorithms;
}
