import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * How the server calls a tool's function.
 */
export enum ToolContract {
  /**
   * This server's own contract: the event is `{ tool, arguments, context }` and the
   * result a `CallToolResult` or any JSON value.
   */
  MCP = 'mcp',
  /**
   * Amazon Bedrock AgentCore Gateway's Lambda target contract, so that a function
   * written for a Gateway runs unchanged: the event is the arguments object, the tool
   * name arrives in `context.clientContext.custom.bedrockAgentCoreToolName` as
   * `<target>___<tool>`, and the result is the function's JSON return value.
   */
  BEDROCK_AGENTCORE_GATEWAY = 'bedrock-agentcore-gateway',
}

/**
 * Whether a tool may run as a task (MCP 2025-11-25 tasks; the 2026-07-28
 * `io.modelcontextprotocol/tasks` extension): the call returns a task at once and the
 * work runs in its own invocation of the server's function.
 */
export enum ToolTaskSupport {
  /** Calls are answered directly; a task-augmented call is refused. */
  FORBIDDEN = 'forbidden',
  /** The client chooses: a direct answer, or a task. */
  OPTIONAL = 'optional',
  /** Every call must be task-augmented (for work that outlasts a client's patience). */
  REQUIRED = 'required',
}

/**
 * An icon of a tool, resource or prompt (MCP `Icon`).
 */
export interface McpIcon {
  /** A URL (https: or data:) of the image. */
  readonly src: string;
  /**
   * Its MIME type, e.g. `image/png`.
   * @default - none
   */
  readonly mimeType?: string;
  /**
   * Sizes it is meant for, e.g. `['48x48']` or `['any']`.
   * @default - none
   */
  readonly sizes?: string[];
  /**
   * The theme it is drawn for: `light` or `dark`.
   * @default - any theme
   */
  readonly theme?: string;
}

/**
 * Hints about a tool's behaviour (MCP `ToolAnnotations`). Clients must treat them as
 * untrusted hints, not guarantees.
 */
export interface McpToolAnnotations {
  /**
   * A human-readable title.
   * @default - none
   */
  readonly title?: string;
  /**
   * The tool does not modify its environment.
   * @default false
   */
  readonly readOnlyHint?: boolean;
  /**
   * The tool may perform destructive updates (meaningful when not read-only).
   * @default true
   */
  readonly destructiveHint?: boolean;
  /**
   * Calling it again with the same arguments has no additional effect.
   * @default false
   */
  readonly idempotentHint?: boolean;
  /**
   * The tool reaches an open world of external entities.
   * @default true
   */
  readonly openWorldHint?: boolean;
}

/**
 * A tool served by a Lambda function.
 */
export interface McpToolOptions {
  /**
   * The tool's name: 1 to 128 characters of `A-Z a-z 0-9 _ - .`, unique in the server.
   */
  readonly name: string;
  /**
   * A human-readable title.
   * @default - none
   */
  readonly title?: string;
  /**
   * What the tool does, for the model.
   */
  readonly description: string;
  /**
   * JSON Schema (draft 2020-12 unless `$schema` says otherwise) of the arguments, with
   * `"type": "object"` at its root.
   */
  readonly inputSchema: { [key: string]: any };
  /**
   * JSON Schema of the tool's `structuredContent`; results are checked against it.
   * @default - none
   */
  readonly outputSchema?: { [key: string]: any };
  /**
   * Behaviour hints for clients.
   * @default - none
   */
  readonly annotations?: McpToolAnnotations;
  /**
   * Icons for clients to show.
   * @default - none
   */
  readonly icons?: McpIcon[];
  /**
   * The function that runs the tool. The server's role is allowed to invoke it.
   */
  readonly function: lambda.IFunction;
  /**
   * How long the server waits for the function, at most 15 minutes.
   * @default - the server's `toolTimeout`
   */
  readonly timeout?: Duration;
  /**
   * How the function is called.
   * @default ToolContract.MCP
   */
  readonly contract?: ToolContract;
  /**
   * Whether the tool may run as a task. With `OPTIONAL` or `REQUIRED` the server's
   * role may also invoke its own function (asynchronously), which is how task work
   * runs outside the request that started it.
   * @default ToolTaskSupport.FORBIDDEN
   */
  readonly taskSupport?: ToolTaskSupport;
  /**
   * A call that would run as a task (2026-07-28 tasks extension) first invokes the
   * function synchronously, so it can gather input with `input_required` rounds on the
   * `tools/call` itself, and the task is created when the function answers
   * `{ "resultType": "task" }` (the extension recommends resolving multi round-trip
   * exchanges before the task exists). Needs `taskSupport` `OPTIONAL` or `REQUIRED`.
   * @default false
   */
  readonly inputBeforeTask?: boolean;
  /**
   * The function streams its response: it is invoked with `InvokeWithResponseStream`
   * and writes progress and log lines, then its result, one JSON object a line, so the
   * client receives `notifications/progress` and `notifications/message` while it runs
   * (docs/writing-tools.md). A Node.js function written with `defineTool` from
   * `cdk-mcp-lambda-server/tool` does; a Python function needs a runtime that streams
   * (the example's `stream_runtime.py`). The handler's `lambda:InvokeFunction` permission
   * covers `InvokeWithResponseStream` too.
   * @default false
   */
  readonly streaming?: boolean;
}

