/**
 * `mcp-lambda-server proxy`: lets MCP clients that cannot sign requests (Claude Desktop,
 * Cursor, VS Code, the MCP Inspector) reach an endpoint whose Function URL uses IAM auth.
 *
 *   mcp-lambda-server proxy --url https://<id>.lambda-url.<region>.on.aws/mcp [--region R] [--profile P] [--port N]
 *
 * Without --port it is an MCP server on stdio: each JSON-RPC message read from stdin is
 * POSTed to the endpoint, and every message the endpoint answers (JSON or SSE, on the POST
 * or on the session's GET stream) is written to stdout. The SDK's own transports do the
 * Streamable HTTP work (session id, protocol version header, the GET stream, resuming a
 * stream the server closed with Last-Event-ID); this file only adds the signature.
 *
 * With --port it is also (or instead) a plain HTTP reverse proxy on 127.0.0.1: every
 * request is forwarded byte for byte, signed, and the response is streamed back as it
 * arrives, so any era of the protocol and any client that speaks Streamable HTTP work.
 *
 * Signing: AWS Signature Version 4 with service `lambda` (what a Function URL with
 * AuthType AWS_IAM verifies), the AWS SDK's own signer and default credential chain
 * (environment, --profile / AWS_PROFILE with SSO, web identity, container and instance
 * roles). The body is hashed into the signature (x-amz-content-sha256): Function URLs
 * refuse an unsigned payload for POST.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
// The v1 SDK resolves through its package "exports" map, which eslint's import resolver does not read.
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// eslint-disable-next-line import/no-unresolved
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
// eslint-disable-next-line import/no-unresolved
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { writeFetchResponse } from './write-fetch-response';

/** No usable AWS credentials: the message says where the chain looked and what to run. */
export class MissingCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingCredentialsError';
  }
}

/** The endpoint answered 403: the signature or the signer's permissions were refused. */
export function describeRefusal(status: number, body: string, region: string): string {
  const detail = body.trim().slice(0, 500) || '(no body)';
  return `the endpoint refused the signed request (HTTP ${status}): ${detail}. ` +
    'Check that the credentials belong to a principal allowed lambda:InvokeFunctionUrl on this function, ' +
    `that the function is in ${region} (--region), and that the machine's clock is right.`;
}

export interface SigningFetchOptions {
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  /** Where to send the signed request (tests); the global fetch otherwise. */
  readonly fetch?: typeof fetch;
  /** Which credential source to name in the missing-credentials message. */
  readonly profile?: string;
}

/** Headers a hop may change or that say nothing to the endpoint: never signed, never forwarded. */
const HOP_HEADERS = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer',
  'content-length', 'authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256',
  'accept-encoding', 'origin', 'referer', 'cookie', 'user-agent',
]);

/** Response headers that describe the body as it came over the wire, before fetch decoded it. */
const DECODED_BODY_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive']);

/**
 * A fetch that signs every request with SigV4 (service `lambda`). It takes the body as a
 * string or bytes (MCP messages are small JSON documents; GET and DELETE have none).
 */
export function createSigningFetch(options: SigningFetchOptions): typeof fetch {
  const signer = new SignatureV4({ service: 'lambda', region: options.region, credentials: () => resolveCredentials(options), sha256: Sha256 });
  const send = options.fetch ?? fetch;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = await bodyOf(init?.body);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      if (!HOP_HEADERS.has(key)) headers[key] = value;
    });
    headers.host = url.host;
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, key) => {
      query[key] = value;
    });
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers,
      body,
    });
    // fetch sets Host from the URL itself (the same value that was signed).
    const { host: _host, ...sent } = signed.headers;
    return send(url, { ...init, method, headers: sent, body: body === undefined || method === 'GET' ? undefined : (body as NonNullable<RequestInit['body']>) });
  };
}

async function bodyOf(body: RequestInit['body'] | undefined): Promise<string | Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  return new Uint8Array(await new Response(body).arrayBuffer());
}

async function resolveCredentials(options: SigningFetchOptions): Promise<AwsCredentialIdentity> {
  try {
    return await options.credentials();
  } catch (err) {
    const where = options.profile ? `profile '${options.profile}'` : 'the default chain (environment variables, AWS_PROFILE or the default profile, SSO, web identity, container and instance roles)';
    throw new MissingCredentialsError(
      `no AWS credentials to sign with, from ${where}: ${(err as Error).message}. ` +
      `Run \`aws configure${options.profile ? ` --profile ${options.profile}` : ''}\` or \`aws sso login${options.profile ? ` --profile ${options.profile}` : ''}\`, ` +
      'or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment the proxy runs in.',
    );
  }
}

