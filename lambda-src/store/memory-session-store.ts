/**
 * SessionStore in process memory, for unit tests, the in-memory benchmark and the dev
 * server's embedded store (local/local-stores.ts): a deployment must never use it (a session would live in one execution environment).
 * Same semantics as DynamoDbSessionStore, down to the stored form (session-item.ts),
 * the size limit and expiry by comparison with the clock; the shared behavioural
 * suite in test/store/ runs against both.
 */
import { assertItemFits, ItemTooLargeError } from './item-size';
import { fromSessionItem, isLive, toSessionItem, type SessionItem } from './session-item';
import { decodeSessionState, encodeSessionState } from './session-state-attribute';
import { SESSION_STATE_ATTRIBUTE, type SessionStateWrite } from './session-state-store';
import {
  MAX_SUBSCRIPTIONS, SessionConflictError, SubscriptionLimitError, type SessionPatch, type SessionRecord, type SessionStore,
  type StreamResumeMove,
} from './session-store';
import { nowEpochSeconds } from './table-schema';
import { applySessionStateChanges, type SessionStateChanges } from '../model/session-state-changes';

export interface MemorySessionStoreOptions {
  /** Epoch milliseconds; injectable for tests. @default Date.now */
  readonly now?: () => number;
}

export class MemorySessionStore implements SessionStore {
  private readonly items = new Map<string, SessionItem>();
  private readonly now: () => number;

  constructor(options: MemorySessionStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async create(record: SessionRecord): Promise<void> {
    const item = toSessionItem(record);
    if (isLive(this.items.get(record.id), this.nowSeconds())) {
      throw new SessionConflictError(`session ${record.id} already exists`);
    }
    this.items.set(record.id, item);
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const item = this.items.get(id);
    return isLive(item, this.nowSeconds()) ? fromSessionItem(item!) : undefined;
  }

  async update(id: string, patch: SessionPatch, expectedVersion?: number): Promise<SessionRecord | undefined> {
    const old = this.items.get(id);
    if (!isLive(old, this.nowSeconds())) return undefined;
    if (expectedVersion !== undefined && old!.version !== expectedVersion) {
      throw new SessionConflictError(
        `session ${id} is at version ${old!.version}, not ${expectedVersion}: it changed meanwhile`,
      );
    }
    const next: SessionItem = { ...old!, version: old!.version + 1 };
    for (const field of ['logLevel', 'initialized', 'expiresAt', 'streamId'] as const) {
      if (patch[field] !== undefined) (next as Record<string, unknown>)[field] = patch[field];
    }
    this.items.set(id, next);
    return fromSessionItem(next);
  }

  async delete(id: string): Promise<boolean> {
    const old = this.items.get(id);
    this.items.delete(id);
    return isLive(old, this.nowSeconds());
  }

  async addSubscription(id: string, uri: string): Promise<boolean> {
    const old = this.items.get(id);
    if (!isLive(old, this.nowSeconds())) return false;
    const subs = new Set((old!.subscriptions as Set<string> | undefined) ?? []);
    if (!subs.has(uri) && subs.size >= MAX_SUBSCRIPTIONS) throw new SubscriptionLimitError(MAX_SUBSCRIPTIONS);
    subs.add(uri);
    this.items.set(id, { ...old!, subscriptions: subs, version: old!.version + 1 });
    return true;
  }

  async moveStreamResume(id: string, from: string | undefined, to: string, expiresAt?: number): Promise<StreamResumeMove> {
    const old = this.items.get(id);
    if (!isLive(old, this.nowSeconds())) return 'gone';
    if (old!.streamResumeId !== from) return 'raced';
    this.items.set(id, { ...old!, streamResumeId: to, ...(expiresAt !== undefined ? { expiresAt } : {}), version: old!.version + 1 });
    return 'moved';
  }

  async removeSubscription(id: string, uri: string): Promise<boolean> {
    const old = this.items.get(id);
    if (!isLive(old, this.nowSeconds())) return false;
    const subs = new Set((old!.subscriptions as Set<string> | undefined) ?? []);
    subs.delete(uri);
    const next: SessionItem = { ...old!, version: old!.version + 1 };
    if (subs.size > 0) (next as Record<string, unknown>).subscriptions = subs;
    else delete (next as Record<string, unknown>).subscriptions;
    this.items.set(id, next);
    return true;
  }

  /** Same outcomes as the DynamoDB store: gone, not_integer, too_large (the 400 KB item), or applied. */
  async applySessionState(id: string, changes: SessionStateChanges): Promise<SessionStateWrite> {
    const old = this.items.get(id);
    if (!isLive(old, this.nowSeconds())) return { ok: false, reason: 'gone', message: 'the session is unknown, expired or was deleted' };
    const applied = applySessionStateChanges(decodeSessionState(old![SESSION_STATE_ATTRIBUTE]), changes);
    if (!applied.ok) return { ok: false, reason: 'not_integer', message: applied.problem };
    const next: SessionItem = { ...old!, [SESSION_STATE_ATTRIBUTE]: encodeSessionState(applied.state), version: old!.version + 1 };
    try {
      assertItemFits(`session ${id}`, next);
    } catch (error) {
      if (!(error instanceof ItemTooLargeError)) throw error;
      return { ok: false, reason: 'too_large', message: 'the session would exceed the 400 KB DynamoDB item limit' };
    }
    this.items.set(id, next);
    return { ok: true };
  }

  private nowSeconds(): number {
    return nowEpochSeconds(this.now());
  }
}
