/**
 * Seals a tool function's `requestState` before it travels through the client, and
 * opens it on the retry. 2026-07-28 basic/patterns/mrtr, server requirements: state
 * that round-trips through the client is attacker-controlled on re-entry, and a server
 * whose state may influence business logic MUST protect its integrity and MUST reject
 * state that fails verification. We cannot know what a function does with its state,
 * so every state is sealed: HMAC-SHA256 over the state, the tool's name, the caller
 * and an expiry. A state replayed for another tool, by another caller, after its
 * expiry, or altered, is refused with -32602.
 *
 * The state is not encrypted: a function must not put secrets in it (documented).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Where the HMAC key comes from; the same key on every execution environment. */
export type SealKeySource = () => Promise<Uint8Array>;

export interface SealBinding {
  /** The tool the state belongs to. */
  readonly tool: string;
  /** A stable id of the caller (principal, or session), when there is one. */
  readonly caller?: string;
}

export interface RequestStateSealOptions {
  /** How long a sealed state stays valid, in seconds. @default 3600 */
  readonly maxAgeSeconds?: number;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
}

const VERSION = 'mls1';

export class RequestStateSeal {
  private readonly maxAgeSeconds: number;
  private readonly now: () => number;

  constructor(private readonly key: SealKeySource, options: RequestStateSealOptions = {}) {
    this.maxAgeSeconds = options.maxAgeSeconds ?? 3600;
    this.now = options.now ?? Date.now;
  }

  async seal(state: string, binding: SealBinding): Promise<string> {
    const payload = Buffer.from(JSON.stringify({
      s: state, t: binding.tool, c: binding.caller ?? null, e: Math.floor(this.now() / 1000) + this.maxAgeSeconds,
    }), 'utf8').toString('base64url');
    return `${VERSION}.${payload}.${await this.mac(payload)}`;
  }

  /** The function's state, or undefined when the sealed value is not valid for this binding. */
  async open(sealed: string, binding: SealBinding): Promise<string | undefined> {
    const parts = sealed.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) return undefined;
    const [, payload, mac] = parts;
    const expected = Buffer.from(await this.mac(payload), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let decoded: { s?: unknown; t?: unknown; c?: unknown; e?: unknown };
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (decoded.t !== binding.tool || decoded.c !== (binding.caller ?? null)) return undefined;
    if (typeof decoded.e !== 'number' || decoded.e <= Math.floor(this.now() / 1000)) return undefined;
    return typeof decoded.s === 'string' ? decoded.s : undefined;
  }

  private async mac(payload: string): Promise<string> {
    return createHmac('sha256', await this.key()).update(`${VERSION}.${payload}`).digest('base64url');
  }
}
