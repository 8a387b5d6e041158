/**
 * Poll mode (events/event-config.ts, docs/streams.md): a 2025-11-25 GET writes its
 * priming event and everything pending since `Last-Event-ID`, then ends with
 * `retry:`; the official clients reconnect after that delay with the last id they saw
 * (2025-11-25 basic/transports, "Resumability and Redelivery", "Polling SSE streams").
 *
 * Two handler instances share only DynamoDB Local, hang-ups are hidden as on Lambda,
 * and each client's requests alternate between the instances (as a Function URL
 * spreads them over execution environments). Events published at random moments,
 * through either instance, must each arrive exactly once across many reconnects, and
 * an idle client must hold no invocation between its polls.
 */
import { randomUUID } from 'node:crypto';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// eslint-disable-next-line import/no-unresolved
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { type Instance, type InstancePair, snsEvent, startInstancePair } from './instances';
import { openSession } from './raw-session';
import { pollUntil } from '../support/poll-until';

jest.setTimeout(120_000);

const RETRY_MS = 250;
const EVENTS = 20;

let pair: InstancePair | undefined;
let a: Instance;
let b: Instance;

beforeAll(async () => {
  pair = await startInstancePair({ pollIntervalMs: 100, streamMode: 'poll', streamRetryMs: RETRY_MS, hangUps: 'hidden' });
  ({ a, b } = pair);
});

afterAll(() => pair?.stop());

/** A fetch that sends each request to the next instance in turn. */
function roundRobin(): typeof fetch {
  let n = 0;
  return (input, init) => {
    const target = new URL(String(input instanceof Request ? input.url : input));
    const instance = n++ % 2 === 0 ? a : b;
    return fetch(`${instance.url}${target.search}`, init);
  };
}

const until = (condition: () => boolean | Promise<boolean>) => pollUntil(condition, 25);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Publishes `EVENTS` log messages at random moments through either instance; returns their texts. */
async function publishAtRandom(tag: string): Promise<string[]> {
  const texts: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    await sleep(Math.floor(Math.random() * RETRY_MS * 1.5));
    const text = `${tag}-${i}-${randomUUID()}`;
    texts.push(text);
    const result = await (i % 2 ? b : a).sns(snsEvent(text));
    expect(result.appended).toBe(1);
  }
  return texts;
}

async function openStats() {
  const [sa, sb] = await Promise.all([a.stats(), b.stats()]);
  return { invocations: sa.invocations + sb.invocations, open: sa.open + sb.open };
}

test.each([
  ['SDK v1 (1.32)', 'v1'],
  ['SDK v2 (2.4) under 2025-11-25', 'v2'],
] as const)('%s: every event published at random moments arrives exactly once across poll reconnects', async (_name, sdk) => {
  const received: string[] = [];
  const errors: unknown[] = [];
  let close: () => Promise<void>;
  if (sdk === 'v1') {
    const client = new ClientV1({ name: 'poll-v1', version: '1.0.0' });
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      received.push(n.params.data as string);
    });
    client.onerror = (error) => errors.push(error);
    await client.connect(new TransportV1(new URL(a.url), { fetch: roundRobin() }));
    close = () => client.close();
  } else {
    const client = new ClientV2({ name: 'poll-v2', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
    client.setNotificationHandler('notifications/message', (n) => {
      received.push(n.params.data as string);
    });
    client.onerror = (error) => errors.push(error);
    await client.connect(new TransportV2(new URL(a.url), { fetch: roundRobin() }));
    close = () => client.close();
  }
  try {
    // The client opens its GET after connect; from its first priming event on, nothing is missed.
    // A new probe each time: one published before the first GET is (rightly) never delivered.
    await until(async () => {
      if (received.some((r) => r.startsWith('probe-'))) return true;
      await a.sns(snsEvent(`probe-${randomUUID()}`));
      await sleep(RETRY_MS * 2);
      return received.some((r) => r.startsWith('probe-'));
    });
    const before = await openStats();
    const texts = await publishAtRandom(sdk);
    await until(() => texts.every((t) => received.includes(t)));
    // A marker published last: once it is in, nothing counted is still on its way.
    const marker = `marker-${randomUUID()}`;
    await b.sns(snsEvent(marker));
    await until(() => received.includes(marker));
    const counted = received.filter((r) => texts.includes(r));
    expect(counted).toEqual(texts);
    const after = await openStats();
    // Many GETs, each ended by the server (poll mode), not one stream held throughout.
    expect(after.invocations - before.invocations).toBeGreaterThanOrEqual(5);
    expect(errors).toEqual([]);
  } finally {
    await close();
  }
  // Nothing left running once the client is gone.
  await until(async () => (await openStats()).open === 0);
});

