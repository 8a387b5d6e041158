/**
 * Poll mode for 2025-06-18 / 2025-03-26 sessions (`pollOlderRevisions`, docs/streams.md,
 * "Per era"). Those revisions have no priming event and no `retry:`: the official
 * clients (SDK v1 from 1.23 on) reconnect a GET stream the server ends after their own
 * 1 s, and send `Last-Event-ID` only when the closed stream carried an event. The
 * session keeps a server-side cursor, so a GET without the header resumes where the
 * last one ended.
 *
 * Two handler instances share only DynamoDB Local, hang-ups are hidden as on Lambda,
 * and each client's requests alternate between the instances. Events published at
 * random moments must each arrive exactly once across many reconnects, and the idle
 * client must hold no invocation between its polls. Without the option, such a
 * session still gets a live stream.
 */
import { randomUUID } from 'node:crypto';
// eslint-disable-next-line import/no-unresolved
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// eslint-disable-next-line import/no-unresolved
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { type Instance, type InstancePair, snsEvent, startInstancePair } from './instances';
import { pollUntil } from '../support/poll-until';

jest.setTimeout(180_000);

const EVENTS = 20;
const VERSION = '2025-06-18';

let pair: InstancePair | undefined;
let a: Instance;
let b: Instance;

beforeAll(async () => {
  pair = await startInstancePair({ pollIntervalMs: 100, streamMode: 'poll', streamRetryMs: 250, pollOlderRevisions: true, hangUps: 'hidden' });
  ({ a, b } = pair);
});

afterAll(() => pair?.stop());

const until = (condition: () => boolean | Promise<boolean>) => pollUntil(condition, 25);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A fetch that sends each request to the next instance in turn, and asks for
 * 2025-06-18 in initialize (SDK v1 1.32 always asks for its latest revision).
 */
function pinnedRoundRobin(): typeof fetch {
  let n = 0;
  return (input, init) => {
    const target = new URL(String(input instanceof Request ? input.url : input));
    const instance = n++ % 2 === 0 ? a : b;
    if (init?.method === 'POST' && typeof init.body === 'string' && init.body.includes('"method":"initialize"')) {
      const body = JSON.parse(init.body);
      body.params.protocolVersion = VERSION;
      init = { ...init, body: JSON.stringify(body) };
    }
    return fetch(`${instance.url}${target.search}`, init);
  };
}

async function openStats() {
  const [sa, sb] = await Promise.all([a.stats(), b.stats()]);
  return { invocations: sa.invocations + sb.invocations, open: sa.open + sb.open };
}

async function initialize(instance: Instance, protocolVersion = VERSION): Promise<Record<string, string>> {
  const init = await fetch(instance.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  const answer = await init.json() as { result: { protocolVersion: string } };
  expect(answer.result.protocolVersion).toBe(protocolVersion);
  return { 'accept': 'text/event-stream', 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': protocolVersion };
}

/** The `notifications/message` texts of an SSE body, and its event ids. */
function parse(body: string): { texts: string[]; ids: string[] } {
  const texts = [...body.matchAll(/^data: (\{.*\})$/gm)].map((m) => (JSON.parse(m[1]) as { params: { data: string } }).params.data);
  const ids = [...body.matchAll(/^id: (\S+)$/gm)].map((m) => m[1]);
  return { texts, ids };
}

test('SDK v1 (1.32) pinned to 2025-06-18: every event published at random moments arrives exactly once, and the GETs end at once', async () => {
  const received: string[] = [];
  const errors: unknown[] = [];
  const client = new ClientV1({ name: 'poll-2025-06-18', version: '1.0.0' });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    received.push(n.params.data as string);
  });
  client.onerror = (error) => errors.push(error);
  const transport = new TransportV1(new URL(a.url), { fetch: pinnedRoundRobin() });
  await client.connect(transport);
  expect(transport.protocolVersion).toBe(VERSION);
  try {
    // From the client's first GET on (which sets the session's cursor), nothing is missed.
    await until(async () => {
      if (received.some((r) => r.startsWith('probe-'))) return true;
      await a.sns(snsEvent(`probe-${randomUUID()}`));
      await sleep(1500);
      return received.some((r) => r.startsWith('probe-'));
    });
    const before = await openStats();
    // Sampled while events are published: a live stream would be open in every sample.
    let samples = 0;
    let idle = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples++;
        if ((await openStats()).open === 0) idle++;
        await sleep(50);
      }
    })();
    const texts: string[] = [];
    for (let i = 0; i < EVENTS; i++) {
      // Around the client's 1 s reconnect delay: some events fall in a GET, most between two.
      await sleep(Math.floor(Math.random() * 1500));
      const text = `e-${i}-${randomUUID()}`;
      texts.push(text);
      expect((await (i % 2 ? b : a).sns(snsEvent(text))).appended).toBe(1);
    }
    await until(() => texts.every((t) => received.includes(t)));
    // A marker published last: once it is in, nothing counted is still on its way.
    const marker = `marker-${randomUUID()}`;
    await b.sns(snsEvent(marker));
    await until(() => received.includes(marker));
    sampling = false;
    await sampler;
    expect(received.filter((r) => texts.includes(r))).toEqual(texts);
    const after = await openStats();
    // Many GETs, each ended by the server: about one a second, not one stream held throughout.
    expect(after.invocations - before.invocations).toBeGreaterThanOrEqual(10);
    expect(idle).toBeGreaterThan(samples / 2);
    expect(errors).toEqual([]);
  } finally {
    await client.close();
  }
  await until(async () => (await openStats()).open === 0);
});

