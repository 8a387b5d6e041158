/**
 * The position of a 2025-era GET stream, carried in every SSE event id so that a
 * client reconnecting with `Last-Event-ID` resumes exactly where it was (2025-11-25
 * basic/transports, "Resumability and Redelivery"):
 *
 *   `<broadcast seq>.<session seq>.<tools fp>.<prompts fp>.<resources fp>:<stream>:<n>`
 *
 * - the two seqs: the last event read from the broadcast and from the session's
 *   partition of the event log; resuming reads `seq > ` each of them, so nothing is
 *   replayed twice and nothing is skipped;
 * - the registry fingerprints the client was last told about, so that a list change
 *   that happened while it was away is announced when it comes back;
 * - a random stream id and the event's number within that stream, so that every id is
 *   unique across all streams of the session, as the specification requires, even
 *   when two events carry the same position (a priming event, a list change).
 */
import type { RegistryFingerprint } from './registry-fingerprint';

export interface StreamCursor {
  readonly broadcast: number;
  readonly session: number;
  readonly fingerprint: RegistryFingerprint;
}

const SEQ = /^(0|[1-9][0-9]{0,15})$/;
const FP = /^[A-Za-z0-9_-]{1,16}$/;

export function encodeCursor(cursor: StreamCursor, stream: string, n: number): string {
  const fp = cursor.fingerprint;
  return `${cursor.broadcast}.${cursor.session}.${fp.tools}.${fp.prompts}.${fp.resources}:${stream}:${n}`;
}

/** The cursor in an event id, or undefined when the id is not one of ours. */
export function decodeCursor(id: string): StreamCursor | undefined {
  if (id.length > 200) return undefined;
  const [position] = id.split(':');
  const parts = position.split('.');
  if (parts.length !== 5) return undefined;
  const [b, s, tools, prompts, resources] = parts;
  if (!SEQ.test(b) || !SEQ.test(s) || ![tools, prompts, resources].every((f) => FP.test(f))) return undefined;
  return { broadcast: Number(b), session: Number(s), fingerprint: { tools, prompts, resources } };
}
