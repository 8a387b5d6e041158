import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scrubAssetHashes } from './scrub-asset-hashes';

// Synthesizes the integ app as the CDK CLI would (CDK_OUTDIR names the cloud
// assembly directory) and compares its template with the committed snapshot.
test('the integ app synthesizes the committed template', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'mcp-integ-'));
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    jest.isolateModules(() => {
      // The integ app synthesizes when loaded, as when the CDK CLI runs it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('./mcp-lambda-server.integ');
    });
    const template = JSON.parse(readFileSync(join(outdir, 'McpLambdaServerInteg.template.json'), 'utf8'));
    expect(Object.values(template.Resources).map((r: any) => r.Type)).toContain('AWS::Lambda::Url');
    expect(scrubAssetHashes(template)).toMatchSnapshot();
  } finally {
    if (previous === undefined) delete process.env.CDK_OUTDIR;
    else process.env.CDK_OUTDIR = previous;
    rmSync(outdir, { recursive: true, force: true });
  }
});
