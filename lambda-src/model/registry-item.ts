/**
 * The registry item: the one JSON shape behind `addTool`/`addResource`/`addPrompt`,
 * the admin API and a local registry file (ARCHITECTURE.md, "The contracts").
 *
 * An item is served by exactly one of: static content (`text`/`blob`/`messages`),
 * a Lambda function (`lambdaArn`), or, in a local registry file only, a module
 * `handler` (`./tools/echo.js#handler`, resolved relative to the file).
 */

/** Where the code behind an item runs. */
export interface FunctionTarget {
  /** Full or partial Lambda ARN, or function name. */
  readonly lambdaArn?: string;
  /** Local only: `./path/to/module.js#exportName`, relative to `baseDir`. */
  readonly handler?: string;
  /** Local only: the folder `handler` is resolved against (the registry file's folder). */
  readonly baseDir?: string;
  /** Per-item timeout for the invocation, in seconds. */
  readonly timeoutSeconds?: number;
  /**
   * Tools only: the function is invoked with `InvokeWithResponseStream` and writes the
   * tool stream (progress and log lines, then its result; tools/tool-stream.ts).
   * Ignored for a local `handler`, which reports through its context instead.
   */
  readonly streaming?: boolean;
}

/**
 * How a tool function is called: `mcp` (default) with the tool event of docs/tools.md, or
 * `bedrock-agentcore-gateway`: the arguments object as the event and the tool name in
 * `context.clientContext.custom`, as Amazon Bedrock AgentCore Gateway's Lambda targets
 * expect, so such functions register unchanged.
 */
export const TOOL_CONTRACTS = ['mcp', 'bedrock-agentcore-gateway'] as const;
export type ToolContract = (typeof TOOL_CONTRACTS)[number];

/**
 * Whether a tool may run as a 2025-11-25 task (basic/utilities/tasks, "Tool-Level
 * Negotiation"; listed as `execution.taskSupport`): `forbidden` (the default) refuses
 * a task-augmented call with -32601, `required` refuses a call without a task.
 */
export const TASK_SUPPORT = ['forbidden', 'optional', 'required'] as const;
export type TaskSupport = (typeof TASK_SUPPORT)[number];

export interface ToolItem extends FunctionTarget {
  readonly type: 'tool';
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  /** JSON Schema (draft 2020-12) of the arguments; an object schema. */
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema?: Record<string, unknown>;
  readonly annotations?: Record<string, unknown>;
  readonly icons?: Array<Record<string, unknown>>;
  readonly _meta?: Record<string, unknown>;
  /** @default 'mcp' */
  readonly contract?: ToolContract;
  /** @default 'forbidden' */
  readonly taskSupport?: TaskSupport;
  /**
   * Whether a call that would run as a task (2026-07-28 tasks extension) first invokes the
   * function synchronously, so it can gather input with `input_required` rounds before
   * the task exists, and then asks for the task by returning `{ "resultType": "task" }`
   * (the extension, "Task Creation": multi round-trip exchanges SHOULD be resolved
   * synchronously before a CreateTaskResult). Needs `taskSupport` optional or required.
   * @default false
   */
  readonly inputBeforeTask?: boolean;
}

export interface ResourceItem extends FunctionTarget {
  readonly type: 'resource';
  readonly uri: string;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
  /** Static text content. */
  readonly text?: string;
  /** Static binary content, base64. */
  readonly blob?: string;
  readonly annotations?: Record<string, unknown>;
  readonly icons?: Array<Record<string, unknown>>;
}

export interface ResourceTemplateItem extends FunctionTarget {
  readonly type: 'resourceTemplate';
  readonly uriTemplate: string;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
  readonly annotations?: Record<string, unknown>;
  readonly icons?: Array<Record<string, unknown>>;
  /** Values offered by `completion/complete` for each template variable. */
  readonly completions?: Record<string, string[]>;
}

export interface PromptArgument {
  readonly name: string;
  readonly description?: string;
  readonly required?: boolean;
  /** Values offered by `completion/complete` for this argument. */
  readonly completions?: string[];
}

export interface PromptMessage {
  readonly role: 'user' | 'assistant';
  /** A content block; `text` blocks may hold `{{argName}}` placeholders. */
  readonly content: Record<string, unknown>;
}

export interface PromptItem extends FunctionTarget {
  readonly type: 'prompt';
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly arguments?: PromptArgument[];
  readonly messages?: PromptMessage[];
  readonly icons?: Array<Record<string, unknown>>;
}

export type RegistryItem = ToolItem | ResourceItem | ResourceTemplateItem | PromptItem;
export type RegistryItemType = RegistryItem['type'];

/**
 * Every item type, in the order messages list them. A record, so that a type added to
 * `RegistryItem` and not here does not compile.
 */
const ITEM_TYPES: { readonly [T in RegistryItemType]: true } = { tool: true, resource: true, resourceTemplate: true, prompt: true };
export const REGISTRY_ITEM_TYPES = Object.keys(ITEM_TYPES) as readonly RegistryItemType[];

export function isRegistryItemType(value: unknown): value is RegistryItemType {
  return (REGISTRY_ITEM_TYPES as readonly unknown[]).includes(value);
}

/** An item as stored: with its identity, order and optimistic-concurrency version. */
export type StoredRegistryItem = RegistryItem & {
  /** Monotonic registration order; items are listed by it. */
  readonly order: number;
  /** Incremented on every write; a write naming a stale version is refused. */
  readonly version: number;
};

/** The identity of an item within its type: a tool's name, a resource's uri, a template's name, a prompt's name. */
export function registryKey(item: Pick<RegistryItem, 'type'> & { name?: string; uri?: string }): string {
  return item.type === 'resource' ? `resource#${item.uri}` : `${item.type}#${item.name}`;
}
