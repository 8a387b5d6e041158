/**
 * The event-stream meter: bytes pass through unchanged, events are counted the way an
 * EventSource dispatches them (a blank line ends an event; only events with data
 * count; comments and split chunks are handled), and the close is reported once,
 * whether the stream ends, fails, or the client cancels it.
 */
import { meterEventStream } from '../../lambda-src/http/event-stream-meter';

function recorder() {
  const calls: Array<[string, number?]> = [];
  return {
    calls,
    observer: {
      opened: () => calls.push(['opened']),
      delivered: (n: number) => calls.push(['delivered', n]),
      closed: (n: number) => calls.push(['closed', n]),
    },
  };
}

function sse(chunks: string[], options: { fail?: boolean; hold?: boolean } = {}): Response {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]));
      else if (options.fail) controller.error(new Error('producer failed'));
      else if (!options.hold) controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream', 'x-kept': 'yes' } });
}

test('counts events with data, across split chunks, not comments; bytes and headers unchanged', async () => {
  const chunks = [
    ': keep-alive\n\n',
    'event: message\nid: 1\ndata: {"a":1}\n\n',
    'data: {"b"',
    ':2}\r\n\r\ndata: x\n',
    'data: y\n\n',
    'retry: 1000\n\n',
  ];
  const { calls, observer } = recorder();
  const metered = meterEventStream(sse(chunks), observer);
  expect(metered.headers.get('x-kept')).toBe('yes');
  expect(await metered.text()).toBe(chunks.join(''));
  expect(calls).toEqual([['opened'], ['closed', 3]]);
});

test('a client that cancels is reported closed once, and the producer is cancelled', async () => {
  const { calls, observer } = recorder();
  const metered = meterEventStream(sse(['data: 1\n\n', 'data: 2\n\n'], { hold: true }), observer);
  const reader = metered.body!.getReader();
  expect((await reader.read()).done).toBe(false);
  await reader.cancel('client left');
  expect(calls).toEqual([['opened'], ['closed', 1]]);
});

test('a producer that fails is reported closed, and the failure reaches the reader', async () => {
  const { calls, observer } = recorder();
  const metered = meterEventStream(sse(['data: 1\n\n'], { fail: true }), observer);
  await expect(metered.text()).rejects.toThrow('producer failed');
  expect(calls).toEqual([['opened'], ['closed', 1]]);
});

test('a long stream reports delivered events periodically, the rest at close', async () => {
  let tick = 0;
  const { calls, observer } = recorder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const e = new TextEncoder();
      controller.enqueue(e.encode('data: 1\n\n'));
      controller.enqueue(e.encode('data: 2\n\n'));
      controller.enqueue(e.encode('data: 3\n\n'));
      controller.close();
    },
  });
  const times = [0, 10, 70_000, 70_010];
  const metered = meterEventStream(new Response(body, { headers: { 'content-type': 'text/event-stream' } }), observer, {
    reportEveryMs: 60_000,
    now: () => times[Math.min(tick++, times.length - 1)],
  });
  await metered.text();
  // Opened at 0; the second event is seen at 70 s (past 60 s): two reported then; the
  // third at close.
  expect(calls).toEqual([['opened'], ['delivered', 2], ['closed', 1]]);
});
