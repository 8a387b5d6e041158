/**
 * A local HTTP server on 127.0.0.1 that speaks the AWS Lambda Invoke REST API
 * (`POST /2015-03-31/functions/{FunctionName}/invocations`), so that the real
 * `@aws-sdk/client-lambda` client, pointed at it with an endpoint override and dummy
 * credentials, runs its real serialization, error parsing and abort handling
 * (CONTRIBUTING.md, "How the tests are organised": no emulator exists for Lambda Invoke).
 *
 * Functions are JS callbacks. A callback's return value is the function's JSON
 * result; a thrown Error is an unhandled function error (`X-Amz-Function-Error:
 * Unhandled`, body `{errorMessage, errorType}`); a `FakeLambdaResponse` built by
 * `lambdaResponse.*` controls the wire response exactly (throttle, 413, raw bytes).
 * An unknown function name answers 404 ResourceNotFoundException, as Lambda does.
 *
 * It also speaks InvokeWithResponseStream
 * (`POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations`): the
 * response is `application/vnd.amazon.eventstream`, framed by the AWS SDK's own event
 * stream codec, one `PayloadChunk` event per write and an `InvokeComplete` event at
 * the end (with `ErrorCode`/`ErrorDetails` when the function threw). A function
 * registered with `registerStreaming` writes its chunks as it runs; a plain function
 * invoked this way answers its whole JSON result as one chunk, as Lambda answers for a
 * function that does not stream.
 *
 * It also answers ListTags (`GET /2017-03-31/tags/{ARN}`) and GetFunction
 * (`GET /2015-03-31/functions/{FunctionName}`) with the tags given to `tag()`, for the
 * admin function's registration-by-tag check.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// The AWS SDK's own event stream codec (a dependency of every AWS SDK v3 client),
// so the frames are exactly what the SDK's decoder reads from Lambda.
// eslint-disable-next-line import/no-extraneous-dependencies
import { EventStreamCodec } from '@smithy/core/event-streams';
// eslint-disable-next-line import/no-extraneous-dependencies
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { readRequestBody } from './request-body';
import type { ResponseSink } from '../../lambda-src/entry/awslambda-shim';

export interface FakeInvocation {
  /** The function name or ARN as the client sent it (URL-decoded). */
  readonly functionName: string;
  readonly qualifier?: string;
  readonly invocationType?: string;
  /** The request body parsed as JSON (undefined when it was not JSON). */
  readonly payload: unknown;
  readonly rawPayload: string;
  /** The `X-Amz-Client-Context` header (base64 JSON), when the client sent one. */
  readonly clientContext?: string;
  /** Which API the client called. */
  readonly api: 'Invoke' | 'InvokeWithResponseStream';
}

/** What a streaming function writes to: each write is one PayloadChunk event. */
export interface FakeResponseStream {
  /** Whether the client hung up (Lambda would go on running the function). */
  readonly closed: boolean;
  write(chunk: string | Uint8Array): void;
}

export type FakeStreamingFunction = (event: unknown, stream: FakeResponseStream, invocation: FakeInvocation) => Promise<void> | void;

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function eventFrame(eventType: 'PayloadChunk' | 'InvokeComplete', body: Uint8Array, contentType: string): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':message-type': { type: 'string', value: 'event' },
      ':content-type': { type: 'string', value: contentType },
    },
    body,
  });
}

export class FakeLambdaResponse {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: string | Buffer,
  ) {}
}

