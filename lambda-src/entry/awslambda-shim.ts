/**
 * A stand-in for the Lambda Node.js runtime's response-streaming globals
 * (`awslambda.streamifyResponse`, `awslambda.HttpResponseStream.from`), so the local
 * server, the tests and the benchmarks run the real entry code (entry/index.ts), not a
 * copy of it.
 *
 * API semantics follow the runtime (aws-lambda-nodejs-runtime-interface-client,
 * HttpResponseStream.js): `from(stream, metadata)` returns the same stream, sets its
 * content type to `application/vnd.awslambda.http-integration-response`, and the
 * metadata (status, headers, cookies) takes effect just before the FIRST write; a
 * stream that is ended without any write never sends it. On the wire the runtime
 * serialises the metadata as JSON plus 8 NUL bytes; that framing is internal to the
 * runtime, so here the metadata goes straight to a sink (a `node:http` response, or a
 * collector for tests).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import type { AwsLambdaGlobal, HttpResponseMetadata, LambdaResponseStream } from './awslambda';

export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** The symbol the runtime uses to recognise a streaming handler. */
const STREAMING_HANDLER = Symbol.for('aws.lambda.runtime.handler.streaming');

/** Where a shim response stream delivers what the handler writes. */
export interface ResponseSink {
  /** Status and headers, once, before the first body chunk. */
  start(statusCode: number, headers: Array<[string, string]>): void;
  /** One body chunk; `done` is called when the sink can take more (backpressure). */
  write(chunk: Buffer, done: (err?: Error | null) => void): void;
  end(done: (err?: Error | null) => void): void;
  /** Called once if the client goes away before `end`. */
  onDisconnect(listener: () => void): void;
}

/** The response stream handed to a streamified handler, writing into a sink. */
export class ShimResponseStream extends Writable implements LambdaResponseStream {
  private contentType = 'application/octet-stream';
  private metadata?: HttpResponseMetadata;
  private started = false;

  constructor(private readonly sink: ResponseSink) {
    super({ decodeStrings: true });
    sink.onDisconnect(() => {
      if (!this.writableFinished && !this.destroyed) {
        this.destroy(new Error('client disconnected'));
      }
    });
  }

  setContentType(contentType: string): void {
    this.contentType = contentType;
  }

  /** Called by `HttpResponseStream.from`: the prelude, applied before the first write. */
  setHttpMetadata(metadata: HttpResponseMetadata): void {
    this.contentType = HTTP_INTEGRATION_CONTENT_TYPE;
    this.metadata = metadata;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.startOnce();
    if (chunk.length === 0) {
      callback();
      return;
    }
    this.sink.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // Like the runtime: a stream that was never written to sends no prelude, so the
    // response is a bare 200 (entry/response-stream.ts always writes at least once).
    if (!this.started) {
      this.started = true;
      this.sink.start(200, [['content-type', this.contentType]]);
    }
    this.sink.end(callback);
  }

  private startOnce(): void {
    if (this.started) return;
    this.started = true;
    if (this.metadata && this.contentType === HTTP_INTEGRATION_CONTENT_TYPE) {
      const headers: Array<[string, string]> = Object.entries(this.metadata.headers ?? {});
      for (const cookie of this.metadata.cookies ?? []) headers.push(['set-cookie', cookie]);
      this.sink.start(this.metadata.statusCode, headers);
    } else {
      this.sink.start(200, [['content-type', this.contentType]]);
    }
  }
}

export const awslambdaShim: AwsLambdaGlobal = {
  streamifyResponse(handler) {
    Object.defineProperty(handler, STREAMING_HANDLER, { value: 'response' });
    return handler;
  },
  HttpResponseStream: {
    from(stream, metadata) {
      if (!(stream instanceof ShimResponseStream)) {
        throw new TypeError('HttpResponseStream.from: not a response stream of the awslambda shim');
      }
      stream.setHttpMetadata(metadata);
      return stream;
    },
  },
};

/**
 * The `awslambda` global: the runtime's when running in Lambda, else this shim,
 * installed on `globalThis` so code that names the global directly works too.
 */
export function ensureAwslambdaGlobal(): AwsLambdaGlobal {
  const g = globalThis as unknown as { awslambda?: Partial<AwsLambdaGlobal> };
  // Outside Lambda the global may exist without the streaming API: the AWS SDK v3
  // (through @aws/lambda-invoke-store) creates `globalThis.awslambda = {}` to hang its
  // InvokeStore on. Complete that object rather than replace it.
  const existing = g.awslambda ?? (g.awslambda = {});
  if (typeof existing.streamifyResponse !== 'function' || typeof existing.HttpResponseStream?.from !== 'function') {
    existing.streamifyResponse = awslambdaShim.streamifyResponse;
    existing.HttpResponseStream = awslambdaShim.HttpResponseStream;
  }
  return existing as AwsLambdaGlobal;
}

