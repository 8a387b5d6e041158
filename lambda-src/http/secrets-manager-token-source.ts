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
 * field is the token (the shape of a secret generated with a template).
 */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TokenSource } from './shared-token-authenticator';

export interface SecretsManagerTokenSourceOptions {
  readonly secretId: string;
  /** @default 60 */
  readonly cacheSeconds?: number;
  /** @default false */
  readonly acceptPrevious?: boolean;
  /** @default a client for the function's region, created once */
  readonly client?: SecretsManagerClient;
  /** A refresh is skipped while the cached read is younger than this. @default 5000 */
  readonly minRefreshIntervalMs?: number;
  readonly now?: () => number;
}

export class SecretsManagerTokenSource implements TokenSource {
  private readonly client: SecretsManagerClient;
  private readonly cacheMs: number;
  private readonly minRefreshMs: number;
  private readonly now: () => number;
  private cached?: { readonly tokens: readonly string[]; readonly at: number };
  private inflight?: Promise<readonly string[]>;

  constructor(private readonly options: SecretsManagerTokenSourceOptions) {
    this.client = options.client ?? new SecretsManagerClient({});
    this.cacheMs = (options.cacheSeconds ?? 60) * 1000;
    this.minRefreshMs = options.minRefreshIntervalMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  async tokens(options: { refresh?: boolean } = {}): Promise<readonly string[]> {
    const age = this.cached ? this.now() - this.cached.at : Infinity;
    const fresh = options.refresh ? age < this.minRefreshMs : age < this.cacheMs;
    if (this.cached && fresh) return this.cached.tokens;
    // Concurrent requests of one environment share one read.
    this.inflight ??= this.read().finally(() => {
      this.inflight = undefined;
    });
    try {
      return await this.inflight;
    } catch (err) {
      // Secrets Manager unreachable: keep serving with the last value read rather than
      // locking every client out; with no value at all, the caller answers 503.
      if (this.cached) return this.cached.tokens;
      throw err;
    }
  }

  private async read(): Promise<readonly string[]> {
    const stages = this.options.acceptPrevious ? ['AWSCURRENT', 'AWSPREVIOUS'] : ['AWSCURRENT'];
    const tokens: string[] = [];
    for (const stage of stages) {
      try {
        const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.options.secretId, VersionStage: stage }));
        const token = tokenOf(out.SecretString);
        if (token) tokens.push(token);
      } catch (err) {
        // A secret that was never rotated has no AWSPREVIOUS version.
        if (stage !== 'AWSCURRENT' && err instanceof ResourceNotFoundException) continue;
        throw err;
      }
    }
    if (tokens.length === 0) throw new Error(`secret ${this.options.secretId} holds no token (SecretString is empty)`);
    this.cached = { tokens, at: this.now() };
    return tokens;
  }
}

function tokenOf(secretString: string | undefined): string | undefined {
  if (!secretString) return undefined;
  const trimmed = secretString.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { token?: unknown };
      if (typeof parsed.token === 'string' && parsed.token !== '') return parsed.token;
    } catch {
      // not JSON: the whole string is the token
    }
  }
  return trimmed === '' ? undefined : trimmed;
}
