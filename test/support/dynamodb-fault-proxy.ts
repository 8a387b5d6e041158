/**
 * A local HTTP proxy in front of DynamoDB Local that misbehaves on command, so that
 * the REAL AWS SDK DynamoDB client (pointed here by an endpoint override) runs its real
 * retry, timeout and error-parsing code against the faults DynamoDB can produce:
 *
 * | fault                      | what the client sees                                                     |
 * |----------------------------|--------------------------------------------------------------------------|
 * | `provisioned-throughput`   | 400 `ProvisionedThroughputExceededException` (throttling error code)      |
 * | `throttling`               | 400 `ThrottlingException` (throttling error code)                         |
 * | `internal-error`           | 500 `InternalServerError` (transient)                                     |
 * | `hang`                     | nothing: the request is read and never answered (client request timeout) |
 * | `drop-before`              | the connection closes before DynamoDB saw the request                    |
 * | `drop-after`               | DynamoDB applied the request; the connection closes mid-response         |
 *
 * Errors use DynamoDB's JSON 1.0 wire form: `x-amzn-ErrorType` and a body with
 * `__type` and `message` (the SDK reads either). Everything else passes through.
 *
 * Every request is logged with its operation (`X-Amz-Target`, e.g. `GetItem`) and the
 * fault it got, so a test counts the client's attempts where they arrive.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readRequestBody } from './request-body';

export type DynamoDbFault =
  | 'provisioned-throughput'
  | 'throttling'
  | 'internal-error'
  | 'hang'
  | 'drop-before'
  | 'drop-after';

export interface FaultRule {
  readonly fault: DynamoDbFault;
  /** Only requests of these operations (`GetItem`, `PutItem`, ...). @default every operation */
  readonly operations?: readonly string[];
  /** Only requests whose body mentions this table. @default every table */
  readonly table?: string;
  /** How many matching requests get the fault, then the rule retires. @default unlimited */
  readonly times?: number;
}

export interface ProxiedRequest {
  readonly operation: string;
  readonly table?: string;
  /** The fault applied, or undefined when it passed through. */
  readonly fault?: DynamoDbFault;
}

const ERROR_TYPES: Record<'provisioned-throughput' | 'throttling' | 'internal-error', { status: number; type: string; message: string }> = {
  'provisioned-throughput': {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  'throttling': {
    status: 400,
    type: 'com.amazon.coral.availability#ThrottlingException',
    message: 'Throughput exceeds the current capacity for one or more global secondary indexes. DynamoDB is automatically scaling your index so please try again shortly.',
  },
  'internal-error': {
    status: 500,
    type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    message: 'Internal server error',
  },
};

interface ActiveRule extends FaultRule {
  remaining: number;
}

export class DynamoDbFaultProxy {
  /** Starts a proxy on 127.0.0.1 in front of `target` (`http://127.0.0.1:<port>` of DynamoDB Local). */
  static async start(target: string): Promise<DynamoDbFaultProxy> {
    let proxy: DynamoDbFaultProxy | undefined;
    const server = createServer((req, res) => void proxy!.handle(req, res));
    // Hanging requests must not be cut by node's own timeouts: the client's must fire.
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new DynamoDbFaultProxy(server, new URL(target), `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  /** Every request received, in arrival order. */
  readonly requests: ProxiedRequest[] = [];
  private rules: ActiveRule[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
    /** The endpoint to give the SDK client. */
    readonly endpoint: string,
  ) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Adds a rule; the first matching, unretired rule applies to each request. */
  inject(rule: FaultRule): this {
    this.rules.push({ ...rule, remaining: rule.times ?? Infinity });
    return this;
  }

  /** Removes every rule: from now on, everything passes through. */
  clear(): this {
    this.rules = [];
    return this;
  }

  /** Forgets the request log. */
  resetLog(): this {
    this.requests.length = 0;
    return this;
  }

  /** How many requests arrived, optionally only of one operation and/or with one fault. */
  count(filter: { operation?: string; fault?: DynamoDbFault | 'none' } = {}): number {
    return this.requests.filter((r) =>
      (filter.operation === undefined || r.operation === filter.operation)
      && (filter.fault === undefined || (filter.fault === 'none' ? r.fault === undefined : r.fault === filter.fault)),
    ).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readRequestBody(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() || 'unknown';
    const table = tableOf(body);
    const rule = this.rules.find((r) => r.remaining > 0
      && (r.operations === undefined || r.operations.includes(operation))
      && (r.table === undefined || r.table === table));
    if (rule) rule.remaining--;
    this.requests.push({ operation, table, fault: rule?.fault });

    if (!rule) return this.forward(req, body, res, false);
    switch (rule.fault) {
      case 'hang':
        // Read, never answered; the socket is destroyed by the client's timeout or close().
        return;
      case 'drop-before':
        req.socket.destroy();
        return;
      case 'drop-after':
        return this.forward(req, body, res, true);
      default: {
        const error = ERROR_TYPES[rule.fault];
        const payload = JSON.stringify({ __type: error.type, message: error.message });
        res.writeHead(error.status, {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': String(Buffer.byteLength(payload)),
          'x-amzn-requestid': `fault-${this.requests.length}`,
          'x-amzn-errortype': error.type.split('#').pop()!,
        });
        res.end(payload);
      }
    }
  }

  /** Passes the request to DynamoDB Local; with `dropMidResponse`, sends half the answer and cuts the connection. */
  private forward(req: IncomingMessage, body: Buffer, res: ServerResponse, dropMidResponse: boolean): void {
    const upstream = httpRequest({
      host: this.target.hostname,
      port: this.target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, 'host': this.target.host, 'content-length': String(body.byteLength) },
    }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const answer = Buffer.concat(chunks);
        if (dropMidResponse) {
          // Headers promise the full length; half the body arrives; then the socket dies.
          res.writeHead(up.statusCode ?? 502, { ...up.headers, 'content-length': String(answer.byteLength) });
          res.write(answer.subarray(0, Math.floor(answer.byteLength / 2)), () => res.socket?.destroy());
          return;
        }
        res.writeHead(up.statusCode ?? 502, { ...up.headers, 'content-length': String(answer.byteLength) });
        res.end(answer);
      });
    });
    upstream.on('error', () => res.socket?.destroy());
    upstream.end(body);
  }
}

function tableOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { TableName?: unknown };
    return typeof parsed.TableName === 'string' ? parsed.TableName : undefined;
  } catch {
    return undefined;
  }
}
