/**
 * `mcp-lambda-server dev --app` runs Python functions with its local bootstrap
 * (lambda-src/local/cdk-app/python-bootstrap.ts). A streaming tool's handler,
 * `handler(event, context, emit)` as examples/streaming-tools/python writes it for
 * stream_runtime.py, runs there too: its progress and log lines are relayed as they come.
 */
import { join } from 'node:path';
import type { LocalFunction } from '../../lambda-src/local/cdk-app/app-model';
import { FunctionRunner } from '../../lambda-src/local/cdk-app/function-runner';
import type { ToolLog, ToolProgress } from '../../lambda-src/tools/tool-invoker';

const root = join(__dirname, '..', '..');
const runners: FunctionRunner[] = [];

function runner(codeDir: string, handler: string): FunctionRunner {
  const fn: LocalFunction = {
    stackName: 'Local',
    logicalId: 'Tool',
    functionName: 'Local-Tool',
    arn: 'arn:aws:lambda:us-east-1:123456789012:function:Local-Tool',
    runtime: 'python3.12',
    handler,
    language: 'python',
    codeDir,
    environment: {},
    memoryMb: 128,
    timeoutSeconds: 30,
    warnings: [],
  };
  const r = new FunctionRunner(fn, { log: () => undefined });
  runners.push(r);
  return r;
}

afterAll(() => runners.forEach((r) => r.stop()));

const event = (args: Record<string, unknown>) => ({ tool: 't', arguments: args, context: { requestId: 'r', protocolVersion: '2025-11-25', progressToken: 'p' } });

test('the Python streaming example: progress and logs relayed, the result line is the result', async () => {
  const progress: ToolProgress[] = [];
  const logs: ToolLog[] = [];
  const outcome = await runner(join(root, 'examples', 'streaming-tools', 'python'), 'scan_table.handler')
    .invoke(event({ tables: ['a', 'b'] }), { onProgress: (p) => progress.push(p), onLog: (l) => logs.push(l) });
  expect(outcome).toEqual({ ok: true, payload: { tables: 2, rows: { a: expect.any(Number), b: expect.any(Number) }, total: expect.any(Number) } });
  expect(progress).toEqual([{ progress: 1, total: 2, message: 'scanned a' }, { progress: 2, total: 2, message: 'scanned b' }]);
  expect(logs.map((l) => [l.level, l.logger])).toEqual([['info', 'scan_table'], ['info', 'scan_table']]);
});

test('an error line, or an error raised after a line, is a function error', async () => {
  const outcome = await runner(join(__dirname, '..', 'tools', 'fixtures', 'python-stream'), 'gated_tool.fails_late').invoke(event({}));
  expect(outcome).toEqual({ ok: false, kind: 'function_error', message: 'ValueError: row 7 is corrupt' });
  const line = await runner(join(__dirname, '..', 'tools', 'fixtures', 'python-stream'), 'gated_tool.error_line').invoke(event({}));
  expect(line).toEqual({ ok: false, kind: 'function_error', message: 'QuotaExceeded: too many tables' });
});

test('a two-parameter handler is called as before', async () => {
  const outcome = await runner(join(root, 'examples', 'streaming-tools', 'python'), 'scan_table.plain_handler').invoke(event({ tables: ['a'] }));
  expect(outcome).toEqual({ ok: true, payload: { tables: 1, rows: { a: expect.any(Number) }, total: expect.any(Number) } });
});
