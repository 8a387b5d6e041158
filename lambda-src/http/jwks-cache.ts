/**
 * One remote JWK Set per URL per execution environment, shared by every invocation:
 * jose's `createRemoteJWKSet` keeps the keys in memory, refetches them when a token
 * names a `kid` it does not hold (key rotation at the authorization server), and not
 * more often than the cooldown, so a flood of tokens with made-up `kid`s cannot turn
 * into a flood of requests to the issuer.
 */
import type { JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };
import { jose } from './jose-module';

/** Not refetched more often than this, whatever the tokens say. */
const COOLDOWN_MS = 30_000;
/** Refetched at least this often, so a removed (compromised) key stops working. */
const MAX_AGE_MS = 10 * 60_000;
/** A slow issuer must not eat the function's time. */
const TIMEOUT_MS = 5_000;

const sets = new Map<string, JWTVerifyGetKey>();

export function remoteJwks(jwksUri: string): JWTVerifyGetKey {
  let set = sets.get(jwksUri);
  if (!set) {
    set = jose.createRemoteJWKSet(new URL(jwksUri), {
      cooldownDuration: COOLDOWN_MS,
      cacheMaxAge: MAX_AGE_MS,
      timeoutDuration: TIMEOUT_MS,
    });
    sets.set(jwksUri, set);
  }
  return set;
}
