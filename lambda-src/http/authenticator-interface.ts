/**
 * What every auth mode implements (authenticator.ts chooses and loads the mode): the
 * principal of a request, or the response that refuses it.
 */
import type { Principal } from '../store/session-store';

export type AuthResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly response: Response };

export interface Authenticator {
  authenticate(request: Request, lambdaRequestContext: unknown): Promise<AuthResult>;
  /**
   * Answers a discovery route of this mode (`/.well-known/...`, unauthenticated by
   * definition), or undefined when `path` is not one.
   */
  serveDiscovery?(request: Request, path: string): Promise<Response | undefined>;
}
