/**
 * Registration by tag: with the construct's `toolFunctionTag`, a run-time registration may
 * name any function, in the server's own account and region, that carries the tag
 * `<key>=<value>` (key `mcp-lambda-server`, value the server's id). The handler's role may
 * invoke exactly those functions (`lambda:InvokeFunction` conditioned on
 * `aws:ResourceTag/<key>`), so tagging a function is all an owner does to let the server
 * run it: no redeploy. This check reads the function's tags at registration (Lambda
 * ListTags) so that an untagged function is refused at once, saying what to run, rather
 * than failing later at call time with AccessDenied.
 *
 * The construct passes the tag and the ARN prefix of its account and region in
 * MCP_ADMIN_TOOL_TAG (`key=value`) and MCP_ADMIN_TOOL_TAG_SCOPE
 * (`arn:<partition>:lambda:<region>:<account>:function:`).
 */
import { LambdaClient, ListTagsCommand, type LambdaClientConfig } from '@aws-sdk/client-lambda';

/** Reads a function's tags; rejects with the SDK's error (name ResourceNotFoundException, AccessDeniedException...). */
export type TagReader = (functionArn: string) => Promise<Record<string, string>>;

export interface TaggedFunctionsOptions {
  readonly key: string;
  readonly value: string;
  /** `arn:<partition>:lambda:<region>:<account>:function:`: the functions the role's condition covers. */
  readonly scope: string;
  readonly readTags: TagReader;
}

/** A refusal: the HTTP status and the message the admin API answers with. */
export interface TagRefusal {
  readonly status: number;
  readonly error: string;
  readonly message: string;
}

/** Function names: letters, digits, hyphens, underscores; at most 64 (Lambda's CreateFunction). */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A version (digits or $LATEST) or an alias. */
const QUALIFIER = /^(\$LATEST|[0-9]+|[A-Za-z0-9_-]{1,128})$/;

export class TaggedFunctions {
  /** From the admin function's environment; undefined when registration by tag is off. */
  static fromEnvironment(tag: string | undefined, scope: string | undefined, clientConfig: LambdaClientConfig = {}): TaggedFunctions | undefined {
    if (!tag || !scope) return undefined;
    const eq = tag.indexOf('=');
    if (eq <= 0) throw new Error(`MCP_ADMIN_TOOL_TAG must be key=value, got '${tag}'`);
    return new TaggedFunctions({ key: tag.slice(0, eq), value: tag.slice(eq + 1), scope, readTags: lambdaTagReader(clientConfig) });
  }

  constructor(readonly options: TaggedFunctionsOptions) {}

  /** Why the function behind `arn` may not be registered, or undefined when it carries the tag. */
  async refusal(arn: string): Promise<TagRefusal | undefined> {
    const { key, value, scope } = this.options;
    const tagHint = `tag it with \`aws lambda tag-resource --resource ${scope}<name> --tags ${key}=${value}\``;
    if (!arn.startsWith(scope)) {
      return {
        status: 403,
        error: 'function_not_allowed',
        message: `lambdaArn '${arn}' is outside this server's account and region (${scope}*): the server may run tagged functions only there; ${tagHint}`,
      };
    }
    const [name, qualifier, ...rest] = arn.slice(scope.length).split(':');
    if (!FUNCTION_NAME.test(name) || (qualifier !== undefined && !QUALIFIER.test(qualifier)) || rest.length > 0) {
      return { status: 422, error: 'invalid_item', message: `lambdaArn '${arn}' is not a Lambda function ARN (${scope}<name>[:<version or alias>])` };
    }
    // Tags belong to the function, not to its versions or aliases: ListTags takes the unqualified ARN.
    const unqualified = `${scope}${name}`;
    let tags: Record<string, string>;
    try {
      tags = await this.options.readTags(unqualified);
    } catch (err) {
      const e = err as { name?: string; message?: string };
      if (e.name === 'ResourceNotFoundException') {
        return { status: 422, error: 'function_not_found', message: `lambdaArn '${arn}': no function ${unqualified} exists; create it, then tag it (${key}=${value})` };
      }
      if (e.name === 'AccessDeniedException') {
        return { status: 403, error: 'function_not_allowed', message: `lambdaArn '${arn}': the admin function may not read its tags (${e.message}); it needs lambda:ListTags on ${scope}*` };
      }
      throw new Error(`reading the tags of ${unqualified} failed: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
    }
    if (tags[key] === value) return undefined;
    const has = tags[key] === undefined ? 'has no tag ' + key : `has ${key}=${tags[key]}, another server's`;
    return {
      status: 403,
      error: 'function_not_allowed',
      message: `lambdaArn '${arn}': function ${name} ${has}; to let this server run it, ` +
        `\`aws lambda tag-resource --resource ${unqualified} --tags ${key}=${value}\` and register again`,
    };
  }
}

function lambdaTagReader(clientConfig: LambdaClientConfig): TagReader {
  // Named imports, not the whole client: the bundle keeps only ListTags of Lambda's API.
  let client: LambdaClient | undefined;
  return async (arn) => {
    client ??= new LambdaClient({ ...clientConfig });
    return (await client.send(new ListTagsCommand({ Resource: arn }))).Tags ?? {};
  };
}
