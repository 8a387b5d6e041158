/**
 * One handler instance of the load test: an "execution environment" with its own
 * DynamoDB client, registry cache, Lambda client and HTTP server, sharing only the
 * tables. In process (CI), or in a child process of its own (`handler-process.ts`,
 * the heavy profile), so two instances share no memory at all.
 */
import { join } from 'node:path';
import { startHandlerServer } from './handler-server';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbRegistryStore } from '../../lambda-src/store/dynamodb-registry-store';
import { DynamoDbSessionStore } from '../../lambda-src/store/dynamodb-session-store';
import { LambdaInvoker } from '../../lambda-src/tools/lambda-invoker';
import { RoutingInvoker } from '../../lambda-src/tools/routing-invoker';
import { startHandlerChild } from '../support/handler-child-process';
import { handlerConfig } from '../support/handler-config';

export interface LoadInstanceSettings {
  readonly dynamoDbEndpoint: string;
  readonly sessionTable: string;
  readonly registryTable: string;
  /** The (fake) Lambda Invoke endpoint the tools run behind. */
  readonly lambdaEndpoint: string;
}

export interface LoadInstance {
  readonly url: string;
  /** Where it runs: `in-process`, or `pid <n>`. */
  readonly where: string;
  /** The first error-level log lines the instance wrote (why a request failed). */
  readonly errors: string[];
  close(): Promise<void>;
}

export async function startLoadInstance(settings: LoadInstanceSettings): Promise<LoadInstance> {
  const client = createDocumentClient({ endpoint: settings.dynamoDbEndpoint });
  const config = handlerConfig({
    sessionTable: settings.sessionTable,
    registryTable: settings.registryTable,
    serverName: 'reliability-load',
    registryCacheSeconds: 30,
  });
  const registryStore = new DynamoDbRegistryStore({ client, tableName: settings.registryTable, consistentReads: false });
  const errors: string[] = [];
  const keepErrors = (line: string) => {
    if (errors.length < 20 && /"level":"error"/.test(line)) errors.push(line);
  };
  const server = await startHandlerServer({
    config,
    sessions: new DynamoDbSessionStore({ client, tableName: settings.sessionTable }),
    registryStore,
    registry: new RegistrySource(registryStore, { ttlMs: 30_000 }),
    invoker: new RoutingInvoker({
      lambda: new LambdaInvoker({
        // The SDK's default of 3 attempts, as deployed: it retries a keep-alive connection
        // the endpoint closed while idle (found with separate processes). Every call is
        // still counted at the endpoint: a retry that ran a function twice would show.
        clientConfig: { region: 'us-east-1', endpoint: settings.lambdaEndpoint, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' }, maxAttempts: 3 },
      }),
    }),
    log: keepErrors,
  });
  return {
    url: server.url,
    where: 'in-process',
    errors,
    async close() {
      await server.close();
      client.destroy();
    },
  };
}

/** The same instance in a child process of its own; stopped by closing its stdin, or killed. */
export async function startLoadInstanceProcess(settings: LoadInstanceSettings): Promise<LoadInstance> {
  const errors: string[] = [];
  // handler-process.ts runs bundled, as the deployed handler does (test/support/handler-child-process.ts).
  const child = await startHandlerChild({
    entry: join(__dirname, 'handler-process.ts'),
    env: { RELIABILITY_INSTANCE: JSON.stringify(settings) },
    killAfterMs: 5000,
    onLine: (line) => {
      if (errors.length < 20 && /"level":"error"/.test(line)) errors.push(line);
    },
  });
  return {
    url: child.url,
    where: `pid ${child.pid}`,
    errors,
    close: () => child.close(),
  };
}
