/**
 * The CancellationStore contract (store/cancellation-store.ts), run against DynamoDB
 * (on DynamoDB Local) and memory alike: markers keyed by the request id's JSON type and
 * value, of bounded size whatever the id, one session's never another's, and expired
 * ones read as absent (TTL deletes late).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { TestClock } from './store-variants';
import { CANCEL_MARKER_TTL_SECONDS, type CancellationStore, cancelRequestSortKey } from '../../lambda-src/store/cancellation-store';
import { DynamoDbCancellationStore } from '../../lambda-src/store/dynamodb-cancellation-store';
import { createDocumentClient } from '../../lambda-src/store/dynamodb-client';
import { MemoryCancellationStore } from '../../lambda-src/store/memory-cancellation-store';
import { MAX_SORT_KEY_BYTES, SESSION_PREFIX } from '../../lambda-src/store/table-schema';
import { createTestTables, type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';

let ddb: DynamoDbLocal | undefined;
const client = () => createDocumentClient({ endpoint: ddb!.endpoint });
let sessionTable: string;

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  ({ sessionTable } = await createTestTables(ddb.endpoint));
}, 60_000);

afterAll(async () => ddb?.stop());

const VARIANTS: Array<[string, (clock: TestClock) => CancellationStore]> = [
  ['DynamoDB', (clock) => new DynamoDbCancellationStore({ client: client(), tableName: sessionTable, now: clock.now })],
  ['memory', (clock) => new MemoryCancellationStore({ now: clock.now })],
];

let n = 0;
const session = () => `s-${++n}-${Date.now()}`;

describe.each(VARIANTS)('%s cancellation store', (_name, make) => {
  let clock: TestClock;
  let store: CancellationStore;
  beforeEach(() => {
    clock = new TestClock();
    store = make(clock);
  });

  test('nothing written: no marker', async () => {
    expect(await store.read(session(), 1)).toEqual({ sessionEnded: false });
  });

  test('a request\'s marker names that id only: the number 1 is not the string "1", nor 1 of another session', async () => {
    const [s1, s2] = [session(), session()];
    await store.cancelRequest(s1, 1, 1000);
    expect(await store.read(s1, 1)).toEqual({ requestCancelledAt: 1000, sessionEnded: false });
    expect(await store.read(s1, '1')).toEqual({ sessionEnded: false });
    expect(await store.read(s1, 2)).toEqual({ sessionEnded: false });
    expect(await store.read(s2, 1)).toEqual({ sessionEnded: false });
  });

  test('any id: 300 KB of anything, key-breaking characters included', async () => {
    const s = session();
    const long = `"#\u0000${'é'.repeat(150_000)}`;
    await store.cancelRequest(s, long, 2000);
    expect(await store.read(s, long)).toEqual({ requestCancelledAt: 2000, sessionEnded: false });
    expect(await store.read(s, long.slice(0, -1))).toEqual({ sessionEnded: false });
    for (const id of ['', 'SESSION', 'R#x', -0.5, Number.MAX_SAFE_INTEGER]) {
      await store.cancelRequest(s, id, 3000);
      expect(await store.read(s, id)).toEqual({ requestCancelledAt: 3000, sessionEnded: false });
    }
  });

  test('a deleted session\'s marker reaches every request of that session, and no other session', async () => {
    const [s1, s2] = [session(), session()];
    await store.endSession(s1, 5000);
    expect(await store.read(s1, 1)).toEqual({ sessionEnded: true });
    expect(await store.read(s1, 'anything')).toEqual({ sessionEnded: true });
    expect(await store.read(s2, 1)).toEqual({ sessionEnded: false });
  });

  test('markers expire: read as absent once their TTL has passed, though TTL has not deleted them', async () => {
    const s = session();
    await store.cancelRequest(s, 7, clock.ms);
    await store.endSession(s, clock.ms);
    clock.ms += (CANCEL_MARKER_TTL_SECONDS - 1) * 1000;
    expect(await store.read(s, 7)).toEqual({ requestCancelledAt: expect.any(Number), sessionEnded: true });
    clock.ms += 2000;
    expect(await store.read(s, 7)).toEqual({ sessionEnded: false });
  });
});

test('DynamoDB: the marker item is small and its key bounded, whatever the id', async () => {
  const clock = new TestClock();
  const c = client();
  const store = new DynamoDbCancellationStore({ client: c, tableName: sessionTable, now: clock.now });
  const s = session();
  const id = 'x'.repeat(100_000);
  await store.cancelRequest(s, id, clock.ms);
  const sk = cancelRequestSortKey(id);
  expect(Buffer.byteLength(sk)).toBeLessThan(MAX_SORT_KEY_BYTES);
  expect(sk).toMatch(/^CANCEL#R#[A-Za-z0-9_-]{43}$/);
  const { Item } = await c.send(new GetCommand({ TableName: sessionTable, Key: { pk: `${SESSION_PREFIX}${s}`, sk }, ConsistentRead: true }));
  expect(Item).toEqual({ pk: `${SESSION_PREFIX}${s}`, sk, cancelledAt: clock.ms, expiresAt: clock.seconds + CANCEL_MARKER_TTL_SECONDS });
  expect(Buffer.byteLength(JSON.stringify(Item))).toBeLessThan(200);
});
