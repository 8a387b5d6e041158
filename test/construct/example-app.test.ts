import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const exampleDir = join(root, 'examples', 'cdk-app');
// The CLI the project depends on (aws-cdk@2), not one on the PATH.
const cdkCli = join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk');

// ts-node type-checks the example and the library sources on the way: a few seconds.
jest.setTimeout(180_000);

test('examples/cdk-app synthesizes with the cdk CLI', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'mcp-example-'));
  try {
    execFileSync(process.execPath, [cdkCli, 'synth', '--app', 'npx ts-node --prefer-ts-exts app.ts', '-o', outdir, '--no-notices', '--quiet'], {
      cwd: exampleDir,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const template = JSON.parse(readFileSync(join(outdir, 'McpExample.template.json'), 'utf8'));
    const resources = Object.values(template.Resources) as Array<{ Type: string; Properties: any }>;
    const types = resources.map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::DynamoDB::Table')).toHaveLength(2);
    expect(types).toEqual(expect.arrayContaining(['AWS::Lambda::Function', 'AWS::Lambda::Url', 'AWS::SNS::Topic', 'AWS::SNS::Subscription']));
    const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function')!;
    expect(fn.Properties.Environment.Variables.MCP_SERVER_NAME).toBe('orders');
    expect(fn.Properties.Environment.Variables.MCP_SESSION_TTL_SECONDS).toBe('28800');
    // The cloud assembly carries the pre-bundled handler: no esbuild or Docker at synth.
    const assetHash = (fn.Properties.Code.S3Key as string).replace(/\.zip$/, '');
    expect(existsSync(join(outdir, `asset.${assetHash}`, 'index.mjs'))).toBe(true);
    expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(['AgentRoleArn', 'EventTopicArn']));
    expect(Object.keys(template.Outputs).some((k) => k.startsWith('McpEndpointUrl'))).toBe(true);
  } catch (error) {
    const e = error as { stderr?: Buffer; stdout?: Buffer };
    if (e.stderr) throw new Error(`cdk synth failed:\n${e.stderr.toString()}\n${e.stdout?.toString() ?? ''}`);
    throw error;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
