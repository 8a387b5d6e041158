/**
 * `Last-Event-ID` is a value the client controls. Only an id this server issued for
 * this very session is accepted (events/stream-cursor.ts: an HMAC under a key derived
 * from the deployment's sealing key, binding the session id), its numbers are bounded,
 * and a resume never delivers an event from before the session existed. Forged,
 * tampered, oversized or foreign ids get 400.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { StreamCursorCodec, type StreamCursor } from '../../lambda-src/events/stream-cursor';
import { type Instance, type InstancePair, snsEvent, startInstancePair } from '../events/instances';
import { openSession, SseStream } from '../events/raw-session';

jest.setTimeout(90_000);

const FP = { tools: 'aaaaaaaa', prompts: 'bbbbbbbb', resources: 'cccccccc' };
const CURSOR: StreamCursor = { broadcast: [1_700_000_000_000_000, 0, 1_700_000_000_000_007, 1], session: 0, fingerprint: FP };

describe('StreamCursorCodec', () => {
  const codec = new StreamCursorCodec(randomBytes(32));

  test('decodes what it encoded, for the same session only', () => {
    const id = codec.encode('session-1', CURSOR, 'strm', 3);
    expect(codec.decode('session-1', id)).toEqual(CURSOR);
    expect(codec.decode('session-2', id)).toBeUndefined();
  });

  test('an id signed under another key is refused', () => {
    const other = new StreamCursorCodec(randomBytes(32));
    expect(codec.decode('session-1', other.encode('session-1', CURSOR, 'strm', 0))).toBeUndefined();
  });

  test.each([
    ['the form the server used to accept, unsigned', `0.0.${FP.tools}.${FP.prompts}.${FP.resources}:forged:0`],
    ['seqs beyond 2^53', '9999999999999999.9999999999999999.x.x.x:x:0:AAAAAAAAAAAAAAAAAAAAAA'],
    ['a 17-digit seq', `10000000000000000.0.${FP.tools}.${FP.prompts}.${FP.resources}:s:0:AAAAAAAAAAAAAAAAAAAAAA`],
    ['a negative seq', `-1.0.${FP.tools}.${FP.prompts}.${FP.resources}:s:0:AAAAAAAAAAAAAAAAAAAAAA`],
    ['empty', ''],
    ['colons only', ':::'],
    ['very long', 'a'.repeat(100_000)],
    ['a NUL', '\u0000'],
  ])('%s is refused', (_what, id) => {
    expect(codec.decode('session-1', id)).toBeUndefined();
  });

  test('changing any character of a genuine id makes it refused', () => {
    const id = codec.encode('session-1', CURSOR, 'strm', 7);
    for (let i = 0; i < id.length; i++) {
      const swapped = id[i] === '1' ? '2' : '1';
      const tampered = id.slice(0, i) + swapped + id.slice(i + 1);
      expect(codec.decode('session-1', tampered)).toBeUndefined();
    }
  });

  test('a seq past 2^53 - 1 is refused even when signed: the cursor always advances', () => {
    const id = codec.encode('session-1', { ...CURSOR, broadcast: [0, 9_999_999_999_999_999, 0, 0] }, 'strm', 0);
    expect(codec.decode('session-1', id)).toBeUndefined();
    const max = codec.encode('session-1', { ...CURSOR, broadcast: [0, Number.MAX_SAFE_INTEGER, 0, 0] }, 'strm', 0);
    expect(codec.decode('session-1', max)?.broadcast).toEqual([0, Number.MAX_SAFE_INTEGER, 0, 0]);
  });

  test('a broadcast position with another number of shards is refused even when signed', () => {
    for (const broadcast of [[5], [1, 2, 3], [1, 2, 3, 4, 5], []]) {
      expect(codec.decode('session-1', codec.encode('session-1', { ...CURSOR, broadcast }, 'strm', 0))).toBeUndefined();
    }
  });
});

describe('over two instances sharing the store (and so the sealing key)', () => {
  let pair: InstancePair | undefined;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    pair = await startInstancePair({ pollIntervalMs: 100, hangUps: 'hidden', maxStreamMs: 60_000 });
    ({ a, b } = pair);
  });

  afterAll(() => pair?.stop());

  function resume(url: string, session: string, lastEventId: string): Promise<Response> {
    return fetch(url, {
      headers: { 'accept': 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25', 'last-event-id': lastEventId },
    });
  }

  async function expect400(res: Response): Promise<void> {
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Last-Event-ID/);
  }

  test('an id issued on A resumes on B; events from before the session are never replayed', async () => {
    // Broadcast events published before the session existed.
    const early = `before-session-${randomUUID()}`;
    await a.sns(snsEvent(early));
    const session = await openSession(a.url);
    const first = await SseStream.open(a.url, session);
    const [priming] = await first.until((f) => f.length >= 1);
    first.close();
    const later = `after-${randomUUID()}`;
    await a.sns(snsEvent(later));
    const second = await SseStream.open(b.url, session, priming.id);
    await second.until(() => second.messages().some((m) => m.params?.data === later));
    second.close();
    expect(second.messages().map((m) => m.params?.data)).toEqual([later]);

    // The unsigned zero cursor that used to replay the early events is refused.
    await expect400(await resume(b.url, session, '0.0.AAAAAAAA.AAAAAAAA.AAAAAAAA:forged:0'));
  });

  test('an id of another session, a tampered id, and an endless-replay id are refused', async () => {
    const [s1, s2] = await Promise.all([openSession(a.url), openSession(a.url)]);
    const stream = await SseStream.open(a.url, s1);
    const [priming] = await stream.until((f) => f.length >= 1);
    stream.close();
    await expect400(await resume(b.url, s2, priming.id!));
    const [position, rest] = [priming.id!.slice(0, priming.id!.indexOf('.')), priming.id!.slice(priming.id!.indexOf('.'))];
    const rewound = position.split('-').map((seq, shard) => (shard === 0 ? Number(seq) - 1000 : seq)).join('-');
    await expect400(await resume(b.url, s1, `${rewound}${rest}`));
    await expect400(await resume(b.url, s1, '9999999999999999.9999999999999999.x.x.x:x:0'));
    // And the genuine one still works.
    const ok = await resume(b.url, s1, priming.id!);
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });
});
