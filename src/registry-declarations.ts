import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  McpIcon, McpPromptMessage, McpPromptOptions, McpResourceOptions, McpResourceTemplateOptions, McpToolOptions, ToolContract, ToolTaskSupport,
} from './mcp-registration';

/**
 * The registry items a CDK app declares with `addTool` and friends, as the JSON the
 * registry stores (lambda-src/model/registry-item.ts), checked as they are added.
 * test/construct/registry-item-shape.test.ts checks that the fields written here are
 * the runtime type's.
 *
 * Checks run the runtime's own validation, through the pre-built admin bundle
 * (assets/admin/index.js, which exports `validateRegistryItems`): one set of rules
 * for synth, deploy and the admin API, and no ajv in the construct library's
 * dependencies. A single bad item throws at once, from the `addXxx` call that made it,
 * so the stack trace points at the user's line; duplicates are caught the same way,
 * as each item is added, rather than later in `node.addValidation`.
 */

/**
 * The most the items may take as JSON in the template. The custom resource's request
 * carries them, and on Update both the old and the new list: 2 x 256 KB stays within
 * Lambda's 1 MB limit for the asynchronous invocation CloudFormation makes and within
 * CloudFormation's 1 MB template limit, with room for the rest of the stack.
 */
export const MAX_ITEMS_JSON_BYTES = 256 * 1024;

/** What an unresolved function ARN is counted as: Lambda's longest qualified ARN is 140 characters. */
const UNRESOLVED_ARN_BYTES = 140;

/** Stands in for an unresolved ARN in a synth-time check. */
const PLACEHOLDER_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:placeholder';

interface Validator {
  validateRegistryItems(items: unknown, options?: { source?: string }): string[];
}

let validator: Validator | undefined;

