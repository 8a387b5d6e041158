/**
 * The position of a 2025-era GET stream, carried in every SSE event id so that a
 * client reconnecting with `Last-Event-ID` resumes exactly where it was (2025-11-25
 * basic/transports, "Resumability and Redelivery"):
 *
 *   `<broadcast seqs>.<session seq>.<tools fp>.<prompts fp>.<resources fp>:<stream>:<n>:<mac>`
 *
 * - the seqs: the last event read from each shard of the broadcast (joined by `-`,
 *   one per shard, BROADCAST_SHARDS of them) and from the session's partition of the
 *   event log; resuming reads `seq > ` each of them, shard by shard, so nothing is
 *   replayed twice and nothing is skipped;
 * - the registry fingerprints the client was last told about, so that a list change
 *   that happened while it was away is announced when it comes back;
 * - a random stream id and the event's number within that stream, so that every id is
 *   unique across all streams of the session, as the specification requires, even
 *   when two events carry the same position (a priming event, a list change);
 * - an HMAC-SHA-256 (truncated to 128 bits) of all of the above and the session id,
 *   under a key derived from the server's sealing key. `Last-Event-ID` is a value the
 *   client controls: only an id this server issued for this very session is accepted,
 *   so a client cannot move its cursor before its session existed (and read broadcast
 *   events published earlier), nor to a position that never advances, nor replay
 *   another session's id. "The server MAY use this header to replay messages": it is
 *   free to refuse anything else, and it does, with 400.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RegistryFingerprint } from './registry-fingerprint';
import { BROADCAST_SHARDS, type LogCursor } from '../store/event-log';

export interface StreamCursor {
  /** Per broadcast shard (event-log.ts). */
  readonly broadcast: LogCursor;
  readonly session: number;
  readonly fingerprint: RegistryFingerprint;
}

/** Whether two cursors are the same position (their ids may still differ in stream and number). */
export function sameCursor(a: StreamCursor | undefined, b: StreamCursor | undefined): boolean {
  if (!a || !b) return a === b;
  const [fa, fb] = [a.fingerprint, b.fingerprint];
  return a.broadcast.length === b.broadcast.length && a.broadcast.every((seq, shard) => seq === b.broadcast[shard])
    && a.session === b.session && fa.tools === fb.tools && fa.prompts === fb.prompts && fa.resources === fb.resources;
}

/** At most 16 digits and at most 2^53-1, so a seq and seq + 1 are exact numbers of the same width class. */
const SEQ = /^(0|[1-9][0-9]{0,15})$/;
const FP = /^[A-Za-z0-9_-]{1,16}$/;
const STREAM = /^[A-Za-z0-9_-]{1,16}$/;
const COUNT = /^(0|[1-9][0-9]{0,8})$/;
const MAC = /^[A-Za-z0-9_-]{22}$/;
/** Longer than any id we issue (at most about 190 characters with 4 shards). */
const MAX_ID_LENGTH = 256;

function seqOf(text: string): number | undefined {
  if (!SEQ.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Signs and checks event ids under one key (the sealing key of the deployment). */
export class StreamCursorCodec {
  private readonly key: Buffer;

  /** `sealKey`: the deployment's secret; a key for event ids alone is derived from it. */
  constructor(sealKey: Uint8Array) {
    // v2: one seq per broadcast shard. An id of v1 (one broadcast seq) fails its MAC
    // instead of being read with another meaning.
    this.key = createHmac('sha256', sealKey).update('mcp-lambda-server stream cursor v2').digest();
  }

  encode(sessionId: string, cursor: StreamCursor, stream: string, n: number): string {
    const fp = cursor.fingerprint;
    const body = `${cursor.broadcast.join('-')}.${cursor.session}.${fp.tools}.${fp.prompts}.${fp.resources}:${stream}:${n}`;
    return `${body}:${this.mac(sessionId, body)}`;
  }

  /** The cursor in an event id, or undefined when it is not an id this server issued for `sessionId`. */
  decode(sessionId: string, id: string): StreamCursor | undefined {
    if (id.length > MAX_ID_LENGTH) return undefined;
    const parts = id.split(':');
    if (parts.length !== 4) return undefined;
    const [position, stream, n, mac] = parts;
    if (!STREAM.test(stream) || !COUNT.test(n) || !MAC.test(mac)) return undefined;
    // Compared as text: base64url decoding ignores the last character's spare bits, so
    // comparing decoded bytes would accept several spellings of one MAC.
    const expected = Buffer.from(this.mac(sessionId, `${position}:${stream}:${n}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const fields = position.split('.');
    if (fields.length !== 5) return undefined;
    const [b, s, tools, prompts, resources] = fields;
    const shards = b.split('-');
    if (shards.length !== BROADCAST_SHARDS) return undefined;
    const broadcast = shards.map(seqOf);
    const session = seqOf(s);
    if (broadcast.some((seq) => seq === undefined) || session === undefined) return undefined;
    if (![tools, prompts, resources].every((f) => FP.test(f))) return undefined;
    return { broadcast: broadcast as number[], session, fingerprint: { tools, prompts, resources } };
  }

  private mac(sessionId: string, body: string): string {
    return createHmac('sha256', this.key).update(sessionId).update('\n').update(body).digest().subarray(0, 16).toString('base64url');
  }
}
