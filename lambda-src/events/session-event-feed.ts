/**
 * What one 2025-era GET stream reads: the broadcast and the session's partitions of the
 * event log, after the stream's cursor, and the registry's fingerprints, turned into
 * the notifications this session should get, each with its SSE event id
 * (stream-cursor.ts).
 *
 * One poll costs a Query of the session's partition and one of the broadcast shards'
 * counters (2 RRU when nothing is new; BroadcastTail shares the latter between the
 * streams of an environment), one more Query per broadcast shard that has new events,
 * plus a registry read when the environment's cached snapshot is
 * older than `registryCacheSeconds` (registry changes are announced once every
 * environment's cache shows them: registry-fingerprint.ts), plus one session read only when a
 * `notifications/resources/updated` or `notifications/message` is due (to check the
 * session's subscriptions and log level as they are now, not as they were when the
 * stream opened: clients usually subscribe after opening the GET stream).
 *
 * A stream that stays open (`watch`) reads the session on every poll too (1 RRU), in
 * parallel with the log: on Lambda a client's hang-up is never seen, so this read is
 * what ends the stream of a session that was deleted or expired, or whose client
 * opened a newer stream, within one poll.
 */
import { randomBytes } from 'node:crypto';
import type { JSONRPCNotification } from '@modelcontextprotocol/server';
import type { BroadcastTail } from './broadcast-tail';
import { changedLists, LIST_CHANGED_METHOD, settledFingerprint, UNKNOWN_FINGERPRINT } from './registry-fingerprint';
import type { StreamCursor, StreamCursorCodec } from './stream-cursor';
import { atOrAbove } from '../model/log-levels';
import type { RegistrySource } from '../registry/registry-source';
import { byShard, type EventLog, inAppendOrder, maxCursor, type StoredEvent } from '../store/event-log';
import type { SessionRecord } from '../store/session-store';

export interface FeedMessage {
  /** The SSE event id. */
  readonly id: string;
  readonly message: JSONRPCNotification;
}

export interface SessionEventFeedOptions {
  readonly log: EventLog;
  readonly registry: RegistrySource;
  readonly sessionId: string;
  /** The session as it is now (undefined: gone); read only when an event needs it. */
  readonly loadSession: () => Promise<SessionRecord | undefined>;
  /** Where to resume (from `Last-Event-ID`); absent: from now. */
  readonly resumeFrom?: StreamCursor;
  /** Signs the event ids (stream-cursor.ts). */
  readonly codec: StreamCursorCodec;
  /** Epoch ms the session was created: no event from before it is ever delivered. */
  readonly sessionCreatedAt: number;
  /**
   * Check the session on every poll: end (SessionGoneError) when it is gone, and
   * (StreamSupersededError) when its `streamId` is no longer this feed's `streamId`.
   */
  readonly watch?: boolean;
  /** Where the broadcast partition is read: the environment's shared tail (broadcast-tail.ts). @default the log itself */
  readonly broadcastTail?: BroadcastTail;
}

export class SessionGoneError extends Error {
  constructor() {
    super('the session was deleted or expired');
    this.name = 'SessionGoneError';
  }
}

/** The session's client opened a newer standalone stream; this one ends (one stream per session). */
export class StreamSupersededError extends Error {
  constructor() {
    super('a newer GET stream of the session replaced this one');
    this.name = 'StreamSupersededError';
  }
}

export class SessionEventFeed {
  /** A feed at `resumeFrom`, or at the current end of both partitions. */
  static async open(options: SessionEventFeedOptions): Promise<SessionEventFeed> {
    if (options.resumeFrom) return new SessionEventFeed(options, options.resumeFrom);
    const [broadcast, session] = await Promise.all([
      options.log.head({}),
      options.log.head({ sessionId: options.sessionId }),
      options.registry.snapshot(),
    ]);
    // The lists as every environment serves them now: the client's own list may come
    // from any of them, so a change younger than the cache period is announced later.
    const fingerprint = settledFingerprint(options.registry) ?? UNKNOWN_FINGERPRINT;
    return new SessionEventFeed(options, { broadcast, session: session[0] ?? 0, fingerprint });
  }

  /** Random per stream: part of every event id, and the session's `streamId` while this stream is the session's. */
  readonly streamId = randomBytes(6).toString('base64url');
  private n = 0;

  private constructor(private readonly options: SessionEventFeedOptions, private cursor: StreamCursor) {}