test('a 2025-06-18 GET has no priming event and no retry; the next GET without Last-Event-ID resumes from the session cursor, and the header wins', async () => {
  const headers = await initialize(a);
  const first = await (await fetch(b.url, { headers })).text();
  expect(first).not.toMatch(/^id:/m);
  expect(first).not.toMatch(/^retry:/m);
  // Published between two GETs: a GET without Last-Event-ID still gets it, on either instance.
  const text = `between-${randomUUID()}`;
  await a.sns(snsEvent(text));
  const got: string[] = [];
  let lastId: string | undefined;
  for (let poll = 0; poll < 40 && !got.includes(text); poll++) {
    if (poll > 0) await sleep(150);
    const body = await (await fetch((poll % 2 ? a : b).url, { headers })).text();
    expect(body).not.toMatch(/^retry:/m);
    const { texts, ids } = parse(body);
    got.push(...texts);
    lastId = ids.at(-1) ?? lastId;
  }
  expect(got).toEqual([text]);
  // Nothing more without the header: the cursor moved past it.
  await sleep(300);
  expect(parse(await (await fetch(a.url, { headers })).text()).texts).toEqual([]);
  // An idle poll writes nothing: the cursor is written only when it moved.
  const writesBefore = (await a.stats()).writes + (await b.stats()).writes;
  for (const x of [a, b, a, b]) expect(parse(await (await fetch(x.url, { headers })).text()).texts).toEqual([]);
  expect((await a.stats()).writes + (await b.stats()).writes).toBe(writesBefore);
  // A client that says it received less gets the rest again: the header is what it received.
  const later = `later-${randomUUID()}`;
  await b.sns(snsEvent(later));
  const replayed: string[] = [];
  for (let poll = 0; poll < 40 && !replayed.includes(later); poll++) {
    if (poll > 0) await sleep(150);
    replayed.push(...parse(await (await fetch(a.url, { headers: { ...headers, 'last-event-id': lastId! } })).text()).texts);
  }
  expect(replayed.filter((t) => t === later)).toEqual([later]);
  // A Last-Event-ID the server did not issue for this session is still refused.
  expect((await fetch(a.url, { headers: { ...headers, 'last-event-id': `${lastId!.slice(0, -2)}xx` } })).status).toBe(400);
});

test('concurrent GETs of one session on two instances: each event is delivered by exactly one of them', async () => {
  const headers = await initialize(a);
  await (await fetch(a.url, { headers })).text();
  const texts = Array.from({ length: 5 }, (_, i) => `race-${i}-${randomUUID()}`);
  for (const text of texts) await (texts.indexOf(text) % 2 ? a : b).sns(snsEvent(text));
  const got: string[] = [];
  for (let round = 0; round < 40 && !texts.every((t) => got.includes(t)); round++) {
    if (round > 0) await sleep(120);
    const bodies = await Promise.all([a, b, a, b].map(async (x) => (await fetch(x.url, { headers })).text()));
    for (const body of bodies) got.push(...parse(body).texts);
  }
  expect(got.sort()).toEqual([...texts].sort());
});

test('2025-03-26 sessions are polled from the cursor too', async () => {
  const headers = await initialize(b, '2025-03-26');
  await (await fetch(a.url, { headers })).text();
  const text = `old-${randomUUID()}`;
  await a.sns(snsEvent(text));
  const got: string[] = [];
  for (let poll = 0; poll < 40 && !got.includes(text); poll++) {
    if (poll > 0) await sleep(150);
    got.push(...parse(await (await fetch((poll % 2 ? a : b).url, { headers })).text()).texts);
  }
  expect(got).toEqual([text]);
});

describe('without pollOlderRevisions', () => {
  let plain: InstancePair | undefined;
  beforeAll(async () => {
    plain = await startInstancePair({ pollIntervalMs: 100, streamMode: 'poll', streamRetryMs: 250, maxStreamMs: 30_000, hangUps: 'hidden' });
  });
  afterAll(() => plain?.stop());

  test('a 2025-06-18 GET in poll mode is a live stream: still open after it delivered an event', async () => {
    const headers = await initialize(plain!.a);
    // Read as it comes; not awaited, as the headers may come only with the first bytes.
    let body = '';
    const abort = new AbortController();
    void fetch(plain!.b.url, { headers, signal: abort.signal }).then(async (response) => {
      for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) body += chunk;
    }).catch(() => undefined);
    // Probes until one arrives: one published before the stream read the log's head is (rightly) not delivered.
    await until(async () => {
      if (body.includes('probe-')) return true;
      await plain!.a.sns(snsEvent(`probe-${randomUUID()}`));
      await sleep(200);
      return body.includes('probe-');
    });
    // A polled GET would have ended with its first read; this one is held.
    expect((await plain!.b.stats()).open).toBe(1);
    expect(body).not.toMatch(/^retry:/m);
    abort.abort();
  });
});
