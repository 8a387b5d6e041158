/**
 * The model layer: domain types every other layer may use, importing nothing above them
 * (.projenrc.ts, "lambda-src's layers").
 */

/** Who made a request, as the http layer established it. Tokens never appear here. */
export interface Principal {
  /** `iam`, `oauth`, `bearer`, `none` or `local`. */
  readonly kind: string;
  /** A stable identifier: an IAM ARN, a JWT `sub`, ... */
  readonly id: string;
  /** Extra non-secret claims a tool may use (e.g. scopes, account). */
  readonly claims?: Record<string, unknown>;
  /**
   * The identity sessions, tasks and sealed request state bind to: namespaced by kind,
   * by what the id is (an OAuth `sub` or a `client_id`) and by issuer, so that no two
   * principals of different kinds or issuers ever compare equal (an `id` alone does not:
   * a client-credentials token's `client_id` may equal a user's `sub`). Read it through
   * principalKey(), which derives one for records written before it existed.
   */
  readonly key?: string;
}

/** Escapes a part of a principal key so that it cannot hold the separator. */
function keyPart(value: string): string {
  return value.replace(/%/g, '%25').replace(/:/g, '%3A');
}

/**
 * A principal key from its namespace: the kind, what the id is, the issuer, ... then
 * the id. Every part but the last is escaped, so the parts always split back the same
 * way; the id stays as it is (an ARN reads as an ARN).
 */
export function namespacedPrincipalKey(kind: string, ...parts: string[]): string {
  const all = [kind, ...parts];
  return [...all.slice(0, -1).map(keyPart), all[all.length - 1]].join(':');
}

/**
 * The key a principal binds to: the one its authenticator set, or `<kind>:<id>` for the
 * fixed principals (`iam`, `bearer`, `none`, `local`: one id namespace each). An OAuth
 * record stored before keys existed gets `oauth:unkeyed:<id>`, which no token maps to
 * (theirs always name `sub` or `client` and the issuer), so such a session is no longer
 * usable by anyone, rather than by a principal that spells the same id in another claim.
 */
export function principalKey(principal: Principal): string {
  if (principal.key !== undefined) return principal.key;
  return principal.kind === 'oauth'
    ? namespacedPrincipalKey('oauth', 'unkeyed', principal.id)
    : namespacedPrincipalKey(principal.kind, principal.id);
}

/** Whether two principals are the same (both absent counts as the same). */
export function samePrincipal(a: Principal | undefined, b: Principal | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return principalKey(a) === principalKey(b);
}
