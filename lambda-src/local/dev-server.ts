/**
 * The local dev server: `node:http` in front of the real Lambda handler (DESIGN.md,
 * "Runtime layers" 7). Each HTTP request becomes the Function URL event AWS would send,
 * and the handler from entry/index.ts answers it through the awslambda shim, so what
 * runs locally is the deployed code path: event conversion, Origin/CORS/auth, the
 * protocol endpoint, the DynamoDB stores (on DynamoDB Local), response streaming.
 *
 * Differences from a deployment, on purpose: auth mode `local` (every caller is the
 * `local` principal), the Origin/Host policy of a localhost server, registry items may
 * name a local `handler` module, and the registry cache is short so edits show quickly.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HandlerConfig } from '../config';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local-launcher';
import { buildFunctionUrlEvent } from './function-url-event-builder';
import { createInvocationContext, invokeStreamingHandler, serverResponseSink } from '../entry/awslambda-shim';
import { createHandler, type StreamingHandler } from '../entry/index';
import { createAuthenticator } from '../http/authenticator';
import { OriginPolicy } from '../http/origin-policy';
import { consoleLogSink, type LogSink } from '../http/request-log';
import { loadRegistryFile, readRegistryFile } from '../registry/registry-file';
import type { RegistryItem } from '../registry/registry-item';
import { sharedDocumentClient } from '../store/dynamodb-client';
import { DynamoDbRegistryStore } from '../store/dynamodb-registry-store';
import { createTables } from '../store/table-schema';
import { LambdaInvoker } from '../tools/lambda-invoker';
import { LocalInvoker } from '../tools/local-invoker';
import { RoutingInvoker } from '../tools/routing-invoker';

/** Lambda's limit on a synchronous request payload: a Function URL answers 413 above it. */
const FUNCTION_URL_MAX_REQUEST_BYTES = 6 * 1024 * 1024;

export interface DevServerOptions {
  /** @default 3000; 0 picks a free port */
  readonly port?: number;
  /** @default '127.0.0.1' (MCP transports: local servers SHOULD bind only to localhost) */
  readonly host?: string;
  /** A JSON array of registry items; `handler` paths are relative to it. */
  readonly registryFile?: string;
  /** Items to register in addition to (after) the file's. */
  readonly items?: readonly RegistryItem[];
  /** Use this DynamoDB endpoint instead of starting DynamoDB Local (tests share one). */
  readonly dynamoDbEndpoint?: string;
  /** Table name prefix; @default 'mcp-local' (random when sharing `dynamoDbEndpoint`) */
  readonly tablePrefix?: string;
  /** Browser origins allowed besides loopback ones. */
  readonly allowedOrigins?: readonly string[];
  /** Settings that differ from the local defaults. */
  readonly config?: Partial<HandlerConfig>;
  /** Where request log lines go. @default stdout */
  readonly log?: LogSink;
  /** Invocation time budget per request, like the function timeout. @default 15 minutes */
  readonly invocationTimeoutMs?: number;
  /**
   * How long a client may take to send a whole request (headers and body); a client
   * that sends headers and never the body gets 408 after it. Answers, SSE streams
   * included, are not bounded by it. @default 30000
   */
  readonly requestTimeoutMs?: number;
}

/** The default of DevServerOptions.requestTimeoutMs. */
export const DEV_SERVER_REQUEST_TIMEOUT_MS = 30_000;

