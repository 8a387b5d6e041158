import { join } from 'node:path';
import { LocalInvoker, parseHandler } from '../../lambda-src/tools/local-invoker';
import type { ToolLog, ToolProgress } from '../../lambda-src/tools/tool-invoker';

// CommonJS handlers, loaded in this jest process. ES modules are loaded through the
// esbuild bundle in a real Node process: see local-invoker-bundled.test.ts.
const fixtures = join(__dirname, 'fixtures');
const invoker = new LocalInvoker();
const target = (name: string) => ({ handler: `./handlers.cjs#${name}`, baseDir: fixtures });
const event = { tool: 't', arguments: { a: 1 }, context: { requestId: 'r1', protocolVersion: '2025-11-25' } };

test('runs an exported async function with the event and a Lambda-like context', async () => {
  const outcome = await invoker.invoke(target('echo'), event);
  expect(outcome.ok).toBe(true);
  const payload = (outcome as { payload: Record<string, unknown> }).payload;
  expect(payload.event).toEqual(event);
  expect(payload.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(payload.functionName).toBe('./handlers.cjs#echo');
  expect(payload.hasTimeLeft).toBe(true);
});

test('the handler gets its own copy of the event, as over the wire', async () => {
  const mine = { tool: 't', arguments: { a: 1 } as Record<string, unknown>, context: event.context };
  const outcome = await invoker.invoke(target('mutates'), mine);
  expect(outcome).toEqual({ ok: true, payload: { a: 1, changed: true } });
  expect(mine.arguments).toEqual({ a: 1 });
});

test('handler without #export uses `handler`; baseDir falls back to the invoker option', async () => {
  const rooted = new LocalInvoker({ baseDir: fixtures });
  expect(await rooted.invoke({ handler: './handlers.cjs' }, event)).toEqual({ ok: true, payload: 'default export name' });
});

test('a synchronous function works too', async () => {
  expect(await invoker.invoke(target('synchronous'), event)).toEqual({ ok: true, payload: { sync: 't' } });
});

test('a thrown error is function_error with its type and message', async () => {
  expect(await invoker.invoke(target('throws'), event)).toEqual({ ok: false, kind: 'function_error', message: 'RangeError: count must be at most 10' });
  expect(await invoker.invoke(target('throwsString'), event)).toEqual({ ok: false, kind: 'function_error', message: 'plain string failure' });
});

test('a result that is not JSON is malformed; undefined is null, as Lambda sends', async () => {
  const outcome = await invoker.invoke(target('bigint'), event);
  expect(outcome).toMatchObject({ ok: false, kind: 'malformed' });
  expect((outcome as { message: string }).message).toMatch(/BigInt/);
  expect(await invoker.invoke(target('nothing'), event)).toEqual({ ok: true, payload: null });
});

test('a result over 6 MB is payload_too_large, as Lambda would refuse it', async () => {
  expect(await invoker.invoke(target('huge'), event)).toMatchObject({ ok: false, kind: 'payload_too_large' });
});

test('a missing module, a missing export and a bad handler string are not_found', async () => {
  const missing = await invoker.invoke({ handler: './nope.js#handler', baseDir: fixtures }, event);
  expect(missing).toMatchObject({ ok: false, kind: 'not_found' });
  expect((missing as { message: string }).message).toContain('nope.js does not exist');
  const noExport = await invoker.invoke(target('notAFunction'), event);
  expect(noExport).toMatchObject({ ok: false, kind: 'not_found' });
  expect((noExport as { message: string }).message).toContain("no exported function 'notAFunction'");
  expect(await invoker.invoke({ handler: './handlers.cjs#not-an-identifier', baseDir: fixtures }, event)).toMatchObject({ ok: false, kind: 'not_found' });
  expect(await invoker.invoke({ lambdaArn: 'arn:x' }, event)).toMatchObject({ ok: false, kind: 'not_found' });
});

test('our time limit ends the wait with timeout', async () => {
  const outcome = await invoker.invoke(target('hangs'), event, { timeoutMs: 20 });
  expect(outcome).toMatchObject({ ok: false, kind: 'timeout' });
});

test('an abort ends the wait with aborted', async () => {
  const controller = new AbortController();
  const pending = invoker.invoke(target('hangs'), event, { signal: controller.signal });
  controller.abort();
  expect(await pending).toMatchObject({ ok: false, kind: 'aborted' });
  expect(await invoker.invoke(target('echo'), event, { signal: AbortSignal.abort() })).toMatchObject({ ok: false, kind: 'aborted' });
});

test('context.sendProgress reaches onProgress', async () => {
  const reports: ToolProgress[] = [];
  const outcome = await invoker.invoke(target('progress'), event, { onProgress: (p) => reports.push(p) });
  expect(outcome).toEqual({ ok: true, payload: { steps: 3 } });
  expect(reports).toEqual([
    { progress: 1, total: 3, message: 'first' },
    { progress: 2, total: 3 },
    { progress: 3, total: 3, message: 'done' },
  ]);
});

test('context.sendLog reaches onLog; an unknown level is dropped', async () => {
  const logs: ToolLog[] = [];
  const outcome = await invoker.invoke(target('logs'), event, { onLog: (l) => logs.push(l) });
  expect(outcome).toEqual({ ok: true, payload: { logged: 2 } });
  expect(logs).toEqual([
    { level: 'debug', data: 'fine detail' },
    { level: 'warning', data: { disk: 'low' }, logger: 'storage' },
  ]);
});

test('parseHandler splits path and export', () => {
  expect(parseHandler('./tools/echo.js#run')).toEqual({ path: './tools/echo.js', exportName: 'run' });
  expect(parseHandler('./tools/echo.js')).toEqual({ path: './tools/echo.js', exportName: 'handler' });
  expect(parseHandler('#handler')).toBeUndefined();
});
