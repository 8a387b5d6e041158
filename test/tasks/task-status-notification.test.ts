/**
 * `notifications/tasks/status` (2025-11-25 basic/utilities/tasks, "Task Status
 * Notification": receivers MAY send it when a task's status changes): the invocation
 * that runs a task appends it to the creating session's partition of the event log, and
 * the session's GET stream delivers it to an SDK v1 client; a 2026-07-28 task (no
 * session) is not notified this way.
 */
import { join } from 'node:path';
// eslint-disable-next-line import/no-unresolved
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// eslint-disable-next-line import/no-unresolved
import { CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod/v4';
import type { ToolItem } from '../../lambda-src/model/registry-item';
import { createMcpEndpoint } from '../../lambda-src/protocol/mcp-endpoint';
import { RegistrySource } from '../../lambda-src/registry/registry-source';
import { MemoryRegistryStore } from '../../lambda-src/store/memory-registry-store';
import { MemorySessionStore } from '../../lambda-src/store/memory-session-store';
import { MemoryTaskStore } from '../../lambda-src/store/memory-task-store';
import { LocalTaskRunner } from '../../lambda-src/tasks/local-task-runner';
import { executeTask } from '../../lambda-src/tasks/task-executor';
import { TaskService } from '../../lambda-src/tasks/task-service';
import { LocalInvoker } from '../../lambda-src/tools/local-invoker';
import { ALICE, testConfig } from '../protocol/endpoint-fixture';
import { startWebRequestServer, type WebRequestServer } from '../protocol/web-request-server';
import { RecordingEventLog } from '../support/recording-event-log';

const TOOLS: ToolItem[] = [
  {
    type: 'tool', name: 'report', inputSchema: { type: 'object' }, handler: './ask-tools.js#report', baseDir: join(__dirname, '../s2c/fixtures'), taskSupport: 'optional',
  },
];

let server: WebRequestServer;
let events: RecordingEventLog;
const finished: string[] = [];

beforeAll(async () => {
  const registryStore = new MemoryRegistryStore();
  for (const tool of TOOLS) await registryStore.put(tool);
  const registry = new RegistrySource(registryStore);
  const store = new MemoryTaskStore();
  events = new RecordingEventLog();
  const invoker = new LocalInvoker();
  const runner = new LocalTaskRunner({
    execute: async (event) => {
      finished.push(await executeTask(
        { config: testConfig(), store, registry, invoker, events, cancelPollMs: 25 },
        event,
        { requestId: 'task-invocation', deadline: Date.now() + 60_000 },
      ));
    },
  });
  const endpoint = createMcpEndpoint({
    config: testConfig(),
    sessions: new MemorySessionStore(),
    registry,
    invoker,
    tasks: new TaskService({ store, runner, resultPollMs: 25 }),
    events: { log: events, pollIntervalMs: 25 },
    options: { log: () => undefined },
  });
  server = await startWebRequestServer((request, ctx) => endpoint.handle(request, ctx), { context: () => ({ principal: ALICE }) });
});

afterAll(async () => {
  await server?.close();
});

const TaskStatusNotificationSchema = z.object({
  method: z.literal('notifications/tasks/status'),
  params: z.looseObject({ taskId: z.string(), status: z.string() }),
});

test("a finished task's status reaches the creating session on its GET stream, without related-task metadata", async () => {
  const client = new Client({ name: 'v1', version: '1' });
  const statuses: Array<Record<string, unknown>> = [];
  client.setNotificationHandler(TaskStatusNotificationSchema as never, (n: { params: Record<string, unknown> }) => {
    statuses.push(n.params);
  });
  await client.connect(new StreamableHTTPClientTransport(server.url));
  const created = await client.request({ method: 'tools/call', params: { name: 'report', arguments: { name: 'q1', fast: true }, task: { ttl: 60_000 } } }, CreateTaskResultSchema);
  const taskId = created.task.taskId;
  for (let i = 0; i < 400 && statuses.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(statuses).toEqual([expect.objectContaining({ taskId, status: 'completed', ttl: 60_000, createdAt: expect.any(String), lastUpdatedAt: expect.any(String) })]);
  expect(statuses[0]._meta).toBeUndefined();
  expect(events.appended).toEqual([{ sessionId: expect.any(String), method: 'notifications/tasks/status', params: expect.objectContaining({ taskId }) }]);
  await client.close();
});

test('a 2026-07-28 task has no session: nothing is appended for it', async () => {
  const before = finished.length;
  const appendedBefore = events.appended.length;
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'report' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'report',
        arguments: { name: 'q2', fast: true },
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
        },
      },
    }),
  });
  expect(await response.text()).toContain('"resultType":"task"');
  for (let i = 0; i < 400 && finished.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(finished.length).toBe(before + 1);
  expect(events.appended.length).toBe(appendedBefore);
});
