/** CancellationStore in process memory: for unit tests and a single-process dev server. */
import {
  CANCEL_MARKER_TTL_SECONDS,
  CANCEL_SESSION_SK,
  type CancellationRead,
  type CancellationStore,
  type CancelledRequestId,
  cancelRequestSortKey,
} from './cancellation-store';
import { nowEpochSeconds } from './table-schema';

interface Marker {
  readonly at: number;
  readonly expiresAt: number;
}

const PRUNE_AT = 1_000;

export class MemoryCancellationStore implements CancellationStore {
  private readonly markers = new Map<string, Marker>();
  private readonly now: () => number;

  constructor(options: { readonly now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  async cancelRequest(sessionId: string, requestId: CancelledRequestId, cancelledAt: number): Promise<void> {
    this.put(sessionId, cancelRequestSortKey(requestId), cancelledAt);
  }

  async endSession(sessionId: string, endedAt: number): Promise<void> {
    this.put(sessionId, CANCEL_SESSION_SK, endedAt);
  }

  async read(sessionId: string, requestId: CancelledRequestId): Promise<CancellationRead> {
    const request = this.live(sessionId, cancelRequestSortKey(requestId));
    return { ...(request ? { requestCancelledAt: request.at } : {}), sessionEnded: this.live(sessionId, CANCEL_SESSION_SK) !== undefined };
  }

  private put(sessionId: string, sk: string, at: number): void {
    // Markers nobody reads again are dropped once expired, so the map stays bounded.
    if (this.markers.size >= PRUNE_AT) {
      const now = nowEpochSeconds(this.now());
      for (const [key, marker] of this.markers) if (marker.expiresAt <= now) this.markers.delete(key);
    }
    this.markers.set(`${sessionId}\u0000${sk}`, { at, expiresAt: nowEpochSeconds(this.now()) + CANCEL_MARKER_TTL_SECONDS });
  }

  private live(sessionId: string, sk: string): Marker | undefined {
    const key = `${sessionId}\u0000${sk}`;
    const marker = this.markers.get(key);
    if (marker && marker.expiresAt <= nowEpochSeconds(this.now())) {
      this.markers.delete(key);
      return undefined;
    }
    return marker;
  }
}
