/**
 * The Python side of streaming tools: examples/streaming-tools/python/stream_runtime.py
 * run by python3 against a local server that speaks the Lambda Runtime API
 * (test/support/fake-runtime-api.ts), answering in response-streaming mode, and the
 * example tool's lines read back by the server's own tool stream reader.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolStreamReader } from '../../lambda-src/tools/tool-stream';
import { FakeRuntimeApi } from '../support/fake-runtime-api';

const root = join(__dirname, '..', '..');
const exampleDir = join(root, 'examples', 'streaming-tools', 'python');
const fixtureDir = join(__dirname, 'fixtures', 'python-stream');
const runtimeScript = join(exampleDir, 'stream_runtime.py');

const apis: FakeRuntimeApi[] = [];
let scratch: string;
const output: string[] = [];

async function runtimeFor(dir: string, handler: string): Promise<FakeRuntimeApi> {
  const api = await FakeRuntimeApi.start();
  apis.push(api);
  api.spawnRuntime('python3', [runtimeScript], { LAMBDA_TASK_ROOT: dir, _HANDLER: handler, PYTHONDONTWRITEBYTECODE: '1' }, (l) => output.push(l));
  return api;
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'py-stream-'));
});

afterAll(async () => {
  for (const api of apis) await api.close();
  rmSync(scratch, { recursive: true, force: true });
});

const lines = (body: Buffer) => body.toString().trim().split('\n').map((l) => JSON.parse(l));
const event = (args: Record<string, unknown>, progressToken?: string) => ({
  tool: 'scan_table', arguments: args, context: { requestId: 'r-1', protocolVersion: '2025-11-25', ...(progressToken ? { progressToken } : {}) },
});

test('the example tool, run by the streaming runtime: progress and log lines, then the result, in streaming mode', async () => {
  const api = await runtimeFor(exampleDir, 'scan_table.handler');
  const answer = await api.invoke(event({ tables: ['orders', 'customers'] }, 'p-1'));

  expect(answer.responseMode).toBe('streaming');
  expect(answer.error).toBeUndefined();
  expect(lines(answer.body)).toEqual([
    { type: 'progress', progress: 1, total: 2, message: 'scanned orders' },
    { type: 'log', level: 'info', data: { table: 'orders', rows: expect.any(Number) }, logger: 'scan_table' },
    { type: 'progress', progress: 2, total: 2, message: 'scanned customers' },
    { type: 'log', level: 'info', data: { table: 'customers', rows: expect.any(Number) }, logger: 'scan_table' },
    { type: 'result', result: { tables: 2, rows: { orders: expect.any(Number), customers: expect.any(Number) }, total: expect.any(Number) } },
  ]);

  // The server's reader takes exactly these lines apart.
  const progress: unknown[] = [];
  const logs: unknown[] = [];
  const reader = new ToolStreamReader({ onProgress: (p) => progress.push(p), onLog: (l) => logs.push(l) });
  const outcome = reader.push(answer.body) ?? reader.end();
  expect(outcome).toEqual({ ok: true, payload: lines(answer.body)[4].result });
  expect(progress).toHaveLength(2);
  expect(logs).toHaveLength(2);

  // The environment is reused: a second invocation, without a progress token, writes no progress.
  const second = await api.invoke(event({ tables: ['invoices'] }));
  expect(lines(second.body).map((l) => l.type)).toEqual(['log', 'result']);
});

test('each line leaves the runtime as it is written: the first arrives while the tool is still running', async () => {
  const api = await runtimeFor(fixtureDir, 'gated_tool.gated');
  const gate = join(scratch, 'gate-1');
  let firstChunk!: () => void;
  const sawFirst = new Promise<void>((resolve) => (firstChunk = resolve));
  const received: Buffer[] = [];
  const answering = api.invoke(event({ gate }), (chunk) => {
    received.push(chunk);
    firstChunk();
  });
  await sawFirst;
  // The tool cannot have finished: it waits for this file.
  expect(JSON.parse(Buffer.concat(received).toString().split('\n')[0])).toEqual({ type: 'progress', progress: 1, total: 2, message: 'waiting for the gate' });
  writeFileSync(gate, '');
  const answer = await answering;
  expect(lines(answer.body).map((l) => l.type)).toEqual(['progress', 'progress', 'result']);
});

test('an error after the first line: an error line, and the error trailers Lambda reads', async () => {
  const api = await runtimeFor(fixtureDir, 'gated_tool.fails_late');
  const answer = await api.invoke(event({}));
  expect(lines(answer.body)).toEqual([{ type: 'progress', progress: 1 }, { type: 'error', errorType: 'ValueError', errorMessage: 'row 7 is corrupt' }]);
  expect(answer.error).toEqual({ errorType: 'ValueError', errorMessage: 'row 7 is corrupt' });
  const reader = new ToolStreamReader({});
  expect(reader.push(answer.body) ?? reader.end()).toEqual({ ok: false, kind: 'function_error', message: 'ValueError: row 7 is corrupt' });
});

test('an error before any line is reported with the Runtime API error call; the environment goes on', async () => {
  const api = await runtimeFor(fixtureDir, 'gated_tool.fails_early');
  const answer = await api.invoke(event({}));
  expect(answer.error).toEqual({ errorType: 'LookupError', errorMessage: 'no such table' });
  expect(answer.body.byteLength).toBe(0);
  expect((await api.invoke(event({}))).error).toEqual({ errorType: 'LookupError', errorMessage: 'no such table' });
});

test('a handler that writes nothing answers a null result', async () => {
  const api = await runtimeFor(fixtureDir, 'gated_tool.silent');
  expect(lines((await api.invoke(event({}))).body)).toEqual([{ type: 'result', result: null }]);
});

test('the example without the streaming runtime: plain_handler returns the result alone (managed Python runtime)', () => {
  const script = 'import json, sys, scan_table; print(json.dumps(scan_table.plain_handler(json.load(sys.stdin), None)))';
  const out = execFileSync('python3', ['-c', script], {
    cwd: exampleDir, input: JSON.stringify(event({ tables: ['orders'] }, 'p-2')), env: { PATH: process.env.PATH ?? '', PYTHONDONTWRITEBYTECODE: '1' },
  }).toString().trim().split('\n');
  // The lines go to stdout (CloudWatch Logs on Lambda); the return value is the result.
  expect(JSON.parse(out.at(-1)!)).toEqual({ tables: 1, rows: { orders: expect.any(Number) }, total: expect.any(Number) });
  expect(out.slice(0, -1).map((l) => JSON.parse(l).type)).toEqual(['progress', 'log']);
});
