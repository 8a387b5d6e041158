/**
 * The functions a run-time registration may name: the construct's
 * `allowedToolFunctions`, passed as a comma-separated list of ARNs in
 * MCP_ADMIN_ALLOWED_FUNCTIONS. The MCP handler's role may invoke exactly these (and
 * the CDK-declared ones), so a registration naming any other function would only fail
 * at call time with AccessDenied; refusing it here says why at once.
 *
 * A registration may name an allowed function by its ARN, or by the ARN with a version
 * or alias qualifier (`...:function:orders:live`): `grantInvoke` covers both.
 *
 * With registration by tag (tagged-functions.ts), a function outside the list may also
 * be named when it carries the server's tag.
 */
import type { TaggedFunctions, TagRefusal } from './tagged-functions';

export class AllowedFunctions {
  static fromEnvironment(value: string | undefined, tagged?: TaggedFunctions): AllowedFunctions {
    return new AllowedFunctions((value ?? '').split(',').map((s) => s.trim()).filter(Boolean), tagged);
  }

  constructor(readonly arns: readonly string[], readonly tagged?: TaggedFunctions) {}

  /**
   * Why `item` may not be registered at run time, or undefined when it may: listed
   * functions first (no call to Lambda), then, with registration by tag, the function's tags.
   */
  async check(item: Record<string, unknown>): Promise<TagRefusal | undefined> {
    const listed = this.refusal(item);
    if (listed === undefined) return undefined;
    if (!this.tagged) return { status: 403, error: 'function_not_allowed', message: listed };
    return this.tagged.refusal(item.lambdaArn as string);
  }

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