/** The region from --region, else the Function URL's host (`<id>.lambda-url.<region>.on.aws`), else the environment. */
export function resolveRegion(url: URL, region?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (region) return region;
  const match = /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname);
  return match?.[1] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
}

export interface ProxyOptions {
  readonly url: URL;
  readonly region: string;
  readonly profile?: string;
  /** The credential provider (tests); the AWS SDK's default chain otherwise. */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** Diagnostics; stderr in the CLI (stdout carries the protocol). */
  readonly log: (line: string) => void;
}

function credentialsOf(options: ProxyOptions): AwsCredentialIdentityProvider {
  return options.credentials ?? defaultProvider({ profile: options.profile });
}

/**
 * A non-2xx answer whose body is a JSON-RPC message (the endpoint's own errors: a bad
 * request, an unknown session) is handed to the SDK as a 200, so that it reaches the stdio
 * client as the JSON-RPC error it is: a stdio client never sees HTTP statuses. Anything
 * else (AWS's own 403 for a refused signature) stays an HTTP failure.
 */
function passJsonRpcErrors(inner: typeof fetch, log: (line: string) => void): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.ok || init?.method !== 'POST' || !(response.headers.get('content-type') ?? '').includes('application/json')) return response;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const isJsonRpc = (m: unknown) => typeof m === 'object' && m !== null && (m as { jsonrpc?: unknown }).jsonrpc === '2.0';
    if (isJsonRpc(parsed) || (Array.isArray(parsed) && parsed.every(isJsonRpc))) {
      log(`endpoint answered HTTP ${response.status}: ${text.slice(0, 300)}`);
      return new Response(text, { status: 200, headers: response.headers });
    }
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
/** Header values sent as they are (2026-07-28 streamable-http, "Value Encoding"): visible ASCII, space, tab, no edge whitespace. */
const PLAIN_HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/;

/**
 * A stdio client has no HTTP headers, so the proxy writes the ones a 2026-07-28 request
 * must carry (2026-07-28 basic/transports/streamable-http, "Standard Request Headers"):
 * MCP-Protocol-Version from the request's `_meta`, Mcp-Method, and Mcp-Name for
 * tools/call, prompts/get and resources/read (Base64 sentinel form when the value is not
 * a plain header value). 2025-era messages carry no `_meta` version and are left as they are.
 */
function withModernHeaders(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    if (init?.method === 'POST' && typeof init.body === 'string') {
      let message: { method?: unknown; params?: { name?: unknown; uri?: unknown; _meta?: Record<string, unknown> } } | undefined;
      try {
        message = JSON.parse(init.body);
      } catch {
        message = undefined;
      }
      const version = message?.params?._meta?.[PROTOCOL_VERSION_META_KEY];
      if (message && !Array.isArray(message) && typeof message.method === 'string' && typeof version === 'string') {
        const headers = new Headers(init.headers);
        headers.set('mcp-protocol-version', version);
        headers.set('mcp-method', message.method);
        const name = message.method === 'resources/read' ? message.params?.uri : ['tools/call', 'prompts/get'].includes(message.method) ? message.params?.name : undefined;
        if (typeof name === 'string') {
          headers.set('mcp-name', PLAIN_HEADER_VALUE.test(name) ? name : `=?base64?${Buffer.from(name, 'utf8').toString('base64')}?=`);
        }
        return inner(input, { ...init, headers });
      }
    }
    return inner(input, init);
  };
}

