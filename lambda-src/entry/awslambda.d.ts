/**
 * Types of the Lambda Node.js runtime's response-streaming globals.
 *
 * The globals themselves (`awslambda.streamifyResponse`, `awslambda.HttpResponseStream`)
 * are declared by `@types/aws-lambda` (handler.d.ts), which the tsconfig loads; this
 * file adds what that declaration leaves loose: the HTTP metadata `from` accepts, and the
 * hooks the runtime's response stream carries (see entry/awslambda-shim.ts, which
 * implements the same API for the local server, tests and benchmarks).
 */
import type { Writable } from 'node:stream';

/**
 * The prelude of a streamed Function URL response: status, headers and cookies. The
 * runtime serialises it as JSON, followed by 8 NUL bytes, before the first body byte.
 */
export interface HttpResponseMetadata {
  readonly statusCode: number;
  /** One value per header; multiple values comma-joined (cookies go in `cookies`). */
  readonly headers?: Record<string, string>;
  /** `Set-Cookie` values, one per cookie. */
  readonly cookies?: string[];
}

/** The response stream the runtime passes to a streamified handler. */
export interface LambdaResponseStream extends Writable {
  setContentType(contentType: string): void;
}

/** The `awslambda` global, as the runtime (or the shim) provides it. */
export interface AwsLambdaGlobal {
  streamifyResponse<TEvent = unknown>(
    handler: (event: TEvent, responseStream: LambdaResponseStream, context: import('aws-lambda').Context) => Promise<void>,
  ): (event: TEvent, responseStream: LambdaResponseStream, context: import('aws-lambda').Context) => Promise<void>;
  HttpResponseStream: {
    from(stream: Writable, metadata: HttpResponseMetadata): LambdaResponseStream;
  };
}
