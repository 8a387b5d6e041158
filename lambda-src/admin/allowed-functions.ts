/**
 * The functions a run-time registration may name: the construct's
 * `allowedToolFunctions`, passed as a comma-separated list of ARNs in
 * MCP_ADMIN_ALLOWED_FUNCTIONS. The MCP handler's role may invoke exactly these (and
 * the CDK-declared ones), so a registration naming any other function would only fail
 * at call time with AccessDenied; refusing it here says why at once.
 *
 * A registration may name an allowed function by its ARN, or by the ARN with a version
 * or alias qualifier (`...:function:orders:live`): `grantInvoke` covers both.
 */

export class AllowedFunctions {
  static fromEnvironment(value: string | undefined): AllowedFunctions {
    return new AllowedFunctions((value ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  }

  constructor(readonly arns: readonly string[]) {}

  /** Why `item` may not be registered at run time, or undefined when it may. */
  refusal(item: Record<string, unknown>): string | undefined {
    const arn = item.lambdaArn;
    if (arn === undefined) return undefined; // static content runs nothing
    if (typeof arn !== 'string') return undefined; // validation reports it
    if (this.arns.some((allowed) => arn === allowed || (arn.startsWith(`${allowed}:`) && !arn.slice(allowed.length + 1).includes(':')))) {
      return undefined;
    }
    const hint = this.arns.length === 0
      ? 'no function is allowed: add it to the construct\'s allowedToolFunctions and deploy'
      : `allowed: ${this.arns.join(', ')}; add it to the construct's allowedToolFunctions and deploy`;
    return `lambdaArn '${arn}' is not one of the functions run-time registrations may name (${hint})`;
  }
}