/**
 * A resource with a fixed URI: static `text` or `blob`, or produced by a function.
 */
export interface McpResourceOptions {
  /**
   * The resource's absolute URI, e.g. `file:///docs/readme.md` or `app://config`;
   * unique in the server.
   */
  readonly uri: string;
  /** A short name. */
  readonly name: string;
  /**
   * A human-readable title.
   * @default - none
   */
  readonly title?: string;
  /**
   * What the resource holds.
   * @default - none
   */
  readonly description?: string;
  /**
   * The MIME type of its content.
   * @default - none
   */
  readonly mimeType?: string;
  /**
   * Static text content. Exactly one of `text`, `blob` and `function`.
   * @default - none
   */
  readonly text?: string;
  /**
   * Static binary content, base64. Exactly one of `text`, `blob` and `function`.
   * @default - none
   */
  readonly blob?: string;
  /**
   * A function that returns `{ "contents": [...] }` for the URI. Exactly one of
   * `text`, `blob` and `function`.
   * @default - none
   */
  readonly function?: lambda.IFunction;
  /**
   * How long the server waits for the function.
   * @default - the server's `toolTimeout`
   */
  readonly timeout?: Duration;
  /**
   * Icons for clients to show.
   * @default - none
   */
  readonly icons?: McpIcon[];
}

/**
 * A family of resources named by an RFC 6570 URI template, produced by a function.
 */
export interface McpResourceTemplateOptions {
  /** The template, e.g. `orders://{orderId}`. */
  readonly uriTemplate: string;
  /** A short name, unique among the server's resource templates. */
  readonly name: string;
  /**
   * A human-readable title.
   * @default - none
   */
  readonly title?: string;
  /**
   * What the resources hold.
   * @default - none
   */
  readonly description?: string;
  /**
   * The MIME type of their content.
   * @default - none
   */
  readonly mimeType?: string;
  /**
   * The function that receives `{ "uri", "variables" }` and returns
   * `{ "contents": [...] }`.
   */
  readonly function: lambda.IFunction;
  /**
   * How long the server waits for the function.
   * @default - the server's `toolTimeout`
   */
  readonly timeout?: Duration;
  /**
   * Values that `completion/complete` offers for each template variable.
   * @default - none
   */
  readonly completions?: { [variable: string]: string[] };
  /**
   * Icons for clients to show.
   * @default - none
   */
  readonly icons?: McpIcon[];
}

/**
 * An argument of a prompt.
 */
export interface McpPromptArgument {
  /** Its name, unique in the prompt; `{{name}}` in a message is replaced by its value. */
  readonly name: string;
  /**
   * What it means.
   * @default - none
   */
  readonly description?: string;
  /**
   * Whether a client must give it.
   * @default false
   */
  readonly required?: boolean;
  /**
   * Values that `completion/complete` offers.
   * @default - none
   */
  readonly completions?: string[];
}

/**
 * Who speaks a prompt message.
 */
export enum McpPromptRole {
  /** The user. */
  USER = 'user',
  /** The assistant. */
  ASSISTANT = 'assistant',
}

/**
 * One message of a static prompt.
 */
export interface McpPromptMessage {
  /** Who speaks it. */
  readonly role: McpPromptRole;
  /**
   * Its text; `{{argName}}` placeholders are replaced by the arguments. Exactly one of
   * `text` and `content`.
   * @default - none
   */
  readonly text?: string;
  /**
   * A full MCP content block, e.g. `{ type: 'image', data, mimeType }`. Exactly one of
   * `text` and `content`.
   * @default - none
   */
  readonly content?: { [key: string]: any };
}

/**
 * A prompt: static messages, or a function that produces them.
 */
export interface McpPromptOptions {
  /** The prompt's name, unique in the server. */
  readonly name: string;
  /**
   * A human-readable title.
   * @default - none
   */
  readonly title?: string;
  /**
   * What the prompt is for.
   * @default - none
   */
  readonly description?: string;
  /**
   * Its arguments.
   * @default - none
   */
  readonly arguments?: McpPromptArgument[];
  /**
   * Static messages. Exactly one of `messages` and `function`.
   * @default - none
   */
  readonly messages?: McpPromptMessage[];
  /**
   * A function that receives `{ "prompt", "arguments" }` and returns a
   * `GetPromptResult` (`{ "messages": [...] }`). Exactly one of `messages` and
   * `function`.
   * @default - none
   */
  readonly function?: lambda.IFunction;
  /**
   * How long the server waits for the function.
   * @default - the server's `toolTimeout`
   */
  readonly timeout?: Duration;
  /**
   * Icons for clients to show.
   * @default - none
   */
  readonly icons?: McpIcon[];
}
