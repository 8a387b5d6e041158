/**
 * The session table on DynamoDB Local with the real session store and session-state store
 * over it, and a way to create a live session to write state to. Registers its own
 * beforeAll/afterAll: call it at a test file's top level.
 */
import { createTestTables, type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbSessionStateStore } from '../../lambda-src/store/dynamodb-session-state-store';
import { DynamoDbSessionStore } from '../../lambda-src/store/dynamodb-session-store';

export interface SessionStateTable {
  /** The fields are set in beforeAll. */
  ddb: DynamoDbLocal;
  tableName: string;
  client: ReturnType<typeof createDocumentClient>;
  sessions: DynamoDbSessionStore;
  state: DynamoDbSessionStateStore;
  /** Creates a session (id `<idPrefix>-<n>-xxx…`) that expires that many seconds from now. */
  newSession(expiresInSeconds?: number): Promise<string>;
}

export function useSessionStateTable(idPrefix: string): SessionStateTable {
  let n = 0;
  const table = {
    async newSession(expiresInSeconds = 3600): Promise<string> {
      const id = `${idPrefix}-${++n}-${'x'.repeat(30)}`;
      const now = Date.now();
      await table.sessions.create({
        id,
        protocolVersion: '2025-11-25',
        clientCapabilities: {},
        clientInfo: { name: 't', version: '1' },
        createdAt: now,
        expiresAt: Math.floor(now / 1000) + expiresInSeconds,
        version: 1,
      });
      return id;
    },
  } as SessionStateTable;
  beforeAll(async () => {
    table.ddb = await startDynamoDbLocal();
    table.tableName = (await createTestTables(table.ddb.endpoint)).sessionTable;
    table.client = createDocumentClient({ endpoint: table.ddb.endpoint });
    table.sessions = new DynamoDbSessionStore({ client: table.client, tableName: table.tableName });
    table.state = new DynamoDbSessionStateStore({ client: table.client, tableName: table.tableName });
  }, 60_000);
  afterAll(async () => {
    table.client?.destroy();
    await table.ddb?.stop();
  });
  return table;
}