export interface DevServer {
  /** `http://HOST:PORT/mcp` */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly config: HandlerConfig;
  /** The registered items, in order. */
  readonly items: readonly RegistryItem[];
  readonly dynamoDbEndpoint: string;
  /** Stops accepting requests, closes open streams, and stops DynamoDB Local if it started it. */
  stop(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  // Read and check the file before starting anything, so a broken file fails fast.
  if (options.registryFile) await readRegistryFile(options.registryFile);

  let dynamo: DynamoDbLocal | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  try {
    if (!options.dynamoDbEndpoint) {
      dynamo = await startDynamoDbLocal();
      cleanups.push(() => dynamo!.stop());
    }
    const endpoint = options.dynamoDbEndpoint ?? dynamo!.endpoint;
    const prefix = options.tablePrefix ?? (options.dynamoDbEndpoint ? `mcp-local-${randomBytes(4).toString('hex')}` : 'mcp-local');
    const config: HandlerConfig = {
      sessionTable: `${prefix}-sessions`,
      registryTable: `${prefix}-registry`,
      serverName: 'mcp-lambda-server-local',
      serverVersion: '0.0.0-local',
      sessionTtlSeconds: 24 * 3600,
      registryCacheSeconds: 1,
      authMode: 'local',
      allowedOrigins: [...(options.allowedOrigins ?? [])],
      maxBodyBytes: 4 * 1024 * 1024,
      toolTimeoutSeconds: 60,
      dynamoDbEndpoint: endpoint,
      ...options.config,
    };

    const admin = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      await createTables(admin, { sessionTable: config.sessionTable, registryTable: config.registryTable });
    } finally {
      admin.destroy();
    }
    const registryStore = new DynamoDbRegistryStore({ client: sharedDocumentClient({ endpoint }), tableName: config.registryTable });
    // The store then holds exactly the file's items, in its order (registry-file.ts).
    const items = options.registryFile ? [...(await loadRegistryFile(options.registryFile, registryStore)).items] : [];
    for (const item of options.items ?? []) {
      await registryStore.put(item);
      items.push(item);
    }

    const extraHosts = host === '0.0.0.0' || host === '::' || host === '127.0.0.1' || host === 'localhost' ? [] : [host];
    const handler: StreamingHandler = createHandler({
      config,
      registryStore,
      // Tools by ARN still go to real Lambda (with the developer's AWS credentials);
      // `handler` modules run in process.
      invoker: new RoutingInvoker({ lambda: new LambdaInvoker(), local: new LocalInvoker() }),
      originPolicy: OriginPolicy.local(config.allowedOrigins, extraHosts),
      authenticator: createAuthenticator('local'),
      log: options.log ?? consoleLogSink,
    });

    // Slow clients (headers without a body, a body trickled byte by byte) are cut off
    // after requestTimeoutMs: node checks it only until the request has arrived, so an
    // SSE answer may still stream for minutes. headersTimeout may not exceed it.
    const requestTimeout = options.requestTimeoutMs ?? DEV_SERVER_REQUEST_TIMEOUT_MS;
    const server = createServer({
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 10_000),
      connectionsCheckingInterval: Math.min(requestTimeout, 1_000),
    }, (req, res) => {
      void serve(handler, req, res, `${host}:${(server.address() as AddressInfo).port}`, options.invocationTimeoutMs);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 3000, host, () => resolve());
    });
    cleanups.unshift(() => closeServer(server));
    const port = (server.address() as AddressInfo).port;
    const urlHost = host.includes(':') ? `[${host}]` : host;

    let stopped: Promise<void> | undefined;
    return {
      url: `http://${urlHost}:${port}/mcp`,
      port,
      host,
      config,
      items,
      dynamoDbEndpoint: endpoint,
      stop() {
        stopped ??= runCleanups(cleanups);
        return stopped;
      },
    };
  } catch (err) {
    await runCleanups(cleanups);
    throw err;
  }
}

/** Answers one HTTP request with the handler, as a Function URL would invoke it. */
export async function serve(
  handler: StreamingHandler, req: IncomingMessage, res: ServerResponse, fallbackHost: string, timeoutMs?: number,
): Promise<void> {
  try {
    const body = await readBody(req, FUNCTION_URL_MAX_REQUEST_BYTES);
    if (body === undefined) {
      // What a Function URL answers for a request over Lambda's payload limit.
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `Request must be smaller than ${FUNCTION_URL_MAX_REQUEST_BYTES} bytes for the InvokeFunction operation` }));
      return;
    }
    const event = buildFunctionUrlEvent(req, body, fallbackHost);
    await invokeStreamingHandler(handler, event, serverResponseSink(res), createInvocationContext({ timeoutMs }));
  } catch (err) {
    consoleLogSink(JSON.stringify({ level: 'error', msg: 'local server: invocation failed', error: (err as Error).message }));
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal Server Error' }));
    } else {
      res.destroy();
    }
  }
}

/** The whole body, or undefined when it is over `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Stops listening and drops open connections (SSE streams would hold `close()` forever). */
export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Open SSE streams would hold close() forever.
    server.closeAllConnections();
  });
}

async function runCleanups(cleanups: Array<() => Promise<void>>): Promise<void> {
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch {
      // keep going: the rest must still be released
    }
  }
}