test('a GET in poll mode writes the priming event, what is pending, and retry, then ends', async () => {
  const init = await fetch(a.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  const session = init.headers.get('mcp-session-id')!;
  await init.text();
  const headers = { 'accept': 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
  const first = await (await fetch(b.url, { headers })).text();
  const primingId = /^id: (\S+)\ndata: \n\n/.exec(first)?.[1];
  expect(primingId).toBeTruthy();
  expect(first.trimEnd()).toMatch(new RegExp(`retry: ${RETRY_MS}$`));
  const text = `pending-${randomUUID()}`;
  await a.sns(snsEvent(text));
  // An environment reads the broadcast tail at most once per interval and serves every
  // GET of that interval from it (broadcast-tail.ts): a GET that comes right after the
  // publish may be served from a read made before it, and the event then arrives with
  // the next poll, as a client's reconnect after `retry:` would fetch it.
  let lastId = primingId!;
  let second = '';
  for (let poll = 0; poll < 20 && !second.includes(text); poll++) {
    if (poll > 0) await sleep(RETRY_MS);
    second = await (await fetch(a.url, { headers: { ...headers, 'last-event-id': lastId } })).text();
    lastId = [...second.matchAll(/^id: (\S+)$/gm)].pop()?.[1] ?? lastId;
    expect(second.trimEnd()).toMatch(new RegExp(`retry: ${RETRY_MS}$`));
  }
  expect(second).toContain(text);
});

test('concurrent publishers on both instances, some messages delivered twice: polling readers on both get every event exactly once', async () => {
  // The broadcast is sharded (store/event-log.ts): publishers append at once to
  // different shards, readers keep a position per shard in their event ids. Every
  // event must still reach every reader exactly once, whatever the interleaving.
  const READERS = 4;
  const PUBLISHERS = 8;
  const PER_PUBLISHER = 10;
  const sessions = await Promise.all(Array.from({ length: READERS }, (_, i) => openSession((i % 2 ? b : a).url)));
  const headers = (session: string, lastId?: string) => ({
    'accept': 'text/event-stream',
    'mcp-session-id': session,
    'mcp-protocol-version': '2025-11-25',
    ...(lastId ? { 'last-event-id': lastId } : {}),
  });
  const frames = (text: string) => text.split('\n\n').map((block) => ({
    id: /^id: (.+)$/m.exec(block)?.[1],
    data: /^data: (.+)$/m.exec(block)?.[1],
  }));
  /** The broadcast positions in an event id (`<shard 0>-<shard 1>-...`). */
  const broadcastOf = (id: string) => id.split('.')[0].split('-').map(Number);

  // Each reader's first GET: its priming id is its cursor from now on.
  const readers = await Promise.all(sessions.map(async (session, i) => {
    const first = await (await fetch((i % 2 ? a : b).url, { headers: headers(session) })).text();
    const primingId = frames(first).find((f) => f.id)?.id;
    expect(primingId).toBeTruthy();
    return { session, primingId: primingId!, lastId: primingId!, received: [] as string[], polls: 0 };
  }));
  const marker = `marker-${randomUUID()}`;
  let stop = false;
  const polling = readers.map(async (reader, i) => {
    while (!stop) {
      // Each GET to the next instance, as a Function URL spreads them.
      const res = await fetch(((i + reader.polls++) % 2 ? a : b).url, { headers: headers(reader.session, reader.lastId) });
      for (const frame of frames(await res.text())) {
        if (frame.id) reader.lastId = frame.id;
        const message = frame.data ? JSON.parse(frame.data) as { method?: string; params?: { data?: unknown } } : undefined;
        if (message?.method === 'notifications/message') reader.received.push(String(message.params?.data));
      }
      if (reader.received.includes(marker)) return;
      await sleep(RETRY_MS);
    }
  });

  const texts: string[] = [];
  const results = await Promise.all(Array.from({ length: PUBLISHERS }, async (_, p) => {
    const outcomes: Array<{ appended?: number; duplicates?: number }> = [];
    for (let i = 0; i < PER_PUBLISHER; i++) {
      const text = `concurrent-${p}-${i}-${randomUUID()}`;
      texts.push(text);
      const messageId = randomUUID();
      const first = (p + i) % 2 ? a : b;
      const other = first === a ? b : a;
      // Every third message is delivered twice, to both instances at once (SNS
      // redelivers, and a retried invocation may run beside the first).
      const deliveries = i % 3 === 0 ? [first, other] : [first];
      outcomes.push(...await Promise.all(deliveries.map((x) => x.sns(snsEvent(text, {}, messageId)))));
    }
    return outcomes;
  }));
  const outcomes = results.flat();
  const twice = Array.from({ length: PER_PUBLISHER }, (_, i) => i).filter((i) => i % 3 === 0).length * PUBLISHERS;
  expect(outcomes.reduce((n, o) => n + (o.appended ?? 0), 0)).toBe(texts.length);
  expect(outcomes.reduce((n, o) => n + (o.duplicates ?? 0), 0)).toBe(twice);

  // Published last: a reader that has it has read every shard past everything above.
  await a.sns(snsEvent(marker));
  try {
    await until(() => readers.every((r) => r.received.includes(marker)));
  } finally {
    stop = true;
    await Promise.all(polling);
  }
  for (const reader of readers) {
    const counted = reader.received.filter((r) => r !== marker);
    // Exactly once: as many as published, each of them, none twice.
    expect(counted).toHaveLength(texts.length);
    expect(new Set(counted)).toEqual(new Set(texts));
    // Many polls, so cursors crossed many interleavings of the appends.
    expect(reader.polls).toBeGreaterThanOrEqual(3);
  }
  // The appends did spread over shards: more than one shard's position moved.
  const moved = (r: (typeof readers)[number]) => {
    const from = broadcastOf(r.primingId);
    return broadcastOf(r.lastId).filter((seq, shard) => seq > from[shard]).length;
  };
  expect(readers.map(moved).every((n) => n >= 2)).toBe(true);
});
