/**
 * The document client's retry and timeout settings, against local HTTP endpoints that
 * misbehave the way DynamoDB can (a 500, a throttle, a connection that never answers),
 * so the real SDK retry code runs. Counts attempts, never times them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, DEFAULT_MAX_ATTEMPTS, sharedDocumentClient } from '../../lambda-src/store/dynamodb-client';

interface FaultyEndpoint {
  readonly endpoint: string;
  attempts: number;
  close(): Promise<void>;
}

/** An HTTP server speaking just enough of DynamoDB's JSON protocol to fail as told. */
async function faultyEndpoint(behaviour: 'error500' | 'throttle' | 'hang'): Promise<FaultyEndpoint> {
  const state = { attempts: 0 };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.attempts++;
      if (behaviour === 'hang') return; // never answers; the client's request timeout must fire
      const [status, type] = behaviour === 'error500'
        ? [500, 'com.amazonaws.dynamodb.v20120810#InternalServerError']
        : [400, 'com.amazonaws.dynamodb.v20120810#ThrottlingException'];
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'test' });
      res.end(JSON.stringify({ __type: type, message: `injected ${behaviour}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get attempts() {
      return state.attempts;
    },
    set attempts(n) {
      state.attempts = n;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const get = new GetCommand({ TableName: 'sessions', Key: { pk: 'SESSION#x', sk: 'META' } });

describe('DynamoDB document client', () => {
  test.each(['error500', 'throttle'] as const)('a persistent %s is retried to maxAttempts, then surfaces', async (behaviour) => {
    const server = await faultyEndpoint(behaviour);
    const client = createDocumentClient({ endpoint: server.endpoint });
    try {
      await expect(client.send(get)).rejects.toMatchObject({
        name: behaviour === 'error500' ? 'InternalServerError' : 'ThrottlingException',
        $metadata: { attempts: DEFAULT_MAX_ATTEMPTS },
      });
      expect(server.attempts).toBe(DEFAULT_MAX_ATTEMPTS);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  test('a connection that never answers is abandoned after the request timeout and retried', async () => {
    const server = await faultyEndpoint('hang');
    const client = createDocumentClient({ endpoint: server.endpoint, requestTimeoutMs: 100, maxAttempts: 2 });
    try {
      await expect(client.send(get)).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(server.attempts).toBe(2);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  test('sharedDocumentClient returns one client per configuration', () => {
    const a = sharedDocumentClient({ endpoint: 'http://127.0.0.1:1' });
    expect(sharedDocumentClient({ endpoint: 'http://127.0.0.1:1' })).toBe(a);
    expect(sharedDocumentClient({ endpoint: 'http://127.0.0.1:2' })).not.toBe(a);
    a.destroy();
  });
});