function loadValidator(): Validator {
  if (validator) return validator;
  // Relative to this file: src/ under ts-node/ts-jest, lib/ once compiled; both sit
  // next to assets/ in the repository and in the npm package.
  const bundle = path.join(__dirname, '..', 'assets', 'admin', 'index.js');
  if (!fs.existsSync(bundle)) {
    throw new Error(`${bundle} is missing: build the runtime bundles first (node scripts/bundle.mjs)`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  validator = require(bundle) as Validator;
  return validator;
}

export interface DeclaredItem {
  /** The registry item JSON; `lambdaArn` may be a token. */
  readonly item: { [key: string]: any };
  readonly fn?: lambda.IFunction;
}

export class RegistryDeclarations {
  private readonly items: DeclaredItem[] = [];
  private readonly keys = new Map<string, string>();
  private bytes = 2;

  /** Every declared item, in declaration order. */
  get all(): readonly DeclaredItem[] {
    return this.items;
  }

  addTool(options: McpToolOptions): DeclaredItem {
    const item = compact({
      type: 'tool',
      name: options.name,
      title: options.title,
      description: options.description,
      inputSchema: options.inputSchema,
      outputSchema: options.outputSchema,
      annotations: options.annotations ? compact({ ...options.annotations }) : undefined,
      icons: icons(options.icons),
      lambdaArn: options.function.functionArn,
      timeoutSeconds: timeoutSeconds('addTool', options.timeout),
      contract: options.contract && options.contract !== ToolContract.MCP ? options.contract : undefined,
      taskSupport: options.taskSupport && options.taskSupport !== ToolTaskSupport.FORBIDDEN ? options.taskSupport : undefined,
      inputBeforeTask: options.inputBeforeTask ? true : undefined,
      streaming: options.streaming ? true : undefined,
    });
    return this.add('addTool', item, options.function);
  }

  addResource(options: McpResourceOptions): DeclaredItem {
    const item = compact({
      type: 'resource',
      uri: options.uri,
      name: options.name,
      title: options.title,
      description: options.description,
      mimeType: options.mimeType,
      text: options.text,
      blob: options.blob,
      icons: icons(options.icons),
      lambdaArn: options.function?.functionArn,
      timeoutSeconds: timeoutSeconds('addResource', options.timeout),
    });
    return this.add('addResource', item, options.function);
  }

  addResourceTemplate(options: McpResourceTemplateOptions): DeclaredItem {
    const item = compact({
      type: 'resourceTemplate',
      uriTemplate: options.uriTemplate,
      name: options.name,
      title: options.title,
      description: options.description,
      mimeType: options.mimeType,
      completions: options.completions,
      icons: icons(options.icons),
      lambdaArn: options.function.functionArn,
      timeoutSeconds: timeoutSeconds('addResourceTemplate', options.timeout),
    });
    return this.add('addResourceTemplate', item, options.function);
  }

  addPrompt(options: McpPromptOptions): DeclaredItem {
    const item = compact({
      type: 'prompt',
      name: options.name,
      title: options.title,
      description: options.description,
      arguments: options.arguments?.map((a) => compact({ ...a })),
      messages: options.messages?.map((m, i) => promptMessage(options.name, m, i)),
      icons: icons(options.icons),
      lambdaArn: options.function?.functionArn,
      timeoutSeconds: timeoutSeconds('addPrompt', options.timeout),
    });
    return this.add('addPrompt', item, options.function);
  }

  /** The items as one JSON string for the custom resource, tokens included. */
  toJson(scope: Stack): string {
    return scope.toJsonString(this.items.map((d) => d.item));
  }

  private add(method: string, item: { [key: string]: any }, fn: lambda.IFunction | undefined): DeclaredItem {
    const id = item.type === 'resource' ? item.uri : item.name;
    const what = `${method} (${item.type} '${id}')`;
    const checkable = { ...item, ...(item.lambdaArn !== undefined ? { lambdaArn: PLACEHOLDER_ARN } : {}) };
    // Checks are skipped for an item built from tokens, whose values are known only at deploy.
    if (!Token.isUnresolved(JSON.stringify(checkable))) {
      const problems = loadValidator().validateRegistryItems([checkable], { source: method });
      if (problems.length > 0) {
        // The validation labels each problem `addTool item 1 (tool 'x'): ...`; `what` says that once.
        const label = `${method} item 1 (${item.type} '${id}'): `;
        const lines = problems.map((p) => (p.startsWith(label) ? p.slice(label.length) : p));
        throw new Error(`invalid ${what}: ${lines.length === 1 ? lines[0] : `\n- ${lines.join('\n- ')}`}`);
      }
      const key = `${item.type}#${id}`;
      const earlier = this.keys.get(key);
      if (earlier !== undefined) {
        const field = item.type === 'resource' ? 'uri' : 'name';
        throw new Error(`${what}: ${item.type} ${field} '${id}' is already declared by an earlier ${earlier}; give it another ${field}`);
      }
      this.keys.set(key, method);
    }
    const bytes = Buffer.byteLength(JSON.stringify(checkable)) + 1
      + (item.lambdaArn !== undefined ? UNRESOLVED_ARN_BYTES - PLACEHOLDER_ARN.length : 0);
    if (this.bytes + bytes > MAX_ITEMS_JSON_BYTES) {
      throw new Error(`${what}: the declared items would take about ${this.bytes + bytes} bytes of JSON, more than the ${MAX_ITEMS_JSON_BYTES} a deployment can carry; `
        + 'shorten descriptions and schemas, or register the rest at run time through the admin API');
    }
    this.bytes += bytes;
    const declared: DeclaredItem = { item, fn };
    this.items.push(declared);
    return declared;
  }
}

function timeoutSeconds(method: string, timeout: Duration | undefined): number | undefined {
  if (timeout === undefined) return undefined;
  if (timeout.isUnresolved()) {
    throw new Error(`${method}: timeout must be a known duration, not a token`);
  }
  const seconds = timeout.toSeconds({ integral: false });
  if (seconds < 1 || seconds > 900) {
    throw new Error(`${method}: timeout is ${timeout.toHumanString()}; it must be between 1 second and 15 minutes, Lambda's maximum`);
  }
  return seconds;
}

function icons(list: McpIcon[] | undefined): Array<{ [key: string]: any }> | undefined {
  return list?.map((i) => compact({ ...i }));
}

function promptMessage(prompt: string, message: McpPromptMessage, index: number): { [key: string]: any } {
  if ((message.text === undefined) === (message.content === undefined)) {
    throw new Error(`addPrompt (prompt '${prompt}'): messages[${index}] needs exactly one of text and content`);
  }
  return { role: message.role, content: message.content ?? { type: 'text', text: message.text } };
}

/** The object without its undefined fields, so that the stored JSON stays minimal. */
function compact<T extends { [key: string]: any }>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
