/**
 * What the environment SNS invokes does: append each record's event to the event log,
 * once (the SNS MessageId is the de-duplication key), and say what happened.
 *
 * A record that breaks the contract is logged and skipped: retrying cannot fix it.
 * A store failure is thrown: the invocation fails and Lambda retries the asynchronous
 * SNS delivery, which the de-duplication makes safe.
 */
import { parseSnsRecord, type SnsRecordLike } from './sns-message';
import type { EventLog } from '../store/event-log';

export interface SnsEventLike {
  readonly Records: readonly SnsRecordLike[];
}

export interface IngestResult {
  readonly appended: number;
  readonly duplicates: number;
  readonly refused: number;
}

/** Whether a Lambda event is an SNS notification (every record from `aws:sns`). */
export function isSnsEvent(event: unknown): event is SnsEventLike {
  const records = (event as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) && records.length > 0
    && records.every((r) => (r as { EventSource?: unknown } | null)?.EventSource === 'aws:sns');
}

export async function ingestSnsEvent(
  event: SnsEventLike,
  log: EventLog,
  logLine: (entry: Record<string, unknown>) => void,
): Promise<IngestResult> {
  let appended = 0;
  let duplicates = 0;
  let refused = 0;
  for (const record of event.Records) {
    const messageId = record.Sns?.MessageId;
    const parsed = parseSnsRecord(record);
    if (!parsed.ok) {
      refused++;
      logLine({ level: 'warn', msg: 'SNS message refused', messageId, reason: parsed.reason });
      continue;
    }
    const result = await log.append(parsed.event);
    if (result === undefined) {
      duplicates++;
      logLine({ level: 'info', msg: 'SNS message already appended (redelivery)', messageId });
    } else {
      appended++;
      logLine({
        level: 'info',
        msg: 'SNS event appended',
        messageId,
        method: parsed.event.method,
        target: parsed.event.sessionId === undefined ? 'broadcast' : 'session',
        shard: result.shard,
        seq: result.seq,
      });
    }
  }
  return { appended, duplicates, refused };
}