export interface RunningProxy {
  /** With --port: `http://127.0.0.1:<port>/mcp`. */
  readonly httpUrl?: string;
  /** Resolves when the stdio side has ended (stdin closed). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The stdio bridge. Messages pass in both directions untouched; the proxy only notes the
 * initialize exchange to send MCP-Protocol-Version afterwards (Streamable HTTP, "Protocol
 * Version Header": a client sends the negotiated version on every later request).
 */
export async function startStdioProxy(
  options: ProxyOptions, stdin: NodeJS.ReadableStream = process.stdin, stdout: NodeJS.WritableStream = process.stdout,
): Promise<RunningProxy> {
  const log = options.log;
  const signing = createSigningFetch({ region: options.region, credentials: credentialsOf(options), profile: options.profile });
  const upstream = new StreamableHTTPClientTransport(options.url, { fetch: withModernHeaders(passJsonRpcErrors(signing, log)) });
  const local = new StdioServerTransport(stdin as never, stdout as never);
  const initializeIds = new Set<string | number>();
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });

  upstream.onmessage = (message) => {
    const m = message as { id?: string | number; result?: { protocolVersion?: unknown } };
    if (m.id !== undefined && initializeIds.delete(m.id) && typeof m.result?.protocolVersion === 'string') {
      upstream.setProtocolVersion(m.result.protocolVersion);
    }
    if (process.env.MCP_PROXY_DEBUG) log(`<- ${JSON.stringify(message)}`);
    void local.send(message).catch((err) => log(`cannot write to stdout: ${(err as Error).message}`));
  };
  upstream.onerror = (err) => log(describe(err, options.region));

  local.onmessage = (message: JSONRPCMessage) => {
    const m = message as { id?: string | number; method?: string };
    const isRequest = m.method !== undefined && m.id !== undefined;
    if (isRequest && m.method === 'initialize') initializeIds.add(m.id!);
    upstream.send(message).catch((err: unknown) => {
      // Every request gets an answer: the client shows the message to its user.
      const text = describe(err, options.region);
      if (isRequest) {
        initializeIds.delete(m.id!);
        void local.send({ jsonrpc: '2.0', id: m.id!, error: { code: -32000, message: `mcp-lambda-server proxy: ${text}` } }).catch(() => undefined);
      }
    });
  };
  local.onerror = (err) => log(`stdin: ${err.message}`);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Ends the session on the endpoint (DELETE), as a client going away should.
    if (upstream.sessionId) await upstream.terminateSession().catch(() => undefined);
    await upstream.close().catch(() => undefined);
    await local.close().catch(() => undefined);
    finish();
  };
  stdin.once('end', () => void stop());
  stdin.once('close', () => void stop());

  await upstream.start();
  await local.start();
  return { done, stop };
}

function describe(err: unknown, region: string): string {
  if (err instanceof MissingCredentialsError) return err.message;
  const e = err as { code?: number; message?: string };
  if (e.code === 403) return describeRefusal(403, String(e.message).replace(/^Streamable HTTP error: Error POSTing to endpoint: /, ''), region);
  return String(e?.message ?? err);
}

/**
 * The HTTP side: a reverse proxy on 127.0.0.1 that signs each request and streams each
 * response back. Only local pages may call it: a request with an Origin that is not
 * localhost is refused (the protection against DNS rebinding that Streamable HTTP asks
 * local servers for, "Security Warning"), and no Origin is forwarded.
 */
export async function startHttpProxy(options: ProxyOptions & { readonly port: number }): Promise<RunningProxy> {
  const signing = createSigningFetch({ region: options.region, credentials: credentialsOf(options), profile: options.profile });
  const server: Server = createServer((req, res) => {
    void forward(req, res, signing, options).catch((err) => {
      options.log(`proxy: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    httpUrl: `http://127.0.0.1:${port}/mcp`,
    done,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      finish();
    },
  };
}

function isLocalOrigin(origin: string): boolean {
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(origin).hostname);
  } catch {
    return false;
  }
}

async function forward(req: IncomingMessage, res: ServerResponse, signing: typeof fetch, options: ProxyOptions): Promise<void> {
  const origin = req.headers.origin;
  if (origin !== undefined && !isLocalOrigin(origin)) {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: `origin ${origin} may not use this local proxy` } }));
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_HEADERS.has(key)) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const controller = new AbortController();
  // The client went away: stop the upstream stream too (each open stream is a running invocation).
  res.on('close', () => controller.abort());
  let response: Response;
  try {
    response = await signing(options.url, {
      method: req.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      signal: controller.signal,
    });
  } catch (err) {
    const message = err instanceof MissingCredentialsError ? err.message : `cannot reach ${options.url.origin}: ${(err as Error).message}`;
    options.log(`proxy: ${message}`);
    res.writeHead(err instanceof MissingCredentialsError ? 500 : 502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: `mcp-lambda-server proxy: ${message}` } }));
    return;
  }
  if (response.status === 403) {
    const text = await response.text();
    options.log(`proxy: ${describeRefusal(403, text, options.region)}`);
    res.writeHead(403, { 'content-type': response.headers.get('content-type') ?? 'application/json' });
    res.end(text);
    return;
  }
  // fetch has already decoded the body: its length and encoding no longer hold.
  await writeFetchResponse(response, res, DECODED_BODY_HEADERS);
}

