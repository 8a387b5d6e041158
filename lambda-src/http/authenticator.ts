/**
 * Who is calling. The http layer establishes the principal of every request before the
 * protocol layer sees it; the principal owns the sessions it creates and reaches tool
 * functions as `context.principal`. Tokens and keys never go into a principal.
 *
 * Modes (config.authMode, set by the construct's `auth` prop):
 * - `iam`: the Function URL's AWS_IAM auth has verified the SigV4 signature before the
 *   function runs; the caller's identity is in `requestContext.authorizer.iam`.
 * - `none`: every caller is the same anonymous principal.
 * - `local`: the dev server; every caller is `{ kind: 'local', id: 'local' }`.
 * - `oauth`: an OAuth 2.1 resource server checking JWT access tokens (oauth-authenticator.ts).
 * - `bearer`: one shared token kept in AWS Secrets Manager (shared-token-authenticator.ts).
 * A mode whose settings are missing fails closed (500, and the reason in the log).
 */
import type { AuthResult, Authenticator } from './authenticator-interface';
import { JsonRpcCode, jsonRpcErrorResponse } from './json-rpc-error';
import { AUTH_MODE } from '../../src/runtime-contract';
import type { BearerConfig, OAuthConfig } from '../model/config';
import { loadOnce } from '../model/load-once';
import type { Principal } from '../store/session-store';

// The interface lives in its own file so that the modes this file loads import it, not this file.
export type { AuthResult, Authenticator } from './authenticator-interface';

/** What the modes with settings need (a HandlerConfig has it all). */
export interface AuthenticatorSettings {
  readonly oauth?: OAuthConfig;
  readonly bearer?: BearerConfig;
  readonly serverName?: string;
}

export const ANONYMOUS_PRINCIPAL: Principal = { kind: 'none', id: 'anonymous' };
export const LOCAL_PRINCIPAL: Principal = { kind: 'local', id: 'local' };

/** The IAM identity of a Function URL request with AWS_IAM auth, or undefined. */
export function iamPrincipal(lambdaRequestContext: unknown): Principal | undefined {
  const iam = (lambdaRequestContext as { authorizer?: { iam?: Record<string, unknown> } } | undefined)?.authorizer?.iam;
  if (!iam || typeof iam !== 'object') return undefined;
  const text = (key: string): string | undefined => {
    const v = iam[key];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const id = text('userArn') ?? text('callerId');
  if (!id) return undefined;
  const claims: Record<string, unknown> = {};
  // accessKey is deliberately left out: it identifies a credential, not a principal.
  for (const key of ['accountId', 'callerId', 'userId', 'principalOrgId']) {
    const v = text(key);
    if (v !== undefined) claims[key] = v;
  }
  return { kind: 'iam', id, claims };
}

class FixedAuthenticator implements Authenticator {
  constructor(private readonly principal: Principal) {}
  async authenticate(): Promise<AuthResult> {
    return { ok: true, principal: this.principal };
  }
}

class IamAuthenticator implements Authenticator {
  async authenticate(_request: Request, lambdaRequestContext: unknown): Promise<AuthResult> {
    const principal = iamPrincipal(lambdaRequestContext);
    if (principal) return { ok: true, principal };
    // With AWS_IAM on the Function URL, AWS refuses unsigned requests before we run;
    // reaching here means the URL is not IAM-protected: fail closed.
    return {
      ok: false,
      response: jsonRpcErrorResponse(401, JsonRpcCode.ServerError,
        'this MCP server requires AWS IAM (SigV4) authentication and the request carried no IAM identity'),
    };
  }
}

class UnavailableAuthenticator implements Authenticator {
  constructor(private readonly reason: string) {}
  async authenticate(): Promise<AuthResult> {
    return {
      ok: false,
      response: jsonRpcErrorResponse(500, JsonRpcCode.InternalError, `server misconfiguration: ${this.reason}`),
    };
  }
}

/**
 * An authenticator whose code is loaded on its first request. A failed load is not
 * kept: the next request tries again.
 */
class DeferredAuthenticator implements Authenticator {
  private readonly inner: () => Promise<Authenticator>;

  constructor(load: () => Promise<Authenticator>) {
    this.inner = loadOnce(load);
  }

  async authenticate(request: Request, lambdaRequestContext: unknown): Promise<AuthResult> {
    return (await this.inner()).authenticate(request, lambdaRequestContext);
  }

  async serveDiscovery(request: Request, path: string): Promise<Response | undefined> {
    const inner = await this.inner();
    return inner.serveDiscovery ? inner.serveDiscovery(request, path) : undefined;
  }
}

export function createAuthenticator(mode: string, settings: AuthenticatorSettings = {}): Authenticator {
  switch (mode) {
    case AUTH_MODE.iam: return new IamAuthenticator();
    case AUTH_MODE.none: return new FixedAuthenticator(ANONYMOUS_PRINCIPAL);
    case AUTH_MODE.local: return new FixedAuthenticator(LOCAL_PRINCIPAL);
    case AUTH_MODE.oauth: {
      const oauth = settings.oauth;
      if (!oauth) return new UnavailableAuthenticator("auth mode 'oauth' has no OAuth settings");
      // Loaded only in this mode, by dynamic import: the bundle keeps jose in a chunk
      // that other modes never parse (scripts/bundle.mjs).
      return new DeferredAuthenticator(async () => {
        const { OAuthAuthenticator } = await import('./oauth-authenticator.js');
        return new OAuthAuthenticator({ config: oauth, resourceName: settings.serverName });
      });
    }
    case AUTH_MODE.bearer: {
      const bearer = settings.bearer;
      if (!bearer) return new UnavailableAuthenticator("auth mode 'bearer' has no secret");
      // Loaded only in this mode, like jose above: the Secrets Manager client costs
      // cold-start time that the other modes need not pay.
      return new DeferredAuthenticator(async () => {
        const [{ SecretsManagerTokenSource }, { SharedTokenAuthenticator }] = await Promise.all([
          import('./secrets-manager-token-source.js'), import('./shared-token-authenticator.js'),
        ]);
        const { secretArn, cacheSeconds, acceptPrevious } = bearer;
        return new SharedTokenAuthenticator(new SecretsManagerTokenSource({ secretId: secretArn, cacheSeconds, acceptPrevious }));
      });
    }
    default: return new UnavailableAuthenticator(`auth mode '${mode}' is not available in this handler`);
  }
}
