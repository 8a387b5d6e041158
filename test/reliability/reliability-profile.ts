/**
 * How hard the reliability suite pushes. The default (CI) profile fits in about two
 * minutes on a 2-core machine; `MCP_RELIABILITY_PROFILE=heavy` scales every figure up
 * and uses the store client's production timeouts (docs/readme/reliability.md).
 *
 * Every figure a test reaches is appended to test-reports/reliability-results.jsonl, so
 * the table in docs/reliability.md can quote the numbers of a real run.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../lambda-src/store/dynamodb-client';

export const PROFILE_NAME = process.env.MCP_RELIABILITY_PROFILE === 'heavy' ? 'heavy' : 'ci';
const HEAVY = PROFILE_NAME === 'heavy';

export const PROFILE = {
  /** Concurrent 2025-era sessions in the load test. */
  sessions: HEAVY ? 500 : 200,
  /** Load-test handler instances in child processes of their own (else in the test's process). */
  separateProcesses: process.env.MCP_RELIABILITY_PROCESSES === undefined ? HEAVY : process.env.MCP_RELIABILITY_PROCESSES === '1',
  /**
   * Requests on the wire at once in the load test, over both instances (all sessions
   * still run together; their requests take turns). Bounded so that the time a request
   * waits is set by this figure, not by how many clients there are.
   */
  requestsInFlight: HEAVY ? 64 : 16,
  /** tools/call requests per session in the load test. */
  callsPerSession: HEAVY ? 20 : 10,
  /** Clients writing one session's log level at once. */
  concurrentWriters: HEAVY ? 100 : 25,
  /** SNS messages delivered at once (each twice) in the event burst; all contend for one counter. */
  eventBurst: HEAVY ? 100 : 50,
  /** Rounds of the one-registry-item race. */
  registryRounds: HEAVY ? 50 : 10,
  /** fast-check runs per property. */
  fuzzRuns: HEAVY ? 2000 : 200,
  /**
   * The store client's per-attempt timeout in the fault tests: the production value in
   * the heavy profile; shorter in CI so that three hung attempts cost seconds, not ten.
   * Not shorter than a second: a healthy call to DynamoDB Local on a busy machine can
   * take hundreds of milliseconds, and a healthy call timed out is a false fault.
   */
  storeRequestTimeoutMs: HEAVY ? DEFAULT_REQUEST_TIMEOUT_MS : 1000,
} as const;

/** Appends one line of measured figures (test-reports/reliability-results.jsonl). */
export function recordResult(area: string, figures: Record<string, unknown>): void {
  const dir = join(__dirname, '..', '..', 'test-reports');
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, 'reliability-results.jsonl'),
    `${JSON.stringify({ at: new Date().toISOString(), profile: PROFILE_NAME, area, ...figures })}\n`);
}
