/** PendingRequestStore in process memory: for unit tests and a single-process dev server. */
import { type ClientAnswer, type PendingRead, type PendingRequestStore, storableAnswer } from './pending-request-store';
import { nowEpochSeconds } from './table-schema';

interface Entry {
  expiresAt: number;
  answer?: string;
}

export class MemoryPendingRequestStore implements PendingRequestStore {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(options: { readonly now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  async open(sessionId: string, wireId: string, expiresAt: number): Promise<void> {
    this.entries.set(key(sessionId, wireId), { expiresAt });
  }

  async answer(sessionId: string, wireId: string, answer: ClientAnswer): Promise<boolean> {
    const entry = this.live(sessionId, wireId);
    if (!entry || entry.answer !== undefined) return false;
    entry.answer = storableAnswer(answer).json;
    return true;
  }

  async read(sessionId: string, wireId: string): Promise<PendingRead> {
    const entry = this.live(sessionId, wireId);
    if (!entry) return { state: 'gone' };
    if (entry.answer === undefined) return { state: 'waiting' };
    return { state: 'answered', answer: JSON.parse(entry.answer) as ClientAnswer };
  }

  async close(sessionId: string, wireId: string): Promise<void> {
    this.entries.delete(key(sessionId, wireId));
  }

  private live(sessionId: string, wireId: string): Entry | undefined {
    const entry = this.entries.get(key(sessionId, wireId));
    if (!entry) return undefined;
    if (entry.expiresAt <= nowEpochSeconds(this.now())) {
      this.entries.delete(key(sessionId, wireId));
      return undefined;
    }
    return entry;
  }
}

function key(sessionId: string, wireId: string): string {
  return `${sessionId}\u0000${wireId}`;
}
