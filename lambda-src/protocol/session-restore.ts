/**
 * Restores a stored 2025-era session on a fresh SDK server instance, so that any
 * execution environment can serve any request of any session (docs/endpoint.md, "The MCP
 * endpoint").
 *
 * How, and why this way: SDK v2 keeps the negotiated version, the client's
 * capabilities and info, and the `logging/setLevel` threshold in private fields that
 * only its own handlers write. Rather than poking those fields, we replay, through the
 * SDK's public request path, the two requests that set them: the session's
 * `initialize` (with the stored version, capabilities and client info) and, when a
 * level was stored, `logging/setLevel`. Their responses go back to us, never to the
 * client. test/protocol/session-restore.test.ts asserts the restored state through the
 * SDK's public accessors, so an SDK change that breaks this fails there.
 */
import { isJSONRPCResultResponse, type MessageExtraInfo } from '@modelcontextprotocol/server';
import type { SessionExchangeTransport } from './session-exchange-transport';
import type { SessionRecord } from '../store/session-store';

/** Ids of our own requests; never seen by the client, and never overlapping its requests in time. */
const RESTORE_INITIALIZE_ID = 'mcp-lambda-server/restore-initialize';
const RESTORE_LOG_LEVEL_ID = 'mcp-lambda-server/restore-log-level';

export class SessionRestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionRestoreError';
  }
}

/** Replays the session's handshake state on the server connected to `transport`. */
export async function restoreSession(
  transport: SessionExchangeTransport,
  session: Pick<SessionRecord, 'protocolVersion' | 'clientCapabilities' | 'clientInfo' | 'logLevel'>,
  extra?: MessageExtraInfo,
): Promise<void> {
  const init = await transport.request(
    {
      jsonrpc: '2.0',
      id: RESTORE_INITIALIZE_ID,
      method: 'initialize',
      params: {
        protocolVersion: session.protocolVersion,
        capabilities: session.clientCapabilities,
        clientInfo: session.clientInfo,
      },
    },
    extra,
  );
  if (!isJSONRPCResultResponse(init) || init.result.protocolVersion !== session.protocolVersion) {
    throw new SessionRestoreError(`the server did not accept the stored session's initialize: ${JSON.stringify(init)}`);
  }
  if (session.logLevel !== undefined) {
    // A server without the logging capability answers -32601; then there is no level to honour.
    await transport.request(
      { jsonrpc: '2.0', id: RESTORE_LOG_LEVEL_ID, method: 'logging/setLevel', params: { level: session.logLevel } },
      extra,
    );
  }
}