  /** The id of the priming event (2025-11-25): resuming from it replays everything after the stream opened. */
  primingId(): string {
    return this.nextId();
  }

  /** Where the feed is now: after everything `poll` has returned. */
  position(): StreamCursor {
    return this.cursor;
  }

  /**
   * A signed id of the current position that no event of this stream carries (it takes
   * the next number): what a session keeps as its server-side cursor (docs/streams.md,
   * "Per era"), unique to this stream so that a retried write recognises itself.
   */
  resumeId(): string {
    return this.nextId();
  }

  /** The messages due since the last poll, in order; advances the cursor. */
  async poll(): Promise<FeedMessage[]> {
    const { log, sessionId } = this.options;
    const [broadcast, session, , watched] = await Promise.all([
      this.options.broadcastTail ? this.options.broadcastTail.read(this.cursor.broadcast) : log.read({}, this.cursor.broadcast),
      log.read({ sessionId }, [this.cursor.session]),
      this.options.registry.snapshot(),
      this.options.watch ? this.options.loadSession().then((r) => r ?? null) : Promise.resolve(undefined),
    ]);
    if (watched === null) throw new SessionGoneError();
    if (watched && watched.streamId !== this.streamId) throw new StreamSupersededError();
    const out: FeedMessage[] = [];

    // Oldest first over the broadcast shards and the session's partition, each kept in
    // its own seq order: the cursor below moves event by event, never backwards.
    type Due = Pick<StoredEvent, 'shard' | 'seq' | 'createdAt'> & { event: StoredEvent; partition: 'broadcast' | 'session' };
    const lane = (events: StoredEvent[], partition: Due['partition']): Due[] =>
      events.map((event) => ({ shard: event.shard, seq: event.seq, createdAt: event.createdAt, event, partition }));
    const merged = inAppendOrder([
      ...byShard(broadcast.events).map((events) => lane(events, 'broadcast')),
      lane(session.events, 'session'),
    ]);
    const needsSession = merged.some(({ event }) => event.method === 'notifications/resources/updated' || event.method === 'notifications/message');
    let record: SessionRecord | undefined = watched;
    if (needsSession && !record) {
      record = await this.options.loadSession();
      if (!record) throw new SessionGoneError();
    }
    // Nothing below can fail: the cursor moves only with what is written to the stream.
    // A change is announced once settled (registry-fingerprint.ts): a client that lists
    // again at once, on any environment, then sees it. Until this environment has a
    // settled read, the comparison waits and the cursor keeps what it had.
    const fingerprint = settledFingerprint(this.options.registry);
    for (const kind of fingerprint ? changedLists(this.cursor.fingerprint, fingerprint) : []) {
      this.cursor = { ...this.cursor, fingerprint: { ...this.cursor.fingerprint, [kind]: fingerprint![kind] } };
      out.push({ id: this.nextId(), message: { jsonrpc: '2.0', method: LIST_CHANGED_METHOD[kind] } });
    }
    for (const { event, partition } of merged) {
      this.cursor = partition === 'broadcast'
        ? { ...this.cursor, broadcast: this.cursor.broadcast.map((seq, shard) => (shard === event.shard ? event.seq : seq)) }
        : { ...this.cursor, session: event.seq };
      if (event.createdAt < this.options.sessionCreatedAt || !accepts(event, record)) continue;
      out.push({ id: this.nextId(), message: { jsonrpc: '2.0', method: event.method, params: event.params } });
    }
    // Expired events skipped by the reads still move the cursor.
    this.cursor = {
      ...this.cursor,
      broadcast: maxCursor(this.cursor.broadcast, broadcast.nextAfter),
      session: Math.max(this.cursor.session, session.nextAfter[0] ?? 0),
    };
    return out;
  }

  private nextId(): string {
    return this.options.codec.encode(this.options.sessionId, this.cursor, this.streamId, this.n++);
  }
}

/**
 * Whether this session gets the event: `notifications/resources/updated` only for a
 * URI it subscribed to (2025-11-25 server/resources, "Subscriptions"), and
 * `notifications/message` only at or above the level it set with `logging/setLevel`.
 */
function accepts(event: StoredEvent, session: SessionRecord | undefined): boolean {
  if (event.method === 'notifications/resources/updated') {
    return session?.subscriptions?.includes(event.params.uri as string) ?? false;
  }
  if (event.method === 'notifications/message') return atOrAbove(event.params.level, session?.logLevel);
  return true;
}
