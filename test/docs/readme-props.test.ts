/**
 * The README's props and members tables against the jsii manifest (`.jsii`), so a prop
 * or member added to the construct cannot go undocumented, and a row for one that was
 * removed or renamed cannot linger. jsii writes the manifest when it compiles
 * (`npx projen compile`, which CI runs before the tests); when it is missing, this test
 * compiles first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

interface JsiiMember {
  readonly name: string;
  readonly static?: boolean;
  readonly protected?: boolean;
}
interface JsiiType {
  readonly properties?: JsiiMember[];
  readonly methods?: JsiiMember[];
}

function manifestTypes(): Record<string, JsiiType> {
  const path = join(root, '.jsii');
  if (!existsSync(path)) {
    execFileSync(process.execPath, [join(root, 'node_modules', 'jsii', 'bin', 'jsii'), '--silence-warnings=reserved-word'], { cwd: root, stdio: 'inherit' });
  }
  return JSON.parse(readFileSync(path, 'utf8')).types;
}

/**
 * The first column of the first table under the README heading `heading`, with the
 * backticks and any call parentheses removed: `grantInvoke(grantee)` -> `grantInvoke`.
 */
function tableNames(readme: string, heading: string): string[] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no heading '${heading}'`);
  const rest = readme.slice(start + heading.length + 2);
  const end = rest.search(/\n#{1,3} /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  if (rows.length === 0) throw new Error(`no table rows under '${heading}'`);
  return rows.map((row) => row.slice(2, row.indexOf('|', 2)).trim().replace(/`/g, '').replace(/\(.*\)$/, ''));
}

function publicNames(members: JsiiMember[] | undefined): string[] {
  return (members ?? []).filter((m) => !m.static && !m.protected).map((m) => m.name);
}

const sorted = (names: string[]): string[] => [...new Set(names)].sort();

describe('README props and members tables', () => {
  const types = manifestTypes();
  const readme = readFileSync(join(root, 'README.md'), 'utf8');

  test('every McpLambdaServerProps prop has a row, and every row is a prop', () => {
    const props = types['cdk-mcp-lambda-server.McpLambdaServerProps'];
    expect(props).toBeDefined();
    expect(sorted(tableNames(readme, '### Properties'))).toEqual(sorted(publicNames(props.properties)));
  });

  test('every public member of McpLambdaServer has a row, and every row is a member', () => {
    const server = types['cdk-mcp-lambda-server.McpLambdaServer'];
    expect(server).toBeDefined();
    const members = [...publicNames(server.properties), ...publicNames(server.methods)];
    // `node` comes from Construct and is not ours to document.
    expect(sorted(tableNames(readme, '### Public members'))).toEqual(sorted(members.filter((m) => m !== 'node')));
  });
});
