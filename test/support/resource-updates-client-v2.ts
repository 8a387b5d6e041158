/**
 * An official SDK v2 client pinned to 2026-07-28, connected over Streamable HTTP, that
 * records the URI of every `notifications/resources/updated` it receives: how the event
 * tests watch a `subscriptions/listen` stream.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

export interface ResourceUpdatesClientV2 {
  readonly client: Client;
  /** The URIs of the resources/updated notifications received so far, in order. */
  readonly updated: string[];
}

export async function connectResourceUpdatesClientV2(url: string, name: string): Promise<ResourceUpdatesClientV2> {
  const client = new Client({ name, version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  const updated: string[] = [];
  client.setNotificationHandler('notifications/resources/updated', (n) => {
    updated.push(n.params.uri);
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return { client, updated };
}
