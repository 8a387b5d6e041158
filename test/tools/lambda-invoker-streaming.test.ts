/**
 * Streaming tools (`streaming: true`): the real @aws-sdk/client-lambda client's
 * InvokeWithResponseStreamCommand against a local endpoint that answers in Lambda's
 * `application/vnd.amazon.eventstream` framing (test/support/fake-lambda-endpoint.ts),
 * read as the tool stream (lambda-src/tools/tool-stream.ts).
 */
import { MAX_SYNC_PAYLOAD_BYTES } from '../../lambda-src/tools/payload-limits';
import type { ToolLog, ToolProgress } from '../../lambda-src/tools/tool-invoker';
import { lambdaResponse } from '../support/fake-lambda-endpoint';
import { functionArn, useLambdaInvokerFixture } from '../support/lambda-invoker-fixture';

const lambda = useLambdaInvokerFixture();
const line = (value: unknown) => `${JSON.stringify(value)}\n`;

function recorder() {
  const progress: ToolProgress[] = [];
  const logs: ToolLog[] = [];
  return { progress, logs, options: { onProgress: (p: ToolProgress) => progress.push(p), onLog: (l: ToolLog) => logs.push(l) } };
}

test('progress and log lines reach the callbacks while the function runs, before its result line', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
    lambda.releases.push(resolve);
  });
  lambda.endpoint.registerStreaming('scan', async (_event, stream) => {
    stream.write(line({ type: 'progress', progress: 1, total: 2, message: 'table 1' }));
    stream.write(line({ type: 'log', level: 'info', data: { rows: 120 }, logger: 'scan' }));
    // The function waits until the caller has seen the progress: it arrived during the call.
    await gate;
    stream.write(line({ type: 'progress', progress: 2, total: 2 }));
    stream.write(line({ type: 'result', result: { content: [{ type: 'text', text: 'done' }] } }));
  });
  const seen = recorder();
  let firstProgress!: () => void;
  const sawProgress = new Promise<void>((resolve) => (firstProgress = resolve));
  const pending = lambda.invoker.invoke({ lambdaArn: functionArn('scan'), streaming: true }, { tool: 'scan' }, {
    onProgress: (p) => {
      seen.progress.push(p);
      firstProgress();
    },
    onLog: seen.options.onLog,
  });
  await sawProgress;
  expect(seen.progress).toEqual([{ progress: 1, total: 2, message: 'table 1' }]);
  release();

  expect(await pending).toEqual({ ok: true, payload: { content: [{ type: 'text', text: 'done' }] } });
  expect(seen.progress).toEqual([{ progress: 1, total: 2, message: 'table 1' }, { progress: 2, total: 2 }]);
  expect(seen.logs).toEqual([{ level: 'info', data: { rows: 120 }, logger: 'scan' }]);
  const call = lambda.endpoint.invocations.at(-1)!;
  expect(call.api).toBe('InvokeWithResponseStream');
  expect(call.payload).toEqual({ tool: 'scan' });
});

test('lines split across chunks anywhere (inside a UTF-8 character too) are read whole', async () => {
  const text = line({ type: 'progress', progress: 1, message: 'größe ✓' }) + line({ type: 'result', result: { ok: 'ja ✓' } });
  const bytes = Buffer.from(text);
  lambda.endpoint.registerStreaming('split', (_event, stream) => {
    for (let i = 0; i < bytes.length; i += 3) stream.write(bytes.subarray(i, i + 3));
  });
  const seen = recorder();
  expect(await lambda.invoker.invoke({ lambdaArn: 'split', streaming: true }, {}, seen.options)).toEqual({ ok: true, payload: { ok: 'ja ✓' } });
  expect(seen.progress).toEqual([{ progress: 1, message: 'größe ✓' }]);
});

test('a function that does not stream answers its result as one chunk: read as a plain result', async () => {
  lambda.endpoint.register('plain', () => ({ content: [{ type: 'text', text: 'plain' }] }));
  expect(await lambda.invoker.invoke({ lambdaArn: 'plain', streaming: true }, {})).toEqual({ ok: true, payload: { content: [{ type: 'text', text: 'plain' }] } });
  // A pretty-printed result spans lines: still one value.
  lambda.endpoint.registerStreaming('pretty', (_e, stream) => stream.write(JSON.stringify({ a: [1, 2] }, null, 2)));
  expect(await lambda.invoker.invoke({ lambdaArn: 'pretty', streaming: true }, {})).toEqual({ ok: true, payload: { a: [1, 2] } });
  lambda.endpoint.register('nothing', () => undefined);
  expect(await lambda.invoker.invoke({ lambdaArn: 'nothing', streaming: true }, {})).toEqual({ ok: true, payload: null });
});

test('a thrown error ends the stream with InvokeComplete ErrorCode: a function_error with its message', async () => {
  lambda.endpoint.registerStreaming('fails', async (_e, stream) => {
    stream.write(line({ type: 'progress', progress: 1 }));
    throw new RangeError('order 42 does not exist');
  });
  const seen = recorder();
  expect(await lambda.invoker.invoke({ lambdaArn: 'fails', streaming: true }, {}, seen.options))
    .toEqual({ ok: false, kind: 'function_error', message: 'RangeError: order 42 does not exist' });
  expect(seen.progress).toEqual([{ progress: 1 }]);
});

test('an error line ends the call as a function error', async () => {
  lambda.endpoint.registerStreaming('errorLine', (_e, stream) => {
    stream.write(line({ type: 'error', errorType: 'ValueError', errorMessage: 'bad table' }));
    stream.write(line({ type: 'result', result: 'never read' }));
  });
  expect(await lambda.invoker.invoke({ lambdaArn: 'errorLine', streaming: true }, {})).toEqual({ ok: false, kind: 'function_error', message: 'ValueError: bad table' });
});

