/**
 * `mcp-lambda-server publish`: sends one event to a running dev server as the SNS topic
 * would deliver it (local-publish.ts), so the events feature can be tried without AWS.
 *
 *   mcp-lambda-server publish [--url http://127.0.0.1:3000] [--session ID] [--method M] [--uri URI] MESSAGE
 */
import { parseArgs } from 'node:util';
import { buildSnsEvent, PUBLISH_PATH } from './local-publish';
import { SNS_METHODS } from '../events/sns-message';

export const PUBLISH_USAGE = `Usage: mcp-lambda-server publish [options] MESSAGE

Delivers MESSAGE to the open streams of a running \`mcp-lambda-server dev\`, through
the same code an SNS message to the deployed server's topic takes.

MESSAGE is the notification's params as JSON, or text: for notifications/message a
text (or JSON that is not { level, data }) becomes { "level": "info", "data": ... }.

Options:
  --url <url>         the dev server (its /mcp URL or just http://HOST:PORT;
                      default http://127.0.0.1:3000)
  --session <id>      deliver to this 2025-era session's streams only (default: every open stream)
  --method <method>   ${SNS_METHODS.join(',\n                      ')}
                      (default notifications/message)
  --uri <uri>         the resource of notifications/resources/updated
  --topic <arn>       with dev --app: the app's topic (checked against the server's)
  -h, --help          this text
`;

export interface PublishIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export async function runPublish(args: string[], io: PublishIo): Promise<number> {
  let values: { url?: string; session?: string; method?: string; uri?: string; topic?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: {
        url: { type: 'string' },
        session: { type: 'string' },
        method: { type: 'string' },
        uri: { type: 'string' },
        topic: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${PUBLISH_USAGE}`);
    return 1;
  }
  if (values.help) {
    io.out(PUBLISH_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    io.err(`publish takes one MESSAGE (quote it), got ${positionals.length}\n\n${PUBLISH_USAGE}`);
    return 1;
  }
  if (values.method !== undefined && !(SNS_METHODS as readonly string[]).includes(values.method)) {
    io.err(`--method must be one of ${SNS_METHODS.join(', ')}; got '${values.method}'\n`);
    return 1;
  }
  let target: URL;
  try {
    target = new URL(PUBLISH_PATH, values.url ?? 'http://127.0.0.1:3000');
  } catch {
    io.err(`--url must be the dev server's URL, such as http://127.0.0.1:3000/mcp; got '${values.url}'\n`);
    return 1;
  }
  if (target.protocol !== 'http:') {
    io.err(`--url must be an http:// URL of a local dev server; got '${values.url}'\n`);
    return 1;
  }

  const event = buildSnsEvent({
    message: positionals[0], method: values.method, sessionId: values.session, uri: values.uri, topicArn: values.topic,
  });
  let res: Response;
  try {
    res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    io.err(`could not reach a dev server at ${target.origin} (${cause ?? (err as Error).message}): start one with \`mcp-lambda-server dev\`, or pass its --url\n`);
    return 1;
  }
  const text = await res.text();
  let body: { ok?: boolean; appended?: number; duplicates?: number; refused?: number; error?: string } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not ours: reported below
  }
  if (res.status !== 200 || body.ok !== true) {
    io.err(`not delivered: ${body.error ?? `${res.status} ${text.slice(0, 200)}`}\n`);
    return 1;
  }
  if (body.refused) {
    io.err('not delivered: the server refused the message (its log line says why)\n');
    return 1;
  }
  const to = values.session ? `session ${values.session}` : 'every open stream';
  io.out(`published ${values.method ?? 'notifications/message'} to ${to} at ${target.origin}\n`);
  return 0;
}