/** A Lambda `Context` for a local invocation with the given time budget. */
export function createInvocationContext(options: { timeoutMs?: number; requestId?: string; functionName?: string } = {}): Context {
  const timeoutMs = options.timeoutMs ?? 15 * 60 * 1000;
  const deadline = Date.now() + timeoutMs;
  const functionName = options.functionName ?? 'mcp-lambda-server-local';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: options.requestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type StreamingHandler<TEvent> = (event: TEvent, stream: LambdaResponseStream, context: Context) => Promise<void>;

/**
 * Invokes a streamified handler as the runtime would: with a fresh response stream
 * over `sink`. Resolves when the handler has returned and the stream has finished. A
 * handler that throws before writing gets a 500 (the runtime reports an error instead).
 */
export async function invokeStreamingHandler<TEvent>(
  handler: StreamingHandler<TEvent>, event: TEvent, sink: ResponseSink, context: Context = createInvocationContext(),
): Promise<void> {
  const stream = new ShimResponseStream(sink);
  // The runtime never lets a stream error escape as an uncaught exception.
  stream.on('error', () => undefined);
  const finished = new Promise<void>((resolve) => {
    if (stream.writableFinished || stream.destroyed) resolve();
    stream.once('finish', () => resolve());
    stream.once('close', () => resolve());
  });
  try {
    await handler(event, stream, context);
  } catch (err) {
    if (!stream.destroyed && !stream.writableEnded) {
      awslambdaShim.HttpResponseStream.from(stream, { statusCode: 500, headers: { 'content-type': 'application/json' } });
      stream.end(JSON.stringify({ errorType: 'Runtime.HandlerError', errorMessage: 'the handler failed' }));
    }
    await finished;
    throw err;
  }
  if (!stream.writableEnded && !stream.destroyed) stream.end();
  await finished;
}

export interface ServerSinkOptions {
  /**
   * `signalled` (the default): a client's hang-up ends the response stream, as a local
   * server would. `hidden`: as on Lambda, where a streamed response is NOT interrupted
   * when the client's connection breaks: the handler is never told, its writes are
   * accepted and dropped, and the invocation runs (and bills) until the handler ends
   * it. Tests that bound streams run in this mode, so nothing they prove depends on
   * seeing a hang-up.
   */
  readonly hangUps?: 'signalled' | 'hidden';
}

/** A sink onto a `node:http` response: what the local server uses. */
export function serverResponseSink(res: ServerResponse, options: ServerSinkOptions = {}): ResponseSink {
  const hidden = options.hangUps === 'hidden';
  return {
    start(statusCode, headers) {
      const flat: string[] = [];
      for (const [name, value] of headers) flat.push(name, value);
      res.writeHead(statusCode, flat);
      // Send status and headers now: an SSE client must see them before the first event.
      res.flushHeaders();
    },
    write(chunk, done) {
      if (res.destroyed) {
        done(hidden ? null : new Error('client disconnected'));
        return;
      }
      if (res.write(chunk)) {
        done();
        return;
      }
      const settle = () => {
        res.off('drain', settle);
        res.off('close', settle);
        done(res.destroyed && !res.writableFinished && !hidden ? new Error('client disconnected') : null);
      };
      res.on('drain', settle);
      res.on('close', settle);
    },
    end(done) {
      if (res.destroyed) {
        done();
        return;
      }
      // `res.end`'s callback waits for 'finish', which never comes when the socket
      // closes first (a client that leaves while the last bytes are in flight): the
      // invocation would then never end. 'close' comes in both cases.
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        res.off('close', settle);
        done();
      };
      res.once('close', settle);
      res.end(settle);
    },
    onDisconnect(listener) {
      if (hidden) return;
      res.once('close', () => {
        if (!res.writableFinished) listener();
      });
    },
  };
}

/**
 * A sink that collects the response in memory and reports each step as an event, for
 * tests and benchmarks: `start`, `chunk` (each body chunk as written), `end`.
 * `disconnect()` plays a client that goes away.
 */
export class CollectingSink extends EventEmitter implements ResponseSink {
  statusCode?: number;
  headers: Array<[string, string]> = [];
  readonly chunks: Buffer[] = [];
  ended = false;
  disconnected = false;
  private disconnectListeners: Array<() => void> = [];

  start(statusCode: number, headers: Array<[string, string]>): void {
    this.statusCode = statusCode;
    this.headers = headers;
    this.emit('start', statusCode, headers);
  }

  write(chunk: Buffer, done: (err?: Error | null) => void): void {
    if (this.disconnected) {
      done(new Error('client disconnected'));
      return;
    }
    this.chunks.push(Buffer.from(chunk));
    this.emit('chunk', chunk);
    done();
  }

  end(done: (err?: Error | null) => void): void {
    this.ended = true;
    this.emit('end');
    done();
  }

  onDisconnect(listener: () => void): void {
    this.disconnectListeners.push(listener);
  }

  disconnect(): void {
    if (this.disconnected || this.ended) return;
    this.disconnected = true;
    for (const l of this.disconnectListeners) l();
  }

  header(name: string): string | undefined {
    return this.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
  }

  body(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
