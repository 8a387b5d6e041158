/**
 * The `jose` library, loaded with `require`.
 *
 * jose 6 is published as ECMAScript modules only, and the runtime compiles to CommonJS
 * (tsconfig `module: node16`), where TypeScript refuses a static import of an ES module.
 * Node 22 can `require` an ES module, esbuild inlines it into the bundled handler either
 * way, and under jest the test files map it to a CommonJS build of the same code
 * (test/support/jose-commonjs.ts). The types are the library's own.
 */
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const jose = require('jose') as typeof Jose;
