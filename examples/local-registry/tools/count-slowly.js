// Progress: a local handler's context has sendProgress(progress, total?, message?).
// The server forwards each call as notifications/progress when the client asked for
// progress (a progressToken in the request's _meta); otherwise it is a no-op.
// A deployed Lambda function has no such channel during a synchronous invoke, so
// progress from tool functions is a local-development feature for now.
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
