import { EventEmitter, once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import type { LambdaResponseStream } from '../../lambda-src/entry/awslambda';
import {
  awslambdaShim,
  CollectingSink,
  createInvocationContext,
  invokeStreamingHandler,
  serverResponseSink,
} from '../../lambda-src/entry/awslambda-shim';
import { createInvocationLifetime, InvocationAbortedError, writeResponse } from '../../lambda-src/entry/response-stream';

/** A body the test feeds by hand, recording whether the consumer cancelled it. */
function controlledBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const cancelled: { reason?: unknown; happened: boolean } = { happened: false };
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel(reason) {
      cancelled.happened = true;
      cancelled.reason = reason;
    },
  });
  const enc = new TextEncoder();
  return {
    stream,
    cancelled,
    push: (text: string) => controller.enqueue(enc.encode(text)),
    close: () => controller.close(),
  };
}

/** The handler shape entry/index.ts uses: lifetime, then writeResponse. */
function streamingHandler(makeResponse: (signal: AbortSignal) => Response, seen: { signal?: AbortSignal } = {}) {
  return awslambdaShim.streamifyResponse(async (_event: unknown, stream: LambdaResponseStream, context: Context) => {
    const lifetime = createInvocationLifetime(stream, context);
    seen.signal = lifetime.signal;
    try {
      await writeResponse(awslambdaShim, stream, makeResponse(lifetime.signal), lifetime.signal);
    } finally {
      lifetime.dispose();
    }
  });
}

describe('writeResponse through the awslambda shim', () => {
  test('sends status, headers and cookies before the body', async () => {
    const sink = new CollectingSink();
    const headers = new Headers({ 'content-type': 'application/json', 'mcp-session-id': 's1' });
    headers.append('set-cookie', 'a=1; Path=/');
    headers.append('set-cookie', 'b=2; Path=/');
    await invokeStreamingHandler(streamingHandler(() => new Response('{"ok":true}', { status: 201, headers })), {}, sink);
    expect(sink.statusCode).toBe(201);
    expect(sink.header('content-type')).toBe('application/json');
    expect(sink.header('mcp-session-id')).toBe('s1');
    expect(sink.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v)).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(sink.body()).toBe('{"ok":true}');
    expect(sink.ended).toBe(true);
  });

  test('an empty body still carries its status (the runtime sends the prelude on first write only)', async () => {
    const sink = new CollectingSink();
    await invokeStreamingHandler(streamingHandler(() => new Response(null, { status: 202 })), {}, sink);
    expect(sink.statusCode).toBe(202);
    expect(sink.body()).toBe('');
    expect(sink.ended).toBe(true);
  });

  test('SSE chunks reach the client in order, each before the handler has finished', async () => {
    const sink = new CollectingSink();
    const body = controlledBody();
    const done = invokeStreamingHandler(streamingHandler(() => new Response(body.stream, {
      headers: { 'content-type': 'text/event-stream' },
    })), {}, sink);
    let finished = false;
    void done.then(() => {
      finished = true;
    });

    const first = once(sink, 'chunk');
    body.push('event: message\ndata: {"n":1}\n\n');
    await first;
    expect(finished).toBe(false);
    expect(sink.statusCode).toBe(200);
    expect(sink.body()).toBe('event: message\ndata: {"n":1}\n\n');

    const second = once(sink, 'chunk');
    body.push('event: message\ndata: {"n":2}\n\n');
    await second;
    expect(finished).toBe(false);

    body.close();
    await done;
    expect(sink.chunks.map((c) => c.toString())).toEqual([
      'event: message\ndata: {"n":1}\n\n',
      'event: message\ndata: {"n":2}\n\n',
    ]);
    expect(sink.ended).toBe(true);
  });

  test('a client disconnect aborts the invocation signal and cancels the body', async () => {
    const sink = new CollectingSink();
    const body = controlledBody();
    const seen: { signal?: AbortSignal } = {};
    const done = invokeStreamingHandler(streamingHandler(() => new Response(body.stream, {
      headers: { 'content-type': 'text/event-stream' },
    }), seen), {}, sink);
    const first = once(sink, 'chunk');
    body.push('data: 1\n\n');
    await first;

    sink.disconnect();
    await done;
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.signal?.reason).toBeInstanceOf(InvocationAbortedError);
    expect((seen.signal?.reason as InvocationAbortedError).reason).toBe('client_disconnected');
    expect(body.cancelled.happened).toBe(true);
    expect(sink.ended).toBe(false);
  });

  test('near the deadline the signal aborts and the stream ends cleanly', async () => {
    const sink = new CollectingSink();
    const body = controlledBody();
    const seen: { signal?: AbortSignal } = {};
    // No time left: the deadline abort is due at once.
    const context = createInvocationContext({ timeoutMs: 0 });
    const done = invokeStreamingHandler(streamingHandler(() => new Response(body.stream), seen), {}, sink, context);
    await done;
    expect((seen.signal?.reason as InvocationAbortedError).reason).toBe('deadline');
    expect(body.cancelled.happened).toBe(true);
    expect(sink.ended).toBe(true);
    expect(sink.statusCode).toBe(200);
  });

  test('after dispose, a closing stream no longer aborts anything', async () => {
    const sink = new CollectingSink();
    const seen: { signal?: AbortSignal } = {};
    await invokeStreamingHandler(streamingHandler(() => new Response('x'), seen), {}, sink);
    expect(seen.signal?.aborted).toBe(false);
  });
});

