// A tool function in TypeScript, bundled by NodejsFunction (esbuild) at synth. It gets
// the server's tool event `{ tool, arguments, context }` and returns a CallToolResult.
interface ToolEvent {
  readonly tool: string;
  readonly arguments: { orderId: string };
  readonly context: { requestId: string; protocolVersion: string; sessionId?: string };
}

const STATUSES = ['received', 'packed', 'shipped', 'delivered'];

export const handler = async (event: ToolEvent) => {
  const { orderId } = event.arguments;
  // A stable made-up status, so the example needs no database.
  const status = STATUSES[[...orderId].reduce((n, c) => n + c.charCodeAt(0), 0) % STATUSES.length];
  const order = { orderId, status, carrier: process.env.CARRIER ?? 'unknown' };
  return {
    content: [{ type: 'text', text: `Order ${orderId} is ${status} (carrier ${order.carrier}).` }],
    structuredContent: order,
  };
};
