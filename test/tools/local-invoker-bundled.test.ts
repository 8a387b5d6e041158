/**
 * The local invoker as it ships: bundled by esbuild into CommonJS (as
 * scripts/bundle.mjs builds the CLI) and run by a real Node process, where its
 * `import()` must survive bundling and load ES modules as well as CommonJS. (Inside
 * jest, `import()` needs --experimental-vm-modules, so this cannot run in process.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const fixtures = join(__dirname, 'fixtures');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'local-invoker-'));
  const driver = join(dir, 'driver.ts');
  writeFileSync(
    driver,
    `import { LocalInvoker } from ${JSON.stringify(join(__dirname, '../../lambda-src/tools/local-invoker'))};
const targets = JSON.parse(process.argv[2]);
const invoker = new LocalInvoker();
(async () => {
  const out = [];
  for (const t of targets) out.push(await invoker.invoke(t, { tool: 'bundled', arguments: { n: 1 }, context: { requestId: 'r', protocolVersion: '2026-07-28' } }));
  process.stdout.write(JSON.stringify(out));
})();
`,
  );
  await build({
    entryPoints: [driver],
    outfile: join(dir, 'driver.js'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    logLevel: 'error',
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runBundled(targets: object[]): Promise<any[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'driver.js'), JSON.stringify(targets)]);
  return JSON.parse(stdout);
}

test('the CommonJS bundle loads .mjs, "type": "module" .js and .cjs handlers', async () => {
  const [mjs, moduleJs, cjs, esmThrows] = await runBundled([
    { handler: './handlers.mjs#handler', baseDir: fixtures },
    { handler: './esm-package/tool.js#handler', baseDir: fixtures },
    { handler: './handlers.cjs#synchronous', baseDir: fixtures },
    { handler: './handlers.mjs#throws', baseDir: fixtures },
  ]);
  expect(mjs).toMatchObject({ ok: true, payload: { esm: true, tool: 'bundled' } });
  expect(moduleJs).toEqual({ ok: true, payload: { esmJs: true, args: { n: 1 } } });
  expect(cjs).toEqual({ ok: true, payload: { sync: 'bundled' } });
  expect(esmThrows).toEqual({ ok: false, kind: 'function_error', message: 'esm failure' });
});
