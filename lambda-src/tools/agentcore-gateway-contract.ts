/**
 * Amazon Bedrock AgentCore Gateway's Lambda target contract, so that a tool function
 * written for a Gateway runs here unchanged (registry item `contract:
 * 'bedrock-agentcore-gateway'`). In that contract (AgentCore developer guide, "AWS
 * Lambda function targets", Lambda input format):
 *
 * - the event is the tool's arguments object itself, with no envelope;
 * - metadata arrives in the Lambda client context, `context.clientContext.custom`
 *   (Python: `context.client_context.custom`): `bedrockAgentCoreToolName` as
 *   `<targetName>___<toolName>` (functions strip the prefix up to `___`),
 *   `bedrockAgentCoreMessageVersion` (`1.0`), `bedrockAgentCoreAwsRequestId`,
 *   `bedrockAgentCoreMcpMessageId`, `bedrockAgentCoreGatewayId`,
 *   `bedrockAgentCoreTargetId`;
 * - the result is the function's JSON return value; Gateway examples return MCP-like
 *   `{ content: [{ text }] }` (often without `type`) or any JSON object.
 *
 * A synchronous Invoke carries the client context as `ClientContext`: base64 JSON
 * `{ "custom": {...} }`, at most 3,583 bytes (Lambda API reference, Invoke).
 */

export const AGENTCORE_GATEWAY_CONTRACT = 'bedrock-agentcore-gateway';
/** The version of the Gateway message format this server speaks. */
export const AGENTCORE_MESSAGE_VERSION = '1.0';
/** What this server calls itself where a Gateway would put its target name. */
export const DEFAULT_AGENTCORE_TARGET_NAME = 'mcp-lambda-server';
/** Separates the target name from the tool name in `bedrockAgentCoreToolName`. */
export const AGENTCORE_TOOL_NAME_DELIMITER = '___';
/** Lambda's limit on `ClientContext` (base64 text). */
export const MAX_CLIENT_CONTEXT_BYTES = 3583;

export interface AgentCoreGatewayCall {
  /** The MCP tool name as registered. */
  readonly toolName: string;
  /** The client's arguments (already validated against the inputSchema). */
  readonly arguments: Record<string, unknown>;
  /** The MCP server's Lambda request id. */
  readonly requestId: string;
  /** The JSON-RPC id of the `tools/call` request. */
  readonly mcpMessageId?: string | number;
  /** Prefix of `bedrockAgentCoreToolName`. @default DEFAULT_AGENTCORE_TARGET_NAME */
  readonly targetName?: string;
  /** `bedrockAgentCoreGatewayId`. @default - the target name */
  readonly gatewayId?: string;
  /** `bedrockAgentCoreTargetId`. @default - the target name */
  readonly targetId?: string;
}

export interface AgentCoreGatewayInvocation {
  /** The Invoke payload: the arguments object. */
  readonly payload: Record<string, unknown>;
  /** The Invoke `ClientContext`: base64 of `{ "custom": custom }`. */
  readonly clientContext: string;
  /** What the function finds in `context.clientContext.custom`. */
  readonly custom: Readonly<Record<string, string>>;
}

/** Builds the payload and client context of one tool call; throws when the context is over Lambda's limit. */
export function agentCoreGatewayInvocation(call: AgentCoreGatewayCall): AgentCoreGatewayInvocation {
  const targetName = call.targetName ?? DEFAULT_AGENTCORE_TARGET_NAME;
  const custom: Record<string, string> = {
    bedrockAgentCoreMessageVersion: AGENTCORE_MESSAGE_VERSION,
    bedrockAgentCoreToolName: `${targetName}${AGENTCORE_TOOL_NAME_DELIMITER}${call.toolName}`,
    bedrockAgentCoreAwsRequestId: call.requestId,
    bedrockAgentCoreMcpMessageId: call.mcpMessageId === undefined ? '' : String(call.mcpMessageId),
    bedrockAgentCoreGatewayId: call.gatewayId ?? targetName,
    bedrockAgentCoreTargetId: call.targetId ?? targetName,
  };
  const clientContext = Buffer.from(JSON.stringify({ custom }), 'utf8').toString('base64');
  if (clientContext.length > MAX_CLIENT_CONTEXT_BYTES) {
    throw new Error(`the AgentCore Gateway client context for tool '${call.toolName}' is ${clientContext.length} bytes of base64, over Lambda's ${MAX_CLIENT_CONTEXT_BYTES}: shorten the tool name or the request id`);
  }
  return { payload: call.arguments, clientContext, custom };
}

/**
 * Maps a Gateway-style return value onto this server's tool contract (tool-result.ts):
 * content blocks written as `{ text }` without a `type` (as Gateway examples do) get
 * `type: 'text'`; everything else passes as is and is wrapped by toCallToolResult.
 */
export function agentCoreGatewayResult(payload: unknown): unknown {
  if (!isRecord(payload) || !Array.isArray(payload.content)) return payload;
  const content = payload.content.map((block: unknown) =>
    isRecord(block) && block.type === undefined && typeof block.text === 'string' ? { ...block, type: 'text' } : block);
  return { ...payload, content };
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
