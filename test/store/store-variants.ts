/**
 * The store implementations the shared behavioural suites run against: DynamoDB (on a
 * real DynamoDB Local, one per test file) and memory. Each variant gets a clock the
 * test controls, and, where the backing store can be inspected, a raw view of the
 * items (what TTL would see), so tests can assert what was or was not written.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbRegistryStore } from '../../lambda-src/store/dynamodb-registry-store';
import { DynamoDbSessionStore } from '../../lambda-src/store/dynamodb-session-store';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import type { RegistryStore } from '../../lambda-src/store/registry-store';
import type { SessionStore } from '../../lambda-src/store/session-store';
import { sessionKey } from '../../lambda-src/store/table-schema';
import { createTestTables, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';

/** A clock the test sets; stores read it through their `now` option. */
export class TestClock {
  ms = Date.now();
  readonly now = () => this.ms;
  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }
}

export interface SessionVariant {
  readonly store: SessionStore;
  readonly clock: TestClock;
  /** The raw stored item, expired or not; undefined where the backend cannot be inspected. */
  readonly peek?: (id: string) => Promise<Record<string, unknown> | undefined>;
}

export interface RegistryVariantOptions {
  /** Items per Query page (DynamoDB only). */
  readonly pageSize?: number;
}

export interface StoreBackend {
  readonly name: string;
  sessionStore(): Promise<SessionVariant>;
  registryStore(options?: RegistryVariantOptions): Promise<RegistryStore>;
  close(): Promise<void>;
}

/** DynamoDB Local, started on first use; every store gets fresh tables. */
export function dynamoDbBackend(): StoreBackend {
  let emulator: Promise<DynamoDbLocal> | undefined;
  const clients: DynamoDBDocumentClient[] = [];
  const client = async () => {
    emulator ??= startDynamoDbLocal();
    const { endpoint } = await emulator;
    const c = createDocumentClient({ endpoint });
    clients.push(c);
    return { endpoint, client: c };
  };
  return {
    name: 'DynamoDB',
    async sessionStore() {
      const { endpoint, client: c } = await client();
      const { sessionTable } = await createTestTables(endpoint);
      const clock = new TestClock();
      return {
        store: new DynamoDbSessionStore({ client: c, tableName: sessionTable, now: clock.now }),
        clock,
        peek: async (id: string) => (await c.send(new GetCommand({
          TableName: sessionTable, Key: sessionKey(id), ConsistentRead: true,
        }))).Item,
      };
    },
    async registryStore(options: RegistryVariantOptions = {}) {
      const { endpoint, client: c } = await client();
      const { registryTable } = await createTestTables(endpoint);
      return new DynamoDbRegistryStore({ client: c, tableName: registryTable, pageSize: options.pageSize });
    },
    async close() {
      for (const c of clients) c.destroy();
      if (emulator) await (await emulator).stop();
    },
  };
}

export function memoryBackend(): StoreBackend {
  return {
    name: 'memory',
    async sessionStore() {
      const clock = new TestClock();
      return { store: new MemorySessionStore({ now: clock.now }), clock };
    },
    async registryStore() {
      return new MemoryRegistryStore();
    },
    async close() {},
  };
}

/** Both backends, for `describe.each`. */
export const BACKENDS: Array<[string, () => StoreBackend]> = [
  ['DynamoDB', dynamoDbBackend],
  ['memory', memoryBackend],
];
