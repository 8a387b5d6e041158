/**
 * Events locally: `mcp-lambda-server publish` delivers an SNS-shaped event to a running
 * dev server (the embedded store), through the handler's SNS ingest, to an open 2025-era
 * GET stream (SDK v1) and a 2026-07-28 `subscriptions/listen` stream (SDK v2).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { banner, runCli } from '../../lambda-src/local/cli';
import type { DevServer } from '../../lambda-src/local/dev-server';
import { buildSnsEvent } from '../../lambda-src/local/local-publish';
import { connectLoggingClientV1 } from '../support/logging-client-v1';
import { pollUntil, untilLive as waitUntilLive } from '../support/poll-until';
import { connectResourceUpdatesClientV2 } from '../support/resource-updates-client-v2';

const REGISTRY = join(__dirname, '..', '..', 'examples', 'local-registry', 'registry.json');
const WATCHED = 'example://readme';

let server: DevServer;

beforeAll(async () => {
  const result = await runCli(['dev', '--port', '0', '--quiet', '--registry', REGISTRY], { out: () => undefined, err: () => undefined });
  if (typeof result === 'number') throw new Error(`dev exited with ${result}`);
  server = result as DevServer;
});

afterAll(async () => {
  await server?.stop();
});

/** Runs `mcp-lambda-server publish ... MESSAGE` against the server; resolves with the exit code and output. */
async function publish(message: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['publish', '--url', server.url, ...args, message], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code: code as number, out: out.join(''), err: err.join('') };
}

const untilLive = (probe: () => Promise<unknown>, received: () => boolean) => waitUntilLive(probe, received, 40);

const until = (condition: () => boolean) => pollUntil(condition, 20);

test('publish reaches an open GET stream (SDK v1, 2025-11-25): broadcast, and to one session only', async () => {
  const open = async () => {
    const { client, logs, transport } = await connectLoggingClientV1(server.url, 'v1');
    return { client, logs, sessionId: transport.sessionId! };
  };
  const one = await open();
  const two = await open();
  try {
    await untilLive(() => publish(`probe-${randomUUID()}`), () => one.logs.length > 0 && two.logs.length > 0);
    const text = `hello-${randomUUID()}`;
    const result = await publish(text);
    expect(result).toEqual({ code: 0, out: `published notifications/message to every open stream at ${new URL(server.url).origin}\n`, err: '' });
    await until(() => one.logs.includes(text) && two.logs.includes(text));

    // To one session: a JSON body is the notification's params as they are.
    const order = Math.floor(Math.random() * 1e9);
    expect((await publish(JSON.stringify({ level: 'warning', data: { order } }), '--session', one.sessionId)).code).toBe(0);
    await until(() => one.logs.some((l) => (l as { order?: number })?.order === order));
    // Broadcast after it, so that `two` has had its chance to (wrongly) receive the targeted one.
    const after = `after-${randomUUID()}`;
    await publish(after);
    await until(() => two.logs.includes(after));
    expect(two.logs.some((l) => (l as { order?: number })?.order === order)).toBe(false);
  } finally {
    await one.client.close();
    await two.client.close();
  }
});

test('publish reaches a 2026-07-28 subscriptions/listen stream (SDK v2), for its URIs only', async () => {
  const { client, updated } = await connectResourceUpdatesClientV2(server.url, 'v2');
  const subscription = await client.listen({ resourceSubscriptions: [WATCHED] });
  try {
    await untilLive(() => publish('{}', '--method', 'notifications/resources/updated', '--uri', WATCHED), () => updated.length > 0);
    const before = updated.length;
    expect((await publish('{}', '--method', 'notifications/resources/updated', '--uri', 'example://other')).code).toBe(0);
    expect((await publish('{}', '--method', 'notifications/resources/updated', '--uri', WATCHED)).code).toBe(0);
    await until(() => updated.length > before);
    expect(updated.slice(before)).toEqual([WATCHED]);
  } finally {
    await subscription.close();
    await client.close();
  }
});

describe('refusals', () => {
  test.each([
    [['--method', 'tools/call'], /--method must be one of notifications\/message/],
    [['--url', 'ftp://127.0.0.1:1'], /--url must be an http:\/\/ URL/],
  ])('publish %j is refused before sending', async (args, message) => {
    const r = await publish('x', ...args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
  });

  test('a message the contract refuses (resources/updated without a uri) is reported, not delivered', async () => {
    const r = await publish('{}', '--method', 'notifications/resources/updated');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not delivered: the server refused the message/);
  });

  test('no server at the URL: says how to start one', async () => {
    const out: string[] = [];
    const err: string[] = [];
    // Port 1 on loopback: nothing listens there without root.
    const code = await runCli(['publish', '--url', 'http://127.0.0.1:1/mcp', 'x'], { out: (t) => out.push(t), err: (t) => err.push(t) });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/could not reach a dev server at http:\/\/127\.0\.0\.1:1 .*mcp-lambda-server dev/);
  });

  test('the endpoint takes no browser requests, no other method and no other content type', async () => {
    const body = JSON.stringify(buildSnsEvent({ message: 'x' }));
    const withOrigin = await fetch(server.publishUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'origin': 'http://localhost:6274' }, body });
    expect(withOrigin.status).toBe(403);
    const form = await fetch(server.publishUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    expect(form.status).toBe(415);
    const get = await fetch(server.publishUrl);
    expect(get.status).toBe(405);
    const notSns = await fetch(server.publishUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Records":[]}' });
    expect(notSns.status).toBe(400);
    const notJson = await fetch(server.publishUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    const huge = await fetch(server.publishUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(400 * 1024) });
    expect(huge.status).toBe(413);
    // And publishing still works afterwards.
    expect((await publish('still-works')).code).toBe(0);
  });
});

test('the banner says how to publish', () => {
  expect(banner(server)).toContain(`npx mcp-lambda-server publish --url ${server.url}`);
});
