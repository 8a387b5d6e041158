/**
 * `jose` as a CommonJS module, for jest only.
 *
 * jose 6 ships ECMAScript modules only, and jest on Node 22 cannot `require` one (it
 * can from Node 24.9). A test file that needs jose (directly or through
 * lambda-src/http/oauth-authenticator.ts) registers this with
 *
 *   jest.mock('jose', () => jest.requireActual('./jose-commonjs').joseCommonJs());
 *
 * This is the real library, transpiled by esbuild to CommonJS at test start (as
 * scripts/bundle.mjs inlines it into the deployed handler): no behaviour is replaced.
 */
import { createRequire } from 'node:module';
import { buildSync } from 'esbuild';

let cached: Record<string, unknown> | undefined;

export function joseCommonJs(): Record<string, unknown> {
  if (cached) return cached;
  const localRequire = createRequire(__filename);
  const entry = localRequire.resolve('jose');
  const out = buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node22', write: false, logLevel: 'silent' });
  const module = { exports: {} as Record<string, unknown> };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(module, module.exports, localRequire);
  cached = module.exports;
  return cached;
}
