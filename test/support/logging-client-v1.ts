/**
 * An official SDK v1 client connected over Streamable HTTP that records what each
 * `notifications/message` it receives carries in `data`: how the event tests watch a
 * GET stream.
 */
// The v1 SDK resolves through its package "exports" map, which eslint's import resolver does not read.
// eslint-disable-next-line import/no-unresolved
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// eslint-disable-next-line import/no-unresolved
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

export interface LoggingClientV1 {
  readonly client: Client;
  readonly transport: StreamableHTTPClientTransport;
  /** The `data` of every log message received so far, in order. */
  readonly logs: unknown[];
}

export async function connectLoggingClientV1(url: string, name: string): Promise<LoggingClientV1> {
  const client = new Client({ name, version: '1.0.0' });
  const logs: unknown[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(n.params.data);
  });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport, logs };
}
