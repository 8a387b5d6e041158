/**
 * Real parts for the admin function's tests: DynamoDB Local with the construct's
 * table schema, the admin handler over a real DynamoDB registry store, an HTTP server
 * on 127.0.0.1 that turns requests into Function URL events as Lambda would (with the
 * IAM authorizer's caller identity), and a server standing in for CloudFormation's
 * presigned S3 ResponseURL that records what it was sent.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createAdminHandler, type AdminHandler } from '../../lambda-src/admin';
import { AllowedFunctions } from '../../lambda-src/admin/allowed-functions';
import { buildFunctionUrlEvent } from '../../lambda-src/local/function-url-event-builder';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbRegistryStore } from '../../lambda-src/store/dynamodb-registry-store';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { readRequestBody } from '../support/request-body';

export const CALLER = {
  accessKey: 'ASIAEXAMPLEACCESSKEY',
  accountId: '111111111111',
  callerId: 'AROAEXAMPLE:admin-session',
  principalOrgId: null,
  userArn: 'arn:aws:sts::111111111111:assumed-role/RegistryAdmin/admin-session',
  userId: 'AROAEXAMPLE:admin-session',
};

export interface AdminFixture {
  readonly store: DynamoDbRegistryStore;
  readonly handler: AdminHandler;
  readonly logs: string[];
  close(): Promise<void>;
}

let emulator: Promise<DynamoDbLocal> | undefined;

/** One DynamoDB Local per test file, started on first use. */
export function sharedDynamoDbLocal(): Promise<DynamoDbLocal> {
  emulator ??= startDynamoDbLocal();
  return emulator;
}

export async function stopDynamoDbLocal(): Promise<void> {
  if (emulator) await (await emulator).stop();
  emulator = undefined;
}

/** A fresh registry table and an admin handler over it. */
export async function adminFixture(allowed: string[] = []): Promise<AdminFixture> {
  const ddb = await sharedDynamoDbLocal();
  const { registryTable } = await createTestTables(ddb.endpoint);
  const client = createDocumentClient({ endpoint: ddb.endpoint });
  const store = new DynamoDbRegistryStore({ client, tableName: registryTable });
  const logs: string[] = [];
  const handler = createAdminHandler(() => ({ store, allowedFunctions: new AllowedFunctions(allowed), log: (line) => logs.push(line) }));
  return { store, handler, logs, close: async () => client.destroy() };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The admin API over HTTP, as behind an AWS_IAM Function URL (the caller is already authenticated). */
export async function startAdminHttpServer(handler: AdminHandler): Promise<{ url: string; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readRequestBody(req);
      const event = buildFunctionUrlEvent(req, body, '127.0.0.1');
      (event.requestContext as unknown as Record<string, unknown>).authorizer = { iam: CALLER };
      const result = await handler(event, { awsRequestId: `req-${++n}` }) as APIGatewayProxyStructuredResultV2;
      res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      res.end(result.body ?? '');
    })().catch((err) => {
      res.writeHead(599);
      res.end(String(err));
    });
  });
  const url = await listen(server);
  return { url, close: () => close(server) };
}

export interface RecordedResponse {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Stands in for the presigned S3 URL CloudFormation waits on. */
export async function startResponseUrlServer(): Promise<{ url: string; received: RecordedResponse[]; close(): Promise<void> }> {
  const received: RecordedResponse[] = [];
  const server = createServer((req, res) => {
    void readRequestBody(req).then((body) => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: body.toString('utf8') });
      res.writeHead(200);
      res.end();
    });
  });
  const url = await listen(server);
  return { url, received, close: () => close(server) };
}