test('hostile lines: unknown types, bad levels, non-increasing progress and non-JSON lines are skipped', async () => {
  lambda.endpoint.registerStreaming('noisy', (_e, stream) => {
    stream.write(line({ type: 'progress', progress: 5 }));
    stream.write(line({ type: 'progress', progress: 5 })); // not increasing
    stream.write(line({ type: 'progress', progress: 3 })); // going back
    stream.write(line({ type: 'progress', progress: 'six' }));
    stream.write(line({ type: 'log', level: 'shout', data: 'x' }));
    stream.write(line({ type: 'log', level: 'warning', data: 'kept' }));
    stream.write(line({ type: 'surprise' }));
    stream.write('not json at all\n');
    stream.write(line({ type: 'progress', progress: 6, total: 'many' }));
    stream.write(line({ type: 'result', result: 1 }));
  });
  const seen = recorder();
  expect(await lambda.invoker.invoke({ lambdaArn: 'noisy', streaming: true }, {}, seen.options)).toEqual({ ok: true, payload: 1 });
  expect(seen.progress).toEqual([{ progress: 5 }, { progress: 6 }]);
  expect(seen.logs).toEqual([{ level: 'warning', data: 'kept' }]);
});

test('a stream that ends without a result line is malformed', async () => {
  lambda.endpoint.registerStreaming('noResult', (_e, stream) => stream.write(line({ type: 'progress', progress: 1 })));
  const outcome = await lambda.invoker.invoke({ lambdaArn: 'noResult', streaming: true }, {});
  expect(outcome).toEqual({ ok: false, kind: 'malformed', message: expect.stringMatching(/ended without a \{"type":"result"\} line/) });
});

test('a line over 6 MB is payload_too_large', async () => {
  lambda.endpoint.registerStreaming('huge', (_e, stream) => {
    stream.write(line({ type: 'progress', progress: 1 }));
    const chunk = 'x'.repeat(1024 * 1024);
    stream.write('{"type":"result","result":"');
    for (let i = 0; i <= MAX_SYNC_PAYLOAD_BYTES / chunk.length; i++) stream.write(chunk);
    stream.write('"}\n');
  });
  const outcome = await lambda.invoker.invoke({ lambdaArn: 'huge', streaming: true }, {});
  expect(outcome).toEqual({ ok: false, kind: 'payload_too_large', message: expect.stringMatching(/line of the function's response stream is over 6.0 MB/) });
});

test('a throttle (429 before any stream) is retried, then reported', async () => {
  lambda.endpoint.register('busy', () => lambdaResponse.throttled());
  const before = lambda.endpoint.invocations.length;
  const outcome = await lambda.invoker.invoke({ lambdaArn: 'busy', streaming: true }, {});
  expect(outcome).toEqual({ ok: false, kind: 'throttled', message: expect.stringMatching(/throttled/) });
  expect(lambda.endpoint.invocations.length - before).toBe(3);
});

test('the deadline ends a stream that stops writing: timeout, and nothing reported after it', async () => {
  lambda.endpoint.registerStreaming('stalls', async (_e, stream) => {
    stream.write(line({ type: 'progress', progress: 1 }));
    await new Promise<void>((resolve) => lambda.releases.push(resolve));
    stream.write(line({ type: 'progress', progress: 2 }));
  });
  const seen = recorder();
  const outcome = await lambda.invoker.invoke({ lambdaArn: 'stalls', streaming: true }, {}, { ...seen.options, timeoutMs: 500 });
  expect(outcome).toEqual({ ok: false, kind: 'timeout', message: expect.stringMatching(/no response from stalls within/) });
  expect(seen.progress).toEqual([{ progress: 1 }]);
});

test('a client cancel ends the stream: aborted', async () => {
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  lambda.endpoint.registerStreaming('cancelled', async (_e, stream) => {
    stream.write(line({ type: 'progress', progress: 1 }));
    started();
    await new Promise<void>((resolve) => lambda.releases.push(resolve));
  });
  const controller = new AbortController();
  const pending = lambda.invoker.invoke({ lambdaArn: 'cancelled', streaming: true }, {}, { signal: controller.signal, onProgress: () => controller.abort() });
  await running;
  expect(await pending).toEqual({ ok: false, kind: 'aborted', message: expect.any(String) });
});

test('a target without streaming still uses a plain Invoke', async () => {
  lambda.endpoint.register('classic', () => ({ ok: true }));
  expect(await lambda.invoker.invoke({ lambdaArn: 'classic' }, {})).toEqual({ ok: true, payload: { ok: true } });
  expect(lambda.endpoint.invocations.at(-1)!.api).toBe('Invoke');
});

test('a streaming function registered without streaming: Lambda buffers its lines, and the result line is still read', async () => {
  lambda.endpoint.registerStreaming('bufferedLines', (_e, stream) => {
    stream.write(line({ type: 'progress', progress: 1 }));
    stream.write(line({ type: 'result', result: { rows: 3 } }));
  });
  const seen = recorder();
  expect(await lambda.invoker.invoke({ lambdaArn: 'bufferedLines' }, {}, seen.options)).toEqual({ ok: true, payload: { rows: 3 } });
  expect(lambda.endpoint.invocations.at(-1)!.api).toBe('Invoke');
  // Too late to be progress: nothing is reported.
  expect(seen.progress).toEqual([]);
  // A plain result that happens to look like a line stays the plain value.
  lambda.endpoint.register('looksLikeALine', () => ({ type: 'error', message: 'a domain object' }));
  expect(await lambda.invoker.invoke({ lambdaArn: 'looksLikeALine' }, {})).toEqual({ ok: true, payload: { type: 'error', message: 'a domain object' } });
});
