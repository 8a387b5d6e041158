/**
 * A `ServerEventBus` (the SDK's seam behind `subscriptions/listen`, handed to
 * `createMcpHandler({ bus })`) over the event log, for 2026-07-28 clients
 * (2026-07-28 basic/patterns/subscriptions). The SDK's listen router owns the wire:
 * the acknowledgment, each subscription's opt-ins (`toolsListChanged`,
 * `promptsListChanged`, `resourcesListChanged`, `resourceSubscriptions`), the
 * subscription id in `_meta`; this bus only sources the events:
 *
 * - broadcast events of the log (SNS) that are change notifications:
 *   `notifications/resources/updated` and the three `list_changed`. Others
 *   (`notifications/message`) are not listen types and are not published: the
 *   specification forbids un-requested types on the stream, and 2026-07-28 has no
 *   sessions, so session-targeted events have no 2026-era reader;
 * - registry changes, once settled (registry-fingerprint.ts): the state every
 *   environment's cache shows by now is compared with the one this listener was last
 *   told about, so a client that lists again at once, wherever it lands, sees the
 *   change;
 * - at the start of every listen, the three `list_changed` (the router passes on
 *   those the subscription asked for). A listen is bounded (it ends gracefully at
 *   the maximum stream duration) and 2026-07-28 has no session: a renewing client
 *   carries nothing that says what it was last told, and the SDK v2 client neither
 *   reads the graceful end's result nor lets the application add to the request, so
 *   a token cannot make the round trip. Without this, a change made between two
 *   listens (or between the client's list and its listen) would never be announced.
 *   Its cost is one list request per subscribed list per renewal (docs/streams.md).
 *
 * While at least one listener is subscribed, the bus polls every `pollIntervalMs`
 * (one Query of the broadcast partition); with none, it does nothing. In Lambda one
 * environment serves one request at a time, so one listen stream costs one poller.
 * `publish` appends to the log, so a change published on one environment reaches
 * listeners on every environment.
 */
import type { ServerEvent, ServerEventBus } from '@modelcontextprotocol/server';
import { changedLists, LIST_KINDS, type ListKind, type RegistryFingerprint, settledFingerprint } from './registry-fingerprint';
import type { RegistrySource } from '../registry/registry-source';
import { byShard, type EventLog, inAppendOrder, type LogCursor, type StoredEvent } from '../store/event-log';

export interface EventLogBusOptions {
  readonly log: EventLog;
  readonly registry: RegistrySource;
  readonly pollIntervalMs: number;
  /** A read or a listener failed; polling goes on. */
  readonly onError?: (error: Error) => void;
}

const KIND_OF_LIST: Record<ListKind, ServerEvent['kind']> = {
  tools: 'tools_list_changed',
  prompts: 'prompts_list_changed',
  resources: 'resources_list_changed',
};

/** The listen event a stored event is, if it is one. */
export function toServerEvent(event: Pick<StoredEvent, 'method' | 'params'>): ServerEvent | undefined {
  const { uri, _meta, ...rest } = event.params as { uri?: unknown; _meta?: unknown } & Record<string, unknown>;
  void _meta; // the router stamps its own _meta
  const params = Object.keys(rest).length > 0 ? rest : undefined;
  switch (event.method) {
    case 'notifications/tools/list_changed':
      return { kind: 'tools_list_changed', ...(params ? { params } : {}) };
    case 'notifications/prompts/list_changed':
      return { kind: 'prompts_list_changed', ...(params ? { params } : {}) };
    case 'notifications/resources/list_changed':
      return { kind: 'resources_list_changed', ...(params ? { params } : {}) };
    case 'notifications/resources/updated':
      return typeof uri === 'string' ? { kind: 'resource_updated', uri, ...(params ? { params } : {}) } : undefined;
    default:
      return undefined;
  }
}

function toStoredMethod(event: ServerEvent): { method: string; params: Record<string, unknown> } {
  const params = { ...(event.params ?? {}) } as Record<string, unknown>;
  switch (event.kind) {
    case 'tools_list_changed':
      return { method: 'notifications/tools/list_changed', params };
    case 'prompts_list_changed':
      return { method: 'notifications/prompts/list_changed', params };
    case 'resources_list_changed':
      return { method: 'notifications/resources/list_changed', params };
    case 'resource_updated':
      return { method: 'notifications/resources/updated', params: { ...params, uri: event.uri } };
  }
}

type Listener = (event: ServerEvent) => void;

export class EventLogBus implements ServerEventBus {
  /**
   * Each listener with the lists it was last told about: the settled state when it
   * subscribed (it was sent every `list_changed` then), undefined when this
   * environment had none yet (all lists are announced again once a read settles).
   */
  private readonly listeners = new Map<Listener, { told?: RegistryFingerprint }>();
  private running = false;
  private timer?: ReturnType<typeof setTimeout>;
  private cursor?: LogCursor;
  /** Bumped by start(): a tick of an earlier run that is still in flight stops there. */
  private generation = 0;

  constructor(private readonly options: EventLogBusOptions) {}

  publish(event: ServerEvent): void {
    const { method, params } = toStoredMethod(event);
    this.options.log.append({ method, params }).catch((error: unknown) => this.report(error));
  }

  subscribe(listener: Listener): () => void {
    // The SDK's router subscribes after writing the acknowledgment, which must come
    // first (2026-07-28 basic/patterns/subscriptions, "Acknowledgment").
    this.listeners.set(listener, { told: settledFingerprint(this.options.registry) });
    for (const kind of LIST_KINDS) this.deliverTo(listener, { kind: KIND_OF_LIST[kind] } as ServerEvent);
    if (!this.running) this.start();
    let live = true;
    return () => {
      if (!live) return;
      live = false;
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Listeners subscribed now (tests). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  private start(): void {
    this.running = true;
    this.cursor = undefined;
    void this.tick(++this.generation);
  }

  private stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async tick(generation: number): Promise<void> {
    this.timer = undefined;
    if (!this.running || generation !== this.generation) return;
    try {
      // Keeps this environment's reads of the registry coming (one per cache period).
      await this.options.registry.snapshot();
      if (generation !== this.generation) return;
      if (this.cursor === undefined) {
        // The start: from now on.
        const head = await this.options.log.head({});
        if (generation !== this.generation) return;
        this.cursor = head;
      } else {
        const { events, nextAfter } = await this.options.log.read({}, this.cursor);
        if (generation !== this.generation) return;
        this.cursor = nextAfter;
        const logged: ServerEvent[] = [];
        for (const event of inAppendOrder(byShard(events))) {
          const mapped = toServerEvent(event);
          if (mapped) logged.push(mapped);
        }
        const settled = settledFingerprint(this.options.registry);
        for (const [listener, state] of [...this.listeners]) {
          if (settled) {
            const kinds = state.told ? changedLists(state.told, settled) : LIST_KINDS;
            state.told = settled;
            for (const kind of kinds) this.deliverTo(listener, { kind: KIND_OF_LIST[kind] } as ServerEvent);
          }
          for (const event of logged) this.deliverTo(listener, event);
        }
      }
    } catch (error) {
      this.report(error);
    }
    if (this.running && generation === this.generation) {
      this.timer = setTimeout(() => void this.tick(generation), this.options.pollIntervalMs);
    }
  }

  private deliverTo(listener: Listener, event: ServerEvent): void {
    if (!this.listeners.has(listener)) return;
    try {
      listener(event);
    } catch (error) {
      this.report(error);
    }
  }

  private report(error: unknown): void {
    this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
  }
}