/** A sink whose client reads only when told: every write waits for `release()`. */
class SlowSink extends CollectingSink {
  private pending: Array<() => void> = [];
  override write(chunk: Buffer, done: (err?: Error | null) => void): void {
    super.write(chunk, () => this.pending.push(() => done()));
  }
  release(): void {
    const waiting = this.pending;
    this.pending = [];
    for (const done of waiting) done();
  }
  get waiting(): number {
    return this.pending.length;
  }
}

describe('backpressure', () => {
  test('the body is not read ahead of a client that does not keep up', async () => {
    const sink = new SlowSink();
    let pulls = 0;
    const chunk = new Uint8Array(64 * 1024).fill(97); // over the stream's 16 KiB high-water mark
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        if (pulls > 4) controller.close();
        else controller.enqueue(chunk);
      },
    }, { highWaterMark: 0 });
    const done = invokeStreamingHandler(streamingHandler(() => new Response(body)), {}, sink);
    await once(sink, 'chunk');
    // Let every pending callback and I/O turn run: nothing may pull while the sink is blocked.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(sink.chunks).toHaveLength(1);
    expect(pulls).toBeLessThanOrEqual(2);
    while (!sink.ended) {
      sink.release();
      await new Promise((r) => setImmediate(r));
    }
    await done;
    expect(Buffer.concat(sink.chunks).length).toBe(4 * 64 * 1024);
  });
});

describe('serverResponseSink over a real socket', () => {
  let server: Server;
  let release: () => void;
  let finishedHandler: Promise<void>;
  let handlerDone = false;

  beforeAll(async () => {
    const body = controlledBody();
    let markFinished!: () => void;
    finishedHandler = new Promise((r) => {
      markFinished = r;
    });
    release = () => {
      body.push('data: 2\n\n');
      body.close();
    };
    server = createServer((_req, res) => {
      void invokeStreamingHandler(streamingHandler(() => {
        body.push('data: 1\n\n');
        return new Response(body.stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
      }), {}, serverResponseSink(res)).then(() => {
        handlerDone = true;
        markFinished();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  test('the client reads the first event while the handler is still running', async () => {
    const { port } = server.address() as AddressInfo;
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', method: 'GET' });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const [firstChunk] = (await once(res, 'data')) as [Buffer];
    expect(firstChunk.toString()).toBe('data: 1\n\n');

    // The body is still open (release() closes it), so the handler cannot have returned.
    expect(handlerDone).toBe(false);

    const rest: Buffer[] = [];
    res.on('data', (c: Buffer) => rest.push(c));
    release();
    await once(res, 'end');
    await finishedHandler;
    expect(Buffer.concat(rest).toString()).toBe('data: 2\n\n');
  });
});

describe('serverResponseSink when the socket closes before the end is flushed', () => {
  /**
   * What node:http does when a client leaves while `res.end()` is in flight: the
   * socket's write fails, 'close' is emitted and 'finish' never is (so `res.end`'s own
   * callback is never called). The sink must still report the end, or the invocation
   * it belongs to never ends.
   */
  class ResponseWhoseSocketCloses extends EventEmitter {
    destroyed = false;
    writableFinished = false;
    end(callback: () => void): this {
      this.once('finish', callback);
      setImmediate(() => {
        this.destroyed = true;
        this.emit('close');
      });
      return this;
    }
  }

  test.each(['signalled', 'hidden'] as const)('the end is reported (hang-ups %s)', async (hangUps) => {
    const res = new ResponseWhoseSocketCloses();
    const sink = serverResponseSink(res as unknown as ServerResponse, { hangUps });
    const ended = new Promise<Error | null | undefined>((resolve) => sink.end(resolve));
    const outcome = await Promise.race([ended.then(() => 'ended'), once(res, 'close').then(() => new Promise((r) => setImmediate(() => r('still waiting'))))]);
    expect(outcome).toBe('ended');
  });
});
