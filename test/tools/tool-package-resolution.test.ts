/**
 * How a tool function finds the helper once the package is installed: the package has
 * no `exports` map, so `cdk-mcp-lambda-server/tool` resolves through the tool/ folder
 * (require and bundlers), and unbundled ES modules import `.../tool/index.js`. Run in
 * real Node processes against a project whose node_modules links to this repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(__dirname, '..', '..');
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'tool-resolution-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(root, join(project, 'node_modules', 'cdk-mcp-lambda-server'), 'dir');
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

const run = (file: string) => execFileSync(process.execPath, [file], { cwd: project }).toString().trim();

test('CommonJS: require(\'cdk-mcp-lambda-server/tool\')', () => {
  writeFileSync(join(project, 'a.cjs'), "console.log(Object.keys(require('cdk-mcp-lambda-server/tool')).join(','));");
  expect(run('a.cjs')).toBe('defineTool,elicit,inputRequired');
});

test('an unbundled ES module: import from \'cdk-mcp-lambda-server/tool/index.js\'', () => {
  writeFileSync(join(project, 'b.mjs'), "import { defineTool } from 'cdk-mcp-lambda-server/tool/index.js';\nconsole.log(typeof defineTool);");
  expect(run('b.mjs')).toBe('function');
});

test('bundled (as NodejsFunction bundles it): import from \'cdk-mcp-lambda-server/tool\'', async () => {
  writeFileSync(join(project, 'c.ts'), "import { defineTool } from 'cdk-mcp-lambda-server/tool';\nconsole.log(typeof defineTool);");
  await build({ entryPoints: [join(project, 'c.ts')], outfile: join(project, 'c.mjs'), bundle: true, platform: 'node', format: 'esm', logLevel: 'error' });
  expect(run('c.mjs')).toBe('function');
});
