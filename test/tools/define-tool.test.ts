/**
 * `defineTool` (lambda-src/tool, shipped as `cdk-mcp-lambda-server/tool`): the same
 * handler run the two ways a tool function runs: plainly, with a local context, through
 * the real LocalInvoker (as `mcp-lambda-server dev` runs a registry file's module), and
 * as a response-streaming handler, as Lambda's Node.js runtime runs it, its stream read
 * by the server's own tool stream reader. The fixture uses the built helper
 * (assets/tool/index.js, through the package's tool/ folder).
 */
import { join } from 'node:path';
import { CollectingSink, createInvocationContext, invokeStreamingHandler } from '../../lambda-src/entry/awslambda-shim';
import { defineTool } from '../../lambda-src/tool';
import { LocalInvoker } from '../../lambda-src/tools/local-invoker';
import type { ToolLog, ToolProgress } from '../../lambda-src/tools/tool-invoker';
import { ToolStreamReader } from '../../lambda-src/tools/tool-stream';

const fixture = join(__dirname, 'fixtures', 'define-tool-fixture.cjs');
const event = (extra: Record<string, unknown> = {}) => ({
  tool: 'deploy',
  arguments: { env: 'prod' },
  context: { requestId: 'r-1', protocolVersion: '2025-11-25', sessionId: 's-1', sessionState: {}, progressToken: 'p-1' },
  ...extra,
});
const answered = { inputResponses: { confirm: { action: 'accept', content: { ok: true } } }, requestState: 'step-1' };

function recorder() {
  const progress: ToolProgress[] = [];
  const logs: ToolLog[] = [];
  return { progress, logs, options: { onProgress: (p: ToolProgress) => progress.push(p), onLog: (l: ToolLog) => logs.push(l) } };
}

/** Runs a handler as Lambda's Node.js runtime runs a streamified one; the server's reader decodes the stream. */
async function runStreaming(handler: (...args: any[]) => Promise<unknown>, ev: unknown) {
  const sink = new CollectingSink();
  await invokeStreamingHandler(handler as never, ev, sink, createInvocationContext());
  const seen = recorder();
  const reader = new ToolStreamReader(seen.options);
  const outcome = reader.push(Buffer.concat(sink.chunks)) ?? reader.end();
  return { outcome, ...seen, text: Buffer.concat(sink.chunks).toString() };
}

describe('called plainly with a local context (LocalInvoker)', () => {
  const invoker = new LocalInvoker();
  const target = { handler: `${fixture}#handler` };

  test('the first round asks for input; progress and logs go through the context', async () => {
    const seen = recorder();
    const outcome = await invoker.invoke(target, event(), seen.options);
    expect(outcome).toEqual({
      ok: true,
      payload: {
        resultType: 'input_required',
        inputRequests: { confirm: { method: 'elicitation/create', params: { message: 'Deploy to prod?', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } } } },
        requestState: 'step-1',
      },
    });
    expect(seen.progress).toEqual([{ progress: 1, total: 2, message: 'checking' }]);
    expect(seen.logs).toEqual([{ level: 'info', data: { env: 'prod' }, logger: 'deploy' }]);
  });

  test('the second round returns the result, with its session state operations under _sessionState', async () => {
    const seen = recorder();
    const outcome = await invoker.invoke(target, event(answered), seen.options);
    expect(outcome).toEqual({
      ok: true,
      payload: { content: [{ type: 'text', text: 'Deployed to prod (step-1).' }], _sessionState: { increment: { deploys: 1 } } },
    });
    expect(seen.progress.map((p) => p.progress)).toEqual([1, 2]);
  });

  test('a thrown error is a function error; no progress without a progress token', async () => {
    const seen = recorder();
    const declined = { inputResponses: { confirm: { action: 'decline' } } };
    const ev = event(declined);
    delete (ev.context as Record<string, unknown>).progressToken;
    expect(await invoker.invoke(target, ev, seen.options)).toEqual({ ok: false, kind: 'function_error', message: 'RangeError: not confirmed' });
    expect(seen.progress).toEqual([]);
    expect(seen.logs).toHaveLength(1);
  });
});

describe('as a response-streaming handler (Lambda\'s Node.js runtime)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(fixture) as { handler: (...args: any[]) => Promise<unknown> };

  test('progress and log lines, then the result line, which the server reads', async () => {
    const run = await runStreaming(handler, event(answered));
    expect(run.text.split('\n').filter(Boolean).map((l) => JSON.parse(l).type)).toEqual(['progress', 'log', 'progress', 'result']);
    expect(run.outcome).toEqual({
      ok: true,
      payload: { content: [{ type: 'text', text: 'Deployed to prod (step-1).' }], _sessionState: { increment: { deploys: 1 } } },
    });
    expect(run.progress.map((p) => p.progress)).toEqual([1, 2]);
    expect(run.logs).toEqual([{ level: 'info', data: { env: 'prod' }, logger: 'deploy' }]);
  });

  test('a thrown error ends the stream with an error line', async () => {
    const run = await runStreaming(handler, event({ inputResponses: { confirm: { action: 'cancel' } } }));
    expect(run.outcome).toEqual({ ok: false, kind: 'function_error', message: 'RangeError: not confirmed' });
    expect(run.progress).toHaveLength(1);
  });
});

test('the definition travels with the handler; streaming defaults to true', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(fixture) as { handler: { definition: unknown } };
  expect(handler.definition).toEqual({
    name: 'deploy',
    description: 'Deploys after asking for confirmation',
    inputSchema: { type: 'object', properties: { env: { type: 'string' } }, required: ['env'] },
    streaming: true,
  });
  const plain = defineTool({ name: 'x', description: 'y', inputSchema: { type: 'object' }, streaming: false, run: () => 1 });
  expect(plain.definition.streaming).toBe(false);
});

test('session state on a result that is not an object: wrapped in a CallToolResult', async () => {
  const counter = defineTool<Record<string, never>>({
    name: 'count',
    description: 'counts',
    inputSchema: { type: 'object' },
    run: (_args, call) => {
      call.setState('last', 'now');
      call.removeState('old');
      call.incrementState('n', 2);
      return 42;
    },
  });
  const result = await counter(event(), { getRemainingTimeInMillis: () => 1000 });
  expect(result).toEqual({ content: [{ type: 'text', text: '42' }], _sessionState: { set: { last: 'now' }, increment: { n: 2 }, remove: ['old'] } });
});
