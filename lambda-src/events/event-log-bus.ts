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
 * - registry changes: the environment's cached registry snapshot is compared with
 *   the one of the previous poll (registry-fingerprint.ts).
 *
 * While at least one listener is subscribed, the bus polls every `pollIntervalMs`
 * (one Query of the broadcast partition); with none, it does nothing. In Lambda one
 * environment serves one request at a time, so one listen stream costs one poller.
 * `publish` appends to the log, so a change published on one environment reaches
 * listeners on every environment.
 */
import type { ServerEvent, ServerEventBus } from '@modelcontextprotocol/server';
import { changedLists, fingerprintOf, type ListKind, type RegistryFingerprint } from './registry-fingerprint';
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

export class EventLogBus implements ServerEventBus {
  private readonly listeners = new Set<(event: ServerEvent) => void>();
  private running = false;
  private timer?: ReturnType<typeof setTimeout>;
  private cursor?: LogCursor;
  private fingerprint?: RegistryFingerprint;
  /** Bumped by start(): a tick of an earlier run that is still in flight stops there. */
  private generation = 0;

  constructor(private readonly options: EventLogBusOptions) {}

  publish(event: ServerEvent): void {
    const { method, params } = toStoredMethod(event);
    this.options.log.append({ method, params }).catch((error: unknown) => this.report(error));
  }

  subscribe(listener: (event: ServerEvent) => void): () => void {
    this.listeners.add(listener);
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
    this.fingerprint = undefined;
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
      const snapshot = await this.options.registry.snapshot();
      const fingerprint = fingerprintOf(snapshot);
      if (generation !== this.generation) return;
      if (this.cursor === undefined) {
        // The start: from now on.
        const head = await this.options.log.head({});
        if (generation !== this.generation) return;
        this.cursor = head;
        this.fingerprint = fingerprint;
      } else {
        const { events, nextAfter } = await this.options.log.read({}, this.cursor);
        if (generation !== this.generation) return;
        this.cursor = nextAfter;
        const due: ServerEvent[] = changedLists(this.fingerprint!, fingerprint).map((kind) => ({ kind: KIND_OF_LIST[kind] }) as ServerEvent);
        this.fingerprint = fingerprint;
        for (const event of inAppendOrder(byShard(events))) {
          const mapped = toServerEvent(event);
          if (mapped) due.push(mapped);
        }
        for (const event of due) this.deliver(event);
      }
    } catch (error) {
      this.report(error);
    }
    if (this.running && generation === this.generation) {
      this.timer = setTimeout(() => void this.tick(generation), this.options.pollIntervalMs);
    }
  }

  private deliver(event: ServerEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.report(error);
      }
    }
  }

  private report(error: unknown): void {
    this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
  }
}
