/** What the protocol endpoint is built from (mcp-endpoint.ts `createMcpEndpoint`). */
import type { EndpointOptions } from './endpoint-options';
import type { buildMcpServer } from './server-builder';
import type { HandlerConfig } from '../model/config';
import type { RegistrySource } from '../registry/registry-source';
import type { RequestStateSeal } from '../s2c/request-state-seal';
import type { CancellationStore } from '../store/cancellation-store';
import type { EventLog } from '../store/event-log';
import type { PendingRequestStore } from '../store/pending-request-store';
import type { SessionStore } from '../store/session-store';
import type { TaskService } from '../tasks/task-service';
import type { ToolInvoker } from '../tools/tool-invoker';

export interface ProtocolDeps {
  readonly config: HandlerConfig;
  readonly sessions: SessionStore;
  readonly registry: RegistrySource;
  readonly invoker: ToolInvoker;
  /** Tunables (keep-alive, stream end margin, clock, log sink); defaults fit Lambda. */
  readonly options?: EndpointOptions;
  /**
   * Builds the SDK server for one request; a decorator around the registry's builder
   * may add to what it serves.
   * @default buildMcpServer (server-builder.ts)
   */
  readonly buildServer?: typeof buildMcpServer;
  /**
   * The event log open streams read (docs/events.md): SNS events and registry changes reach
   * 2025-era GET streams and 2026-07-28 `subscriptions/listen` streams. Absent: the
   * deployment has nothing to push, GET answers 405 and capabilities declare no
   * `listChanged`/`subscribe`.
   */
  readonly events?: ProtocolEventDeps;
  /**
   * Where server-to-client requests of 2025-era sessions wait for the client's answer
   * (s2c/). Absent: tools cannot ask 2025-era clients for input.
   */
  readonly pending?: PendingRequestStore;
  /**
   * Where a 2025-era session's `notifications/cancelled` and DELETE leave a marker that
   * a call running in another environment reads (docs/endpoint.md, "Cancellation").
   * Absent: such a cancellation reaches only calls in the same POST.
   */
  readonly cancellations?: CancellationStore;
  /** Seals the `requestState` of tools that ask for input (s2c/request-state-seal.ts). Absent: such tools get an error result. */
  readonly inputSeal?: RequestStateSeal;
  /** 2025-11-25 tasks (tasks/). Absent: no `tasks` capability; task metadata is ignored, as the spec says. */
  readonly tasks?: TaskService;
  /**
   * `buffered` (docs/operations.md, "Buffered mode (no response streaming)"): every response is returned whole, so a
   * GET stream ends after one read of the event log (clients poll) and
   * `subscriptions/listen`, whose answer lasts as long as the subscription, is refused.
   * @default 'streaming'
   */
  readonly responseMode?: 'streaming' | 'buffered';
  /**
   * Whether the invoker relays every tool's log messages (local `handler` modules do;
   * of Lambda functions only streaming tools have a channel back, and a registry with
   * one declares `logging` regardless). Decides the `logging` capability when events are off.
   * @default true
   */
  readonly toolLogs?: boolean;
}

export interface ProtocolEventDeps {
  readonly log: EventLog;
  /** How often an open stream reads the log, in ms. */
  readonly pollIntervalMs: number;
  /**
   * `poll`: a 2025-11-25 GET delivers what is pending and ends with `retry: retryMs`;
   * `live`: it stays open, up to `maxStreamMs` (events/event-config.ts, docs/streams.md).
   * @default 'live'
   */
  readonly mode?: 'poll' | 'live';
  /**
   * Poll mode: 2025-06-18 / 2025-03-26 sessions are polled too, from a cursor the
   * session keeps, instead of getting a live stream (docs/streams.md, "Per era").
   * @default false
   */
  readonly pollOlderRevisions?: boolean;
  /** Poll mode's `retry:`, in ms. @default DEFAULT_STREAM_RETRY_MS */
  readonly retryMs?: number;
  /** The longest a stream (GET or `subscriptions/listen`) stays open, in ms. @default DEFAULT_MAX_STREAM_MS */
  readonly maxStreamMs?: number;
  /**
   * The secret event ids are signed under (stream-cursor.ts): the deployment's sealing
   * key, so that every environment accepts the ids every other one issued.
   * @default a random key of this process (ids are then valid on this environment only)
   */
  readonly cursorKey?: () => Promise<Uint8Array>;
}
