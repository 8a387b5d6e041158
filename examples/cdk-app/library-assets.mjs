// This example builds the construct from the repository's sources (app.ts imports
// '../../src'), and the construct deploys the bundled runtime in assets/, which
// `npm install` does not create. So before each synth this builds assets/ when it is
// missing or older than the runtime's sources (lambda-src/), which takes a few seconds.
// A user's app needs none of this: the published package carries assets/.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const built = join(root, 'assets', 'handler', 'index.mjs');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

if (!existsSync(built) || statSync(built).mtimeMs < newest(join(root, 'lambda-src'))) {
  process.stderr.write('examples/cdk-app: building the library\'s runtime assets (node scripts/bundle.mjs)...\n');
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
