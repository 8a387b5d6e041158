/**
 * The PUT of a custom resource's answer to CloudFormation's presigned ResponseURL,
 * against local servers that misbehave the ways S3 and the network can: a kept-alive
 * socket the far side closed while it sat idle, a dropped connection, 5xx answers, a
 * 4xx that must not be retried, and no answer at all.
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ResponseUrlError, sendCloudFormationResponse, type CloudFormationResponse } from '../../lambda-src/admin/cfn-response';

const RESPONSE: CloudFormationResponse = {
  Status: 'SUCCESS',
  PhysicalResourceId: 'mcp-registry:table',
  StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Orders/0f3c1d2e',
  RequestId: 'request-1',
  LogicalResourceId: 'McpRegistry1A2B3C4D',
};

/** Fast retries: the backoff's length is not what these tests are about. */
const FAST = { baseDelayMs: 1 };

interface Received {
  readonly body: string;
  /** Which connection the request came on (1, 2, ...), and how many requests that connection had carried before. */
  readonly connection: number;
  readonly earlierOnConnection: number;
  readonly connectionHeader?: string;
}

/**
 * A stand-in for S3. `answer` is called for each complete request, with its index
 * (0-based); it answers on `res` or destroys the socket.
 */
async function startServer(answer: (index: number, req: IncomingMessage, res: ServerResponse, received: Received) => void) {
  const received: Received[] = [];
  const perSocket = new Map<Socket, { id: number; count: number }>();
  let connections = 0;
  const http: Server = createServer((req, res) => {
    let entry = perSocket.get(req.socket);
    if (!entry) perSocket.set(req.socket, entry = { id: ++connections, count: 0 });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { body: Buffer.concat(chunks).toString('utf8'), connection: entry.id, earlierOnConnection: entry.count++, connectionHeader: req.headers.connection };
      received.push(r);
      answer(received.length - 1, req, res, r);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/cfn-response/1?X-Amz-Signature=abc`;
  return {
    url,
    received,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function server(answer: Parameters<typeof startServer>[0]) {
  const s = await startServer(answer);
  servers.push(s);
  return s;
}

test('a socket the far side closed while idle is never reused: each answer goes on a connection of its own', async () => {
  // S3 in miniature: a connection that has carried one request is, by the time the next
  // arrives, one the server has closed as idle, so a request written on it is reset.
  // Deterministic, unlike a keep-alive timer racing the next request.
  const s3 = await server((_i, req, res, r) => {
    if (r.earlierOnConnection > 0) {
      req.socket.resetAndDestroy();
      return;
    }
    res.writeHead(200, { 'Connection': 'keep-alive', 'Keep-Alive': 'timeout=60' });
    res.end();
  });

  // A client that reuses kept-alive sockets (as Node's global agent does since Node 19)
  // meets the reset on its second request: the failure the answer must not suffer.
  const keepAlive = new Agent({ keepAlive: true });
  try {
    const put = () => new Promise<number>((resolve, reject) => {
      const req = request(s3.url, { method: 'PUT', agent: keepAlive }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(await put()).toBe(200);
    await expect(put()).rejects.toThrow(/ECONNRESET|socket hang up/);
  } finally {
    keepAlive.destroy();
  }

  s3.received.length = 0;
  for (let n = 0; n < 3; n++) await sendCloudFormationResponse(s3.url, { ...RESPONSE, RequestId: `request-${n}` }, FAST);
  expect(s3.received.map((r) => JSON.parse(r.body).RequestId)).toEqual(['request-0', 'request-1', 'request-2']);
  // One request per connection, and the server is told so.
  expect(s3.received.map((r) => r.earlierOnConnection)).toEqual([0, 0, 0]);
  expect(new Set(s3.received.map((r) => r.connection)).size).toBe(3);
  expect(s3.received.map((r) => r.connectionHeader)).toEqual(['close', 'close', 'close']);
});

test('a dropped connection and 5xx answers are retried until the answer is taken', async () => {
  const s3 = await server((i, req, res) => {
    if (i === 0) {
      req.socket.resetAndDestroy();
    } else if (i === 1) {
      res.writeHead(503, { 'Content-Type': 'application/xml' });
      res.end('<Error><Code>SlowDown</Code></Error>');
    } else if (i === 2) {
      res.writeHead(500);
      res.end('<Error><Code>InternalError</Code></Error>');
    } else {
      res.writeHead(200);
      res.end();
    }
  });
  await sendCloudFormationResponse(s3.url, RESPONSE, FAST);
  expect(s3.received).toHaveLength(4);
  // The same body every time: the PUT is idempotent.
  expect(new Set(s3.received.map((r) => r.body)).size).toBe(1);
  expect(JSON.parse(s3.received[3].body)).toEqual(RESPONSE);
});

test('a 4xx is not retried: an expired or wrong signature will not get better', async () => {
  const s3 = await server((_i, _req, res) => {
    res.writeHead(403);
    res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
  });
  const error = await sendCloudFormationResponse(s3.url, RESPONSE, FAST).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ResponseUrlError);
  expect((error as ResponseUrlError).message).toBe("CloudFormation's response URL answered 403 (attempt 1 of 5)");
  expect((error as ResponseUrlError).status).toBe(403);
  expect(s3.received).toHaveLength(1);
});

test('when every attempt fails the last error is thrown, after exactly the attempts asked for', async () => {
  const s3 = await server((_i, _req, res) => {
    res.writeHead(502);
    res.end();
  });
  await expect(sendCloudFormationResponse(s3.url, RESPONSE, { ...FAST, attempts: 3 }))
    .rejects.toThrow("CloudFormation's response URL answered 502 (attempt 3 of 3)");
  expect(s3.received).toHaveLength(3);
});

test('an attempt that gets no answer times out and the next one is made', async () => {
  const s3 = await server((i, _req, res) => {
    if (i === 0) return; // never answers
    res.writeHead(200);
    res.end();
  });
  // The timeout only has to pass once; the second attempt is answered at once.
  await sendCloudFormationResponse(s3.url, RESPONSE, { ...FAST, timeoutMs: 200 });
  expect(s3.received).toHaveLength(2);
});

test('an unreachable URL fails with the connection error once the attempts are spent', async () => {
  const s3 = await server(() => undefined);
  const url = s3.url;
  await s3.close();
  servers.length = 0;
  await expect(sendCloudFormationResponse(url, RESPONSE, { ...FAST, attempts: 2 })).rejects.toThrow(/ECONNREFUSED.*\(attempt 2 of 2\)/);
});
