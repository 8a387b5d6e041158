/**
 * The `streams` prop (McpStreams): which stream mode the handler gets, in its
 * environment, by default and when chosen, and the props that are refused.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { newStack, serverTemplate } from './server-template';
import { loadEventConfig } from '../../lambda-src/events/event-config';
import { McpLambdaServer, McpStreams } from '../../src';

/** The MCP handler's environment (the admin function is the other function). */
function environmentOf(template: Template): Record<string, unknown> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function'))
    .filter((f) => (f.Properties.Environment?.Variables ?? {}).MCP_SESSION_TABLE !== undefined);
  expect(functions).toHaveLength(1);
  return functions[0].Properties.Environment.Variables;
}

test('without an event topic: no streams (GET 405, no notification capabilities)', () => {
  const env = environmentOf(serverTemplate({}).template);
  expect(env.MCP_STREAM_MODE).toBe('off');
  expect(env).not.toHaveProperty('MCP_STREAM_RETRY_MS');
  expect(env).not.toHaveProperty('MCP_STREAM_MAX_DURATION_MS');
});

test('with an event topic: poll every 10 s by default, streams bounded at 5 minutes', () => {
  const env = environmentOf(serverTemplate({ enableEvents: true }).template);
  expect(env).toMatchObject({ MCP_STREAM_MODE: 'poll', MCP_STREAM_RETRY_MS: '10000', MCP_STREAM_MAX_DURATION_MS: '300000' });
});

test('an existing topic gets the same default', () => {
  const stack = newStack();
  const topic = new sns.Topic(stack, 'Topic');
  new McpLambdaServer(stack, 'Mcp', { eventTopic: topic });
  expect(environmentOf(Template.fromStack(stack))).toMatchObject({ MCP_STREAM_MODE: 'poll' });
});

test('McpStreams.poll(interval) sets the retry delay', () => {
  const env = environmentOf(serverTemplate({ enableEvents: true, streams: McpStreams.poll(Duration.seconds(30)) }).template);
  expect(env).toMatchObject({ MCP_STREAM_MODE: 'poll', MCP_STREAM_RETRY_MS: '30000' });
});

test('McpStreams.poll(interval, { pollOlderRevisions }) tells the handler to poll 2025-06-18 / 2025-03-26 sessions; off by default', () => {
  const on = environmentOf(serverTemplate({ enableEvents: true, streams: McpStreams.poll(undefined, { pollOlderRevisions: true }) }).template);
  expect(on).toMatchObject({ MCP_STREAM_MODE: 'poll', MCP_STREAM_RETRY_MS: '10000', MCP_STREAM_POLL_OLDER_REVISIONS: 'true' });
  expect(loadEventConfig(on as NodeJS.ProcessEnv).pollOlderRevisions).toBe(true);
  const off = environmentOf(serverTemplate({ enableEvents: true }).template);
  expect(off).not.toHaveProperty('MCP_STREAM_POLL_OLDER_REVISIONS');
  expect(loadEventConfig(off as NodeJS.ProcessEnv).pollOlderRevisions).toBe(false);
  expect(McpStreams.poll().pollOlderRevisions).toBe(false);
  expect(McpStreams.live().pollOlderRevisions).toBe(false);
  expect(() => loadEventConfig({ MCP_STREAM_POLL_OLDER_REVISIONS: 'yes' })).toThrow(/must be true or false, got 'yes'/);
});

test('McpStreams.live({ maxDuration }) sets the bound; without a topic, streams carry registry changes', () => {
  const env = environmentOf(serverTemplate({ streams: McpStreams.live({ maxDuration: Duration.minutes(2) }) }).template);
  expect(env).toMatchObject({ MCP_STREAM_MODE: 'live', MCP_STREAM_MAX_DURATION_MS: '120000' });
  expect(env).not.toHaveProperty('MCP_STREAM_RETRY_MS');
});

test('the default bound is half a short function timeout', () => {
  const env = environmentOf(serverTemplate({ enableEvents: true, timeout: Duration.minutes(4) }).template);
  expect(env).toMatchObject({ MCP_STREAM_MAX_DURATION_MS: '120000' });
});

test.each([
  ['none() with a topic', { enableEvents: true, streams: McpStreams.none() }, /event topic is set: its events would reach no client/],
  ['a maxDuration not below the timeout', { timeout: Duration.minutes(2), streams: McpStreams.live({ maxDuration: Duration.minutes(2) }) },
    /maxDuration \(2 minutes\) must be less than the function timeout \(2 minutes\)/],
])('refuses %s', (_what, props, message) => {
  expect(() => new McpLambdaServer(newStack(), 'Mcp', props)).toThrow(message);
});

test.each([
  ['an interval under 1 s', () => McpStreams.poll(Duration.millis(500)), /between 1 second and 5 minutes/],
  ['an interval over 5 minutes', () => McpStreams.poll(Duration.minutes(6)), /between 1 second and 5 minutes/],
  ['a maxDuration under 1 s', () => McpStreams.live({ maxDuration: Duration.millis(10) }), /at least 1 second/],
])('McpStreams refuses %s', (_what, make, message) => {
  expect(make).toThrow(message);
});