export const PROXY_USAGE = `Usage: mcp-lambda-server proxy --url https://<id>.lambda-url.<region>.on.aws/mcp [options]

An MCP server on stdio (for Claude Desktop, Cursor, VS Code, the MCP Inspector) that forwards
every message to a deployed endpoint, signed with AWS SigV4 (service lambda) using the AWS
SDK's default credential chain. Diagnostics go to stderr.

Options:
  --url <url>        the endpoint (the server's Function URL, ending in /mcp)
  --region <region>  the function's region (default: from the URL, else AWS_REGION)
  --profile <name>   the AWS profile to sign with (default: AWS_PROFILE or the default chain)
  --port <n>         also serve a Streamable HTTP endpoint on http://127.0.0.1:<n>/mcp
                     (0 picks a free port); with --http-only, only that
  --http-only        no stdio side (with --port)
  -h, --help         this text
`;

export interface ProxyCliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Parses the flags and starts the proxy; resolves with it, or with an exit code. */
export async function runProxyCli(
  argv: string[], io: ProxyCliIo, stdin: NodeJS.ReadableStream = process.stdin, stdout: NodeJS.WritableStream = process.stdout,
): Promise<RunningProxy | number> {
  let values: { 'url'?: string; 'region'?: string; 'profile'?: string; 'port'?: string; 'http-only'?: boolean; 'help'?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'url': { type: 'string' },
        'region': { type: 'string' },
        'profile': { type: 'string' },
        'port': { type: 'string' },
        'http-only': { type: 'boolean' },
        'help': { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${PROXY_USAGE}`);
    return 1;
  }
  if (values.help) {
    io.err(PROXY_USAGE);
    return 0;
  }
  let url: URL;
  try {
    url = new URL(values.url ?? '');
  } catch {
    io.err(`--url must be the endpoint's URL (https://<id>.lambda-url.<region>.on.aws/mcp), got '${values.url ?? ''}'\n\n${PROXY_USAGE}`);
    return 1;
  }
  if (url.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    // Signed requests are not replayable only while nobody can read them.
    io.err(`--url must use https (plain http is allowed only for localhost), got '${url.href}'\n`);
    return 1;
  }
  const region = resolveRegion(url, values.region);
  if (!region) {
    io.err(`cannot tell the function's region from ${url.host}: pass --region (or set AWS_REGION)\n`);
    return 1;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    io.err(`--port must be a whole number from 0 to 65535, got '${values.port}'\n`);
    return 1;
  }
  if (values['http-only'] && port === undefined) {
    io.err('--http-only needs --port\n');
    return 1;
  }
  const options: ProxyOptions = { url, region, profile: values.profile, log: (line) => io.err(`mcp-lambda-server proxy: ${line}\n`) };
  const parts: RunningProxy[] = [];
  try {
    if (port !== undefined) {
      const http = await startHttpProxy({ ...options, port });
      parts.push(http);
      io.err(`mcp-lambda-server proxy: ${http.httpUrl} -> ${url.href} (SigV4, ${region}${values.profile ? `, profile ${values.profile}` : ''})\n`);
    }
    if (!values['http-only']) parts.push(await startStdioProxy(options, stdin, stdout));
  } catch (err) {
    for (const p of parts) await p.stop();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') io.err(`mcp-lambda-server proxy: port ${port} is in use; choose another with --port (0 picks a free one)\n`);
    else io.err(`mcp-lambda-server proxy: ${(err as Error).message}\n`);
    return 1;
  }
  return {
    httpUrl: parts.find((p) => p.httpUrl)?.httpUrl,
    // With a stdio side, the proxy ends when its client closes stdin; otherwise on a signal.
    done: values['http-only'] ? parts[0].done : parts[parts.length - 1].done,
    stop: async () => {
      for (const p of parts) await p.stop();
    },
  };
}

/** The bin entry for `proxy`: nothing but protocol on stdout; exits when the client hangs up. */
export async function proxyMain(argv: string[]): Promise<void> {
  const result = await runProxyCli(argv, { out: (t) => process.stderr.write(t), err: (t) => process.stderr.write(t) });
  if (typeof result === 'number') {
    process.exitCode = result;
    return;
  }
  const stop = () => void result.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await result.done;
  await result.stop();
  process.exit(0);
}
