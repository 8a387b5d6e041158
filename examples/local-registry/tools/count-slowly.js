// Progress: a local handler's context has sendProgress(progress, total?, message?).
// The server forwards each call as notifications/progress when the client asked for
// progress (a progressToken in the request's _meta); otherwise it is a no-op.
// A deployed Lambda function reports progress through the tool stream instead
// (register it with streaming: true; docs/writing-tools.md); a handler written with
// defineTool from 'cdk-mcp-lambda-server/tool' works both here and deployed.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

exports.handler = async (event, context) => {
  const steps = event.arguments.steps ?? 5;
  const delayMs = event.arguments.delayMs ?? 200;
  for (let i = 1; i <= steps; i++) {
    await sleep(delayMs);
    context.sendProgress(i, steps, `step ${i} of ${steps}`);
  }
  return { content: [{ type: 'text', text: `counted to ${steps}` }] };
};
