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
}
