/**
 * Concurrent writes to ONE session and ONE registry item, from two "execution
 * environments" (two DynamoDB clients, two handler instances) on DynamoDB Local: no
 * update is lost, and where a version is named, exactly one writer wins per version.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startHandlerServer, type HandlerServer } from './handler-server';
import { openSession, post, sessionHeaders } from './raw-client';
import { PROFILE, recordResult } from './reliability-profile';
import { scanTable } from './table-snapshot';
import type { ToolItem } from '../../lambda-src/model/registry-item';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { DynamoDbEventLog } from '../../lambda-src/store/dynamodb-event-log';
import { DynamoDbRegistryStore } from '../../lambda-src/store/dynamodb-registry-store';
import { DynamoDbSessionStore } from '../../lambda-src/store/dynamodb-session-store';
import { RegistryConflictError } from '../../lambda-src/store/registry-store';
import { SessionConflictError } from '../../lambda-src/store/session-store';
import { createTestTables, localDynamoDbClient, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { handlerConfig } from '../support/handler-config';

const LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;

let ddb: DynamoDbLocal;
let direct: DynamoDBClient;
let tables: { sessionTable: string; registryTable: string };
const instances: HandlerServer[] = [];
const docClients: Array<ReturnType<typeof createDocumentClient>> = [];
const tally = { sessionWrites: 0, sessionVersionRaces: 0, registryRounds: 0, registryWriters: 0, lostUpdates: 0 };

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  tables = await createTestTables(ddb.endpoint);
  direct = localDynamoDbClient(ddb.endpoint);
  docClients.push(createDocumentClient({ endpoint: ddb.endpoint }), createDocumentClient({ endpoint: ddb.endpoint }));
  const config = handlerConfig({ ...tables, serverName: 'reliability-writes', registryCacheSeconds: 30, toolTimeoutSeconds: 10 });
  for (const client of docClients) {
    instances.push(await startHandlerServer({
      config,
      sessions: new DynamoDbSessionStore({ client, tableName: tables.sessionTable }),
      registryStore: new DynamoDbRegistryStore({ client, tableName: tables.registryTable }),
      // Events on, as deployed: the server then declares (and serves) logging.
      eventLog: new DynamoDbEventLog({ client, tableName: tables.sessionTable }),
      log: () => undefined,
    }));
  }
}, 60_000);

afterAll(async () => {
  recordResult('concurrent-writes', tally);
  for (const i of instances) await i.close();
  for (const c of docClients) c.destroy();
  direct?.destroy();
  await ddb?.stop();
});

async function sessionItem(sessionId: string): Promise<Record<string, any>> {
  const items = await scanTable(direct, tables.sessionTable);
  return items.find((i) => i.pk === `SESSION#${sessionId}`)!;
}

test(`${PROFILE.concurrentWriters} clients set one session's log level at once, over two instances: every write lands, none is lost`, async () => {
  const sessionId = await openSession(instances[0].url);
  const before = await sessionItem(sessionId);

  const answers = await Promise.all(Array.from({ length: PROFILE.concurrentWriters }, (_, i) =>
    post(instances[i % 2].url, { jsonrpc: '2.0', id: i, method: 'logging/setLevel', params: { level: LEVELS[i % LEVELS.length] } }, sessionHeaders(sessionId))));

  expect(answers.map((a) => [a.status, a.messages[0]?.id, a.messages[0]?.result])).toEqual(
    answers.map((_, i) => [200, i, {}]));
  const after = await sessionItem(sessionId);
  // Each accepted setLevel is one atomic write (ADD version): the count says none was lost.
  expect(after.version - before.version).toBe(PROFILE.concurrentWriters);
  expect(LEVELS).toContain(after.logLevel);
  tally.sessionWrites += PROFILE.concurrentWriters;
});

test('writers racing on one session version: exactly one wins each version, the others are told it changed', async () => {
  const sessionId = await openSession(instances[0].url);
  const stores = docClients.map((client) => new DynamoDbSessionStore({ client, tableName: tables.sessionTable }));
  for (let round = 0; round < PROFILE.registryRounds; round++) {
    const { version } = (await stores[0].get(sessionId))!;
    const results = await Promise.allSettled(Array.from({ length: PROFILE.concurrentWriters }, (_, i) =>
      stores[i % 2].update(sessionId, { logLevel: LEVELS[i % LEVELS.length] }, version)));
    const winners = results.filter((r) => r.status === 'fulfilled');
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers.every((r) => r.reason instanceof SessionConflictError)).toBe(true);
    const stored = (await stores[1].get(sessionId))!;
    expect(stored.version).toBe(version + 1);
    expect(stored.logLevel).toBe((winners[0] as PromiseFulfilledResult<{ logLevel?: string }>).value.logLevel);
    tally.sessionVersionRaces++;
  }
});

test(`${PROFILE.concurrentWriters} writers racing on one registry item with expectedVersion, ${PROFILE.registryRounds} rounds: exactly one winner per version, its body stored`, async () => {
  const stores = docClients.map((client) => new DynamoDbRegistryStore({ client, tableName: tables.registryTable }));
  const item = (writer: number, round: number): ToolItem => ({
    type: 'tool',
    name: 'contended',
    description: `round ${round} writer ${writer}`,
    inputSchema: { type: 'object' },
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:contended',
  });
  // Round 0 races the creation itself (expectedVersion 0: must not exist).
  let version = 0;
  for (let round = 0; round <= PROFILE.registryRounds; round++) {
    const results = await Promise.allSettled(Array.from({ length: PROFILE.concurrentWriters }, (_, w) =>
      stores[w % 2].put(item(w, round), version)));
    const winners = results.filter((r) => r.status === 'fulfilled') as Array<PromiseFulfilledResult<{ version: number; description?: string }>>;
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers.map((r) => r.reason instanceof RegistryConflictError)).toEqual(losers.map(() => true));
    const stored = await stores[(round + 1) % 2].get('tool', 'contended');
    expect(stored).toMatchObject({ version: version + 1, description: winners[0].value.description });
    expect(winners[0].value.version).toBe(version + 1);
    version++;
    tally.registryRounds++;
    tally.registryWriters += PROFILE.concurrentWriters;
  }
  // One item, one counter: the race created nothing else.
  const registry = await scanTable(direct, tables.registryTable);
  expect(registry.filter((i) => i.pk === 'REGISTRY').map((i) => i.sk)).toEqual(['tool#contended']);
});