/** Builders for the wire responses the Lambda service gives. */
export const lambdaResponse = {
  /** A function error, as the runtime reports a thrown exception. */
  functionError(errorMessage: string, errorType = 'Error', kind: 'Unhandled' | 'Handled' = 'Unhandled'): FakeLambdaResponse {
    return new FakeLambdaResponse(200, { 'X-Amz-Function-Error': kind }, JSON.stringify({ errorMessage, errorType, stackTrace: [] }));
  },
  /** 429: the account's or function's concurrency is exhausted. */
  throttled(message = 'Rate Exceeded.'): FakeLambdaResponse {
    return serviceError(429, 'TooManyRequestsException', message, { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', Type: 'User' });
  },
  /** 413: the request payload is over 6 MB. */
  requestTooLarge(message = 'Request must be smaller than 6291456 bytes for the InvokeFunction operation'): FakeLambdaResponse {
    return serviceError(413, 'RequestTooLargeException', message, { Type: 'User' });
  },
  /** 404: no such function. */
  notFound(functionName: string): FakeLambdaResponse {
    return serviceError(404, 'ResourceNotFoundException', `Function not found: ${functionName}`, { Type: 'User' });
  },
  /** A 200 response whose body is exactly these bytes (for non-JSON or oversized payloads). */
  raw(body: string | Buffer): FakeLambdaResponse {
    return new FakeLambdaResponse(200, {}, body);
  },
};

function serviceError(status: number, type: string, message: string, extra: Record<string, string>): FakeLambdaResponse {
  // restJson1 error shape: the SDK reads the code from `x-amzn-ErrorType`.
  return new FakeLambdaResponse(status, { 'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/com.amazonaws.lambda/` }, JSON.stringify({ ...extra, message }));
}

export type FakeFunction = (event: unknown, invocation: FakeInvocation) => unknown;

export class FakeLambdaEndpoint {
  static async start(): Promise<FakeLambdaEndpoint> {
    let endpoint: FakeLambdaEndpoint | undefined;
    const server = createServer((req, res) => {
      void endpoint!.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    endpoint = new FakeLambdaEndpoint(server, `http://127.0.0.1:${port}`);
    return endpoint;
  }

  /** Every invocation received, in order. */
  readonly invocations: FakeInvocation[] = [];
  private readonly functions = new Map<string, FakeFunction>();
  private readonly streamingFunctions = new Map<string, FakeStreamingFunction>();
  private readonly tags = new Map<string, Record<string, string>>();
  /** Every ListTags/GetFunction request's function name or ARN, in order. */
  readonly tagReads: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Registers a function under a name; an ARN ending in `:function:<name>` finds it too. */
  register(name: string, fn: FakeFunction): this {
    this.functions.set(name, fn);
    return this;
  }

  /** Registers a function that streams its response (awslambda.streamifyResponse's counterpart). */
  registerStreaming(name: string, fn: FakeStreamingFunction): this {
    this.streamingFunctions.set(name, fn);
    return this;
  }

  /** Sets a registered function's tags (what `aws lambda tag-resource` would). */
  tag(name: string, tags: Record<string, string>): this {
    if (!this.functions.has(name)) throw new Error(`no function ${name}: register it first`);
    this.tags.set(name, { ...this.tags.get(name), ...tags });
    return this;
  }

  /** Client settings that point the real SDK client here. */
  clientConfig(): { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number } {
    return { region: 'us-east-1', endpoint: this.url, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' }, maxAttempts: 1 };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const invokeMatch = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    const streamMatch = /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations$/.exec(url.pathname);
    const match = invokeMatch ?? streamMatch;
    const body = await readRequestBody(req);
    const read = req.method === 'GET' ? /^\/2017-03-31\/tags\/(.+)$/.exec(url.pathname) ?? /^\/2015-03-31\/functions\/([^/]+)$/.exec(url.pathname) : null;
    if (read) return this.readTags(res, decodeURIComponent(read[1]), url.pathname.startsWith('/2017-03-31/tags/'));
    if (req.method !== 'POST' || !match) {
      return send(res, new FakeLambdaResponse(404, { 'x-amzn-ErrorType': 'UnknownOperationException' }, JSON.stringify({ message: `no route ${req.method} ${url.pathname}` })));
    }
    const functionName = decodeURIComponent(match[1]);
    const rawPayload = body.toString('utf8');
    let payload: unknown;
    try {
      payload = rawPayload === '' ? undefined : JSON.parse(rawPayload);
    } catch {
      payload = undefined;
    }
    const invocation: FakeInvocation = {
      functionName,
      qualifier: url.searchParams.get('Qualifier') ?? undefined,
      invocationType: header(req, 'x-amz-invocation-type'),
      payload,
      rawPayload,
      clientContext: header(req, 'x-amz-client-context'),
      api: streamMatch ? 'InvokeWithResponseStream' : 'Invoke',
    };
    this.invocations.push(invocation);

    const shortName = functionName.replace(/^arn:aws[\w-]*:lambda:[^:]+:\d+:function:/, '').replace(/:[^:]+$/, '');
    const streaming = this.streamingFunctions.get(functionName) ?? this.streamingFunctions.get(shortName);
    if (streaming && streamMatch) return streamResponse(res, (stream) => streaming(payload, stream, invocation));
    const fn = this.functions.get(functionName) ?? this.functions.get(shortName);
    if (!fn && streaming) {
      // A streaming function called with a plain Invoke: Lambda buffers what it writes.
      const chunks: Buffer[] = [];
      const buffered: FakeResponseStream = { write: (c) => chunks.push(Buffer.from(c)), closed: false };
      try {
        await streaming(payload, buffered, invocation);
        return send(res, lambdaResponse.raw(Buffer.concat(chunks)));
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        return send(res, lambdaResponse.functionError(error.message, error.name));
      }
    }
    if (!fn) return send(res, lambdaResponse.notFound(functionName));
    if (streamMatch) {
      // A function that does not stream, called with InvokeWithResponseStream: its
      // whole result is one chunk; a thrown error ends the stream with an ErrorCode.
      let value: unknown;
      let error: unknown;
      try {
        value = await fn(payload, invocation);
      } catch (err) {
        error = err ?? new Error('thrown');
      }
      // A service error (throttle, 404, 413) is the HTTP response itself, before any stream.
      if (value instanceof FakeLambdaResponse) return send(res, value);
      return streamResponse(res, (stream) => {
        if (error !== undefined) throw error;
        stream.write(value === undefined ? 'null' : JSON.stringify(value));
      });
    }
    let response: FakeLambdaResponse;
    try {
      const value = await fn(payload, invocation);
      response = value instanceof FakeLambdaResponse ? value : new FakeLambdaResponse(200, {}, value === undefined ? 'null' : JSON.stringify(value));
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      response = lambdaResponse.functionError(error.message, error.name);
    }
    if (!res.destroyed) send(res, response);
  }

  private readTags(res: ServerResponse, functionName: string, listTags: boolean): void {
    this.tagReads.push(functionName);
    const name = functionName.replace(/^arn:aws[\w-]*:lambda:[^:]+:\d+:function:/, '');
    // ListTags takes only an unqualified function ARN; a qualified one is a bad request.
    if (listTags && (!functionName.startsWith('arn:') || name.includes(':'))) {
      return send(res, serviceError(400, 'InvalidParameterValueException', `Invalid ARN: ${functionName}`, { Type: 'User' }));
    }
    if (!this.functions.has(name)) return send(res, lambdaResponse.notFound(functionName));
    const tags = this.tags.get(name) ?? {};
    const arn = `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
    const body = listTags ? { Tags: tags } : { Configuration: { FunctionName: name, FunctionArn: arn }, Tags: tags };
    send(res, new FakeLambdaResponse(200, {}, JSON.stringify(body)));
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Answers InvokeWithResponseStream: headers at once, then each write as a PayloadChunk
 * event as it happens, then InvokeComplete (with the error when the function threw).
 */
async function streamResponse(res: ServerResponse, run: (stream: FakeResponseStream) => Promise<void> | void): Promise<void> {
  res.writeHead(200, {
    'Content-Type': 'application/vnd.amazon.eventstream',
    'x-amzn-RequestId': `fake-${Math.random().toString(16).slice(2)}`,
    'X-Amz-Executed-Version': '$LATEST',
  });
  const stream: FakeResponseStream = {
    write: (chunk) => {
      if (res.destroyed) return;
      res.write(eventFrame('PayloadChunk', typeof chunk === 'string' ? fromUtf8(chunk) : chunk, 'application/octet-stream'));
    },
    get closed() {
      return res.destroyed;
    },
  };
  let complete: Record<string, string> = {};
  try {
    await run(stream);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    complete = { ErrorCode: 'Unhandled', ErrorDetails: JSON.stringify({ errorType: error.name, errorMessage: error.message }) };
  }
  if (res.destroyed) return;
  res.end(eventFrame('InvokeComplete', fromUtf8(JSON.stringify(complete)), 'application/json'));
}

function send(res: ServerResponse, response: FakeLambdaResponse): void {
  const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
  res.writeHead(response.status, {
    'Content-Type': 'application/json',
    'Content-Length': String(body.byteLength),
    'x-amzn-RequestId': `fake-${Math.random().toString(16).slice(2)}`,
    'X-Amz-Executed-Version': '$LATEST',
    ...response.headers,
  });
  res.end(body);
}

/** A sink that forwards what a streamified handler writes to the fake endpoint's response stream. */
export function sinkTo(stream: FakeResponseStream): ResponseSink {
  return {
    start: () => undefined,
    write: (chunk, done) => {
      stream.write(chunk);
      done();
    },
    end: (done) => done(),
    onDisconnect: () => undefined,
  };
}
