/**
 * A Function URL in front of the Runtime API emulator, as AWS runs one with
 * `InvokeMode: RESPONSE_STREAM` and `AuthType: AWS_IAM`: each HTTP request becomes a
 * payload format 2.0 event (with the caller's IAM identity, as the URL's SigV4 check
 * leaves it) and one invocation; the handler's prelude gives the status, headers and
 * cookies; the body is passed on chunk by chunk as the handler writes it. A function
 * error before the prelude is a 502, as a Function URL answers it.
 *
 * As on Lambda, a client that hangs up is not told to the function: its invocation
 * runs on to its end (or its deadline).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RuntimeApiEmulator } from './runtime-api-emulator';
import { buildFunctionUrlEvent } from '../../lambda-src/local/function-url-event-builder';
import { readRequestBody } from '../support/request-body';

/** The IAM caller the URL's SigV4 check would have found. */
export const CALLER = {
  accessKey: 'ASIAEXAMPLEACCESSKEY',
  accountId: '123456789012',
  callerId: 'AROAEXAMPLE:mcp-client',
  principalOrgId: null,
  userArn: 'arn:aws:sts::123456789012:assumed-role/McpClient/mcp-client',
  userId: 'AROAEXAMPLE:mcp-client',
};

/** One request the URL served: how the function's response came back. */
export interface Served {
  readonly method: string;
  readonly status: number;
  /** Sent in the runtime's streaming mode, with the http-integration prelude. */
  readonly streamedWithPrelude: boolean;
}

export interface FunctionUrl {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: string;
  readonly served: Served[];
  close(): Promise<void>;
}

export async function startFunctionUrl(emulator: RuntimeApiEmulator, options: { timeoutMs?: number } = {}): Promise<FunctionUrl> {
  const served: Served[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readRequestBody(req);
      const event = buildFunctionUrlEvent(req, body, '127.0.0.1');
      (event.requestContext as unknown as Record<string, unknown>).authorizer = { iam: CALLER };
      const invocation = emulator.invoke(event, options.timeoutMs);
      let head;
      try {
        head = await invocation.head;
      } catch {
        res.writeHead(502, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ Message: 'Internal Server Error' }));
        return;
      }
      const prelude = head.prelude ?? {};
      served.push({ method: req.method ?? '', status: prelude.statusCode ?? 200, streamedWithPrelude: head.streaming && head.prelude !== undefined });
      const headers: Record<string, string | string[]> = { ...(prelude.headers ?? {}) };
      if (prelude.cookies?.length) headers['set-cookie'] = prelude.cookies;
      res.writeHead(prelude.statusCode ?? 200, headers);
      // Headers go out at once: a client waiting on an event stream sees it open.
      res.flushHeaders();
      invocation.body.on('data', (chunk: Buffer) => {
        if (!res.destroyed) res.write(chunk);
      });
      invocation.body.on('end', () => res.end());
      // A failure after the head: the connection is cut, as a Function URL cuts it.
      invocation.body.on('error', () => res.destroy());
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    served,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
