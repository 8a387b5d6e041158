/**
 * Events locally: the dev server's stand-in for the SNS topic the construct creates.
 *
 * Deployed, SNS invokes the function with an SNS event, and the handler appends each
 * record's notification to the event log that every open stream reads
 * (events/sns-ingest.ts). Locally `mcp-lambda-server publish` builds the same SNS event
 * (the message contract of events/sns-message.ts: body, `method`, `sessionId`, `uri`
 * attributes) and POSTs it to PUBLISH_PATH on a running dev server, which invokes the
 * same handler with it. So what a published message does locally is what it does
 * deployed, refusals included.
 *
 * The endpoint accepts callers on the loopback interface only, and no request a
 * browser could send on a web page's behalf: one with an Origin header is refused, and
 * the required JSON content type makes a cross-site form post impossible without a
 * CORS preflight, which this path never grants.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBodyWithin } from './read-body';
import { CollectingSink, createInvocationContext, invokeStreamingHandler } from '../entry/awslambda-shim';
import type { StreamingHandler } from '../entry/index';
import { isSnsEvent } from '../events/sns-ingest';
import { DEFAULT_SNS_METHOD, SNS_MAX_MESSAGE_BYTES } from '../events/sns-message';

/** Where a dev server takes SNS events. Not under /mcp: it is no part of the MCP endpoint. */
export const PUBLISH_PATH = '/_local/sns';

/** A local topic ARN for a server whose app declares no topic (`--registry` mode). */
export const LOCAL_TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:mcp-lambda-server-local';

/** Room for an SNS event around the largest message SNS takes. */
const MAX_PUBLISH_BODY_BYTES = SNS_MAX_MESSAGE_BYTES + 64 * 1024;

export interface PublishMessage {
  /** The notification's params as JSON, or text (see events/sns-message.ts). */
  readonly message: string;
  /** @default notifications/message */
  readonly method?: string;
  /** Deliver to this 2025-era session's streams only; absent: broadcast. */
  readonly sessionId?: string;
  /** The resource of notifications/resources/updated. */
  readonly uri?: string;
  readonly topicArn?: string;
}

/** The Lambda SNS event SNS would deliver for one published message. */
export function buildSnsEvent(message: PublishMessage): { Records: unknown[] } {
  const attributes: Record<string, { Type: string; Value: string }> = {};
  if (message.method !== undefined && message.method !== DEFAULT_SNS_METHOD) attributes.method = { Type: 'String', Value: message.method };
  if (message.sessionId !== undefined) attributes.sessionId = { Type: 'String', Value: message.sessionId };
  if (message.uri !== undefined) attributes.uri = { Type: 'String', Value: message.uri };
  const topicArn = message.topicArn ?? LOCAL_TOPIC_ARN;
  return {
    Records: [{
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: `${topicArn}:${randomUUID()}`,
      Sns: {
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: topicArn,
        Subject: null,
        Message: message.message,
        Timestamp: new Date().toISOString(),
        MessageAttributes: attributes,
      },
    }],
  };
}

export interface PublishTarget {
  /** The handler to invoke with the event (the slot's current one, after reloads). */
  readonly handler: () => StreamingHandler;
  /** The topic this server's function is subscribed to, if the app declares one. */
  readonly topicArn?: string;
  /** Why this server takes no events, if it does not (an app without a topic). */
  readonly noTopic?: string;
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * Answers a request to PUBLISH_PATH: invokes the handler with the SNS event in the body
 * and returns what it reports (`{ ok, appended, duplicates, refused }`).
 */
export async function servePublish(target: PublishTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress)) {
    req.resume();
    reply(res, 403, { ok: false, error: 'local event publishing is for loopback callers only' });
    return;
  }
  if (req.headers.origin !== undefined) {
    req.resume();
    reply(res, 403, { ok: false, error: 'local event publishing does not take browser requests (an Origin header was sent)' });
    return;
  }
  if (req.method !== 'POST') {
    req.resume();
    res.setHeader('allow', 'POST');
    reply(res, 405, { ok: false, error: `${PUBLISH_PATH} takes POST` });
    return;
  }
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    req.resume();
    reply(res, 415, { ok: false, error: 'send the SNS event as application/json' });
    return;
  }
  if (target.noTopic !== undefined) {
    req.resume();
    reply(res, 409, { ok: false, error: target.noTopic });
    return;
  }
  const read = await readBodyWithin(req, MAX_PUBLISH_BODY_BYTES, 4 * MAX_PUBLISH_BODY_BYTES);
  if (!read.body) {
    if (read.closeConnection) res.setHeader('connection', 'close');
    reply(res, 413, { ok: false, error: `an SNS event is at most ${MAX_PUBLISH_BODY_BYTES} bytes here (SNS takes messages up to ${SNS_MAX_MESSAGE_BYTES} bytes)` });
    return;
  }
  let event: unknown;
  try {
    event = JSON.parse(read.body.toString('utf8'));
  } catch {
    reply(res, 400, { ok: false, error: 'the body is not JSON' });
    return;
  }
  if (!isSnsEvent(event)) {
    reply(res, 400, { ok: false, error: 'the body is not an SNS event: { "Records": [{ "EventSource": "aws:sns", "Sns": { ... } }] }' });
    return;
  }
  if (target.topicArn !== undefined) {
    // As SNS would: only the topic the function is subscribed to invokes it.
    const other = event.Records.map((r) => r.Sns?.TopicArn).find((arn) => arn !== undefined && arn !== LOCAL_TOPIC_ARN && arn !== target.topicArn);
    if (other !== undefined) {
      reply(res, 404, { ok: false, error: `this server's function is subscribed to ${target.topicArn}, not ${other}` });
      return;
    }
  }
  const sink = new CollectingSink();
  try {
    await invokeStreamingHandler(target.handler(), event, sink, createInvocationContext({ timeoutMs: 60_000 }));
  } catch (err) {
    // A store failure: deployed, Lambda would retry the delivery.
    reply(res, 500, { ok: false, error: `the handler failed: ${(err as Error).message}` });
    return;
  }
  let result: Record<string, unknown>;
  try {
    result = JSON.parse(sink.body()) as Record<string, unknown>;
  } catch {
    result = { ok: false, error: 'the handler answered something other than JSON' };
  }
  reply(res, result.ok === true ? 200 : 500, result);
}
