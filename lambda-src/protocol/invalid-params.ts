/**
 * Corrects the JSON-RPC code of one SDK answer.
 *
 * SDK v2 (2.4.0) validates the params of spec requests (`initialize`,
 * `logging/setLevel`, `resources/read`, `prompts/get`, `completion/complete`, ...)
 * against its schemas, but a failure is thrown as a plain Error
 * (`Protocol.setRequestHandler`), so the client gets -32603 "Internal error" with the
 * raw zod issue list as the message. JSON-RPC 2.0 section 5.1 and MCP (Basic,
 * "Error Codes") make invalid method parameters -32602. We rewrite exactly that case,
 * on its way out of the server instance, into -32602 with a readable message.
 *
 * This is the one place the protocol layer patches an SDK object: the server
 * instance's `connect`, to wrap the `send` of the transport it is connected to (our
 * per-exchange transport, or the SDK's per-request transport under
 * `createMcpHandler`). test/protocol/invalid-params.test.ts fails if the SDK starts
 * answering -32602 itself (then delete this file) or changes the shape we recognise.
 */
import type { JSONRPCMessage, McpServer, Server, Transport } from '@modelcontextprotocol/server';

const INTERNAL_ERROR = -32603;
const INVALID_PARAMS = -32602;

interface Issue {
  readonly path: Array<string | number>;
  readonly message: string;
}

/** The zod issue list the SDK puts in the message, or undefined when it is something else. */
function zodIssues(message: string): Issue[] | undefined {
  if (!message.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(message);
    if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
    const issues = parsed.filter((i): i is Issue => typeof i?.message === 'string' && Array.isArray(i?.path));
    return issues.length === parsed.length ? issues : undefined;
  } catch {
    return undefined;
  }
}

/** The message with -32603 "<zod issues>" turned into -32602 "Invalid params: <path>: <problem>"; anything else unchanged. */
export function correctInvalidParams(message: JSONRPCMessage): JSONRPCMessage {
  const error = (message as { error?: { code?: unknown; message?: unknown } }).error;
  if (!error || error.code !== INTERNAL_ERROR || typeof error.message !== 'string') return message;
  const issues = zodIssues(error.message);
  if (!issues) return message;
  const text = issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'params'}: ${i.message}`).join('; ');
  return { ...message, error: { ...error, code: INVALID_PARAMS, message: `Invalid params: ${text}` } } as JSONRPCMessage;
}

/** Makes every answer the server sends pass through `correctInvalidParams`. Returns the same server. */
export function withInvalidParamsCorrection<S extends McpServer | Server>(server: S): S {
  const target = server as unknown as { connect(transport: Transport): Promise<void> };
  const connect = target.connect.bind(server);
  target.connect = (transport: Transport) => {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => send(correctInvalidParams(message), options);
    return connect(transport);
  };
  return server;
}
