/**
 * The accepted bearer token(s), read from AWS Secrets Manager and cached per execution
 * environment for a short time (default 60 s), so a rotation takes effect within that
 * time without a redeployment (and at once for a client that already has the new token:
 * see shared-token-authenticator.ts).
 *
 * Which versions are accepted:
 * - `AWSCURRENT`, always.
 * - `AWSPREVIOUS`, only when `acceptPrevious` is set: a grace period in which clients
 *   still holding the old token keep working after a rotation. Off by default, because
 *   the other reason to rotate is a leaked token, which must stop working at once.
 * - `AWSPENDING`, never: during a Secrets Manager rotation it is a value the rotation
 *   function has created but not yet tested and promoted (a rotation that fails leaves
 *   it behind), and no client should have been handed it yet.
 *
 * The secret value is the token itself (`SecretString`), or a JSON object whose `token`
 * field is the token (the shape of a secret generated with a template). A JSON object
 * without a non-empty `token` string, or an empty value, is no token at all: the
 * current version failing so throws TokenSecretError (fail closed, whatever was cached),
 * never treating the raw text (`{}`) as the token.
 *
 * Re-reads for a token that matched nothing (see shared-token-authenticator.ts): not
 * again for the same token while the newest read is younger than `minRefreshIntervalMs`
 * (it was compared with that read), and at most `maxRefreshReadsPerInterval` of them per
 * interval. So an attacker's wrong tokens cannot delay a rotated token (its first use
 * reads the secret) unless they flood one execution environment with more distinct bad
 * tokens than that bound; and they never cost more than that bound in reads.
 */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TokenSecretError, type TokenSource } from './shared-token-authenticator';

/** Presented tokens remembered (by digest) as compared with the newest read. */
const MAX_CHECKED_TOKENS = 1024;

export interface SecretsManagerTokenSourceOptions {
  readonly secretId: string;
  /** @default 60 */
  readonly cacheSeconds?: number;
  /** @default false */
  readonly acceptPrevious?: boolean;
  /** @default a client for the function's region, created once */
  readonly client?: SecretsManagerClient;
  /** The same token is not re-read for while the cached read is younger than this. @default 5000 */
  readonly minRefreshIntervalMs?: number;
  /** Re-reads for unmatched tokens allowed per `minRefreshIntervalMs`. @default 5 */
  readonly maxRefreshReadsPerInterval?: number;
  readonly now?: () => number;
}

export class SecretsManagerTokenSource implements TokenSource {
  private readonly client: SecretsManagerClient;
  private readonly cacheMs: number;
  private readonly minRefreshMs: number;
  private readonly now: () => number;
  private readonly maxRefreshReads: number;
  private cached?: { readonly tokens: readonly string[]; readonly at: number };
  private inflight?: Promise<readonly string[]>;
  /** When each recent re-read for an unmatched token was made (within the interval). */
  private refreshReads: number[] = [];
  /** Digest of a presented token -> `at` of the read it was compared with. */
  private readonly checked = new Map<string, number>();

  constructor(private readonly options: SecretsManagerTokenSourceOptions) {
    this.client = options.client ?? new SecretsManagerClient({});
    this.cacheMs = (options.cacheSeconds ?? 60) * 1000;
    this.minRefreshMs = options.minRefreshIntervalMs ?? 5_000;
    this.maxRefreshReads = options.maxRefreshReadsPerInterval ?? 5;
    this.now = options.now ?? Date.now;
  }

  async tokens(options: { refresh?: boolean; presented?: string } = {}): Promise<readonly string[]> {
    const now = this.now();
    const cached = this.cached;
    const age = cached ? now - cached.at : Infinity;
    if (cached && (options.refresh ? !this.mayRefresh(cached.at, age, now, options.presented) : age < this.cacheMs)) return cached.tokens;
    // Concurrent requests of one environment share one read.
    this.inflight ??= this.read().finally(() => {
      this.inflight = undefined;
    });
    try {
      const tokens = await this.inflight;
      // This read was made after the token arrived: a re-read for it would find the same.
      if (options.presented !== undefined) this.remember(options.presented);
      return tokens;
    } catch (err) {
      if (err instanceof TokenSecretError) {
        // A secret without a usable token fails closed, even with an older value cached.
        this.cached = undefined;
        throw err;
      }
      // Secrets Manager unreachable: keep serving with the last value read rather than
      // locking every client out; with no value at all, the caller answers 503.
      if (this.cached) return this.cached.tokens;
      throw err;
    }
  }

  /** Whether a token that matched the cached read earns a new read (and if so, counts it). */
  private mayRefresh(cachedAt: number, age: number, now: number, presented: string | undefined): boolean {
    if (age >= this.minRefreshMs && presented === undefined) return true;
    if (age < this.minRefreshMs) {
      // Compared with this very read already (or, without a digest, any token): refused from it.
      if (presented === undefined || this.checked.get(presented) === cachedAt) return false;
    }
    this.refreshReads = this.refreshReads.filter((at) => now - at < this.minRefreshMs);
    if (this.refreshReads.length >= this.maxRefreshReads) return false;
    this.refreshReads.push(now);
    return true;
  }

  private remember(presented: string): void {
    if (!this.cached) return;
    this.checked.delete(presented);
    this.checked.set(presented, this.cached.at);
    if (this.checked.size > MAX_CHECKED_TOKENS) {
      const oldest = this.checked.keys().next().value;
      if (oldest !== undefined) this.checked.delete(oldest);
    }
  }

  private async read(): Promise<readonly string[]> {
    const stages = this.options.acceptPrevious ? ['AWSCURRENT', 'AWSPREVIOUS'] : ['AWSCURRENT'];
    const tokens: string[] = [];
    for (const stage of stages) {
      let secretString: string | undefined;
      try {
        const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.options.secretId, VersionStage: stage }));
        secretString = out.SecretString;
      } catch (err) {
        // A secret that was never rotated has no AWSPREVIOUS version.
        if (stage !== 'AWSCURRENT' && err instanceof ResourceNotFoundException) continue;
        throw err;
      }
      const token = tokenOf(secretString);
      if ('token' in token) {
        tokens.push(token.token);
      } else if (stage === 'AWSCURRENT') {
        throw new TokenSecretError(
          `bearer auth misconfigured: secret ${this.options.secretId} (AWSCURRENT) holds no usable token: ${token.problem}; `
          + 'its value must be the token, or JSON {"token": "<the token>"}; every request is refused until it is fixed',
        );
      }
      // A previous version without a usable token is simply not accepted.
    }
    this.cached = { tokens, at: this.now() };
    return tokens;
  }
}

/** The token a secret value holds, or why it holds none. */
function tokenOf(secretString: string | undefined): { token: string } | { problem: string } {
  const trimmed = (secretString ?? '').trim();
  if (trimmed === '') return { problem: 'the value is empty (or binary)' };
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      // Not JSON: the whole string is the token.
      return { token: trimmed };
    }
    const token = (parsed as { token?: unknown }).token;
    if (typeof token === 'string' && token.trim() !== '') return { token };
    return { problem: 'the value is a JSON object without a non-empty "token" string' };
  }
  return { token: trimmed };
}
