/**
 * The function timeout approaching while a client's GET stream is open: the stream
 * must end cleanly before the invocation is killed, in a way the client recovers
 * from (2025-11-25 transports, "Resumability and Redelivery": a priming event id, and a
 * `retry:` field before the server closes), and the client's reconnect is served.
 * The invocation budget is set short (as a function timeout) so that this happens
 * within the test; nothing is timed.
 */
import { startHandlerServer, type HandlerServer } from './handler-server';
import { openSession, sessionHeaders } from './raw-client';
import { recordResult } from './reliability-profile';
import type { HandlerConfig } from '../../lambda-src/model/config';
import { MemoryEventLog } from '../../lambda-src/store/memory-event-log';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { handlerConfig } from '../support/handler-config';

// Generous: a ceiling for a hung test on a busy machine, never a measure of speed.
jest.setTimeout(60_000);

/** Long enough to open the stream, short enough to end it in seconds: it ends 5 s (streamEndMarginMs) before this. */
const INVOCATION_TIMEOUT_MS = 6_500;

let server: HandlerServer;
const tally = { streamsEndedBeforeDeadline: 0, reconnectsServed: 0 };

beforeAll(async () => {
  const config: HandlerConfig = handlerConfig({ serverName: 'reliability', toolTimeoutSeconds: 10 });
  server = await startHandlerServer({
    config,
    sessions: new MemorySessionStore(),
    registryStore: new MemoryRegistryStore(),
    log: () => undefined,
    // A stream needs an event source: without one GET answers 405.
    eventLog: new MemoryEventLog(),
    eventConfig: { pollIntervalMs: 1000, eventTtlSeconds: 3600 },
  }, { invocationTimeoutMs: INVOCATION_TIMEOUT_MS });
});

afterAll(async () => {
  recordResult('stream-deadline', tally);
  await server?.close();
});

test('a GET stream ends before the function timeout with a retry hint, and the reconnect is served', async () => {
  const sessionId = await openSession(server.url);
  const headers = { accept: 'text/event-stream', ...sessionHeaders(sessionId) };

  const first = await fetch(server.url, { headers });
  expect(first.status).toBe(200);
  expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
  // Resolves only if the server ENDS the body; a stream cut by the runtime would reject.
  const text = await first.text();
  expect(text).toMatch(/^id: .+\n/m);
  expect(text.trimEnd()).toMatch(/retry: \d+$/);
  tally.streamsEndedBeforeDeadline++;

  const again = await fetch(server.url, { headers });
  expect(again.status).toBe(200);
  await again.body?.cancel();
  tally.reconnectsServed++;
});
