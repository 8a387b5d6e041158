/**
 * Type-checks the TypeScript code blocks (```ts, ```typescript) of README.md and
 * docs/*.md against the library's sources, with the TypeScript compiler API, so a
 * renamed prop or a changed signature breaks the build instead of the reader.
 *
 * A block is compiled according to the HTML comment on the line before it:
 *
 * - `<!-- snippet: complete -->`: a complete program, compiled exactly as written (as a
 *   module). An unmarked block that has an `import` line is taken as complete;
 * - `<!-- snippet: fragment -->`: a piece of a CDK app. It is compiled inside the
 *   constructor of a `Stack` (so `this` is a construct), with the imports a CDK app
 *   usually has and the names the docs use without defining them (`server`, `agentRole`,
 *   `ordersFn`, ...) declared below, unless the block imports or defines them itself.
 *   Its own imports are moved to the top. An unmarked block without imports is taken as
 *   a fragment;
 * - `<!-- snippet: skip (reason) -->`: not compiled; say why.
 *
 * `cdk-mcp-lambda-server` resolves to src/index.ts, so the check needs no build. Only
 * the snippets' own diagnostics are reported: the sources are type-checked elsewhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

const root = join(__dirname, '..', '..');

/** The imports a fragment gets, one name each, so a block's own import of a name wins. */
const FIXTURE_IMPORTS: ReadonlyArray<readonly [name: string, line: string]> = [
  ['App', "import { App } from 'aws-cdk-lib';"],
  ['Duration', "import { Duration } from 'aws-cdk-lib';"],
  ['Stack', "import { Stack } from 'aws-cdk-lib';"],
  ['acm', "import * as acm from 'aws-cdk-lib/aws-certificatemanager';"],
  ['cognito', "import * as cognito from 'aws-cdk-lib/aws-cognito';"],
  ['iam', "import * as iam from 'aws-cdk-lib/aws-iam';"],
  ['lambda', "import * as lambda from 'aws-cdk-lib/aws-lambda';"],
  ['route53', "import * as route53 from 'aws-cdk-lib/aws-route53';"],
  ['secretsmanager', "import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';"],
  ['sns', "import * as sns from 'aws-cdk-lib/aws-sns';"],
  ['wafv2', "import * as wafv2 from 'aws-cdk-lib/aws-wafv2';"],
  ['Construct', "import { Construct } from 'constructs';"],
  ['nodejs', "import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';"],
  ['path', "import * as path from 'node:path';"],
  ['cloudwatch', "import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';"],
  ['NagSuppressions', "import { NagSuppressions } from 'cdk-nag';"],
  ...['McpAuth', 'McpFrontDoor', 'McpLambdaServer', 'McpPromptRole', 'McpResponseMode', 'McpStreams', 'McpToolDefinition', 'ToolContract'].map(
    (name) => [name, `import { ${name} } from 'cdk-mcp-lambda-server';`] as const),
];

/** Names the docs use without defining them, and their types. */
const FIXTURE_DECLARATIONS: ReadonlyArray<readonly [name: string, type: string]> = [
  ['app', 'App'],
  ['server', 'McpLambdaServer'],
  ['agentRole', 'iam.IRole'],
  ['adminRole', 'iam.IRole'],
  ['lookupOrder', 'lambda.IFunction'],
  ['ordersFn', 'lambda.IFunction'],
  ['reportsFn', 'lambda.IFunction'],
  ['reportFn', 'lambda.IFunction'],
  ['gatewayWeatherFn', 'lambda.IFunction'],
  ['orderProcessor', 'lambda.Function'],
  ['searchFunction', 'lambda.IFunction'],
  ['onCall', 'sns.ITopic'],
  ['userPool', 'cognito.IUserPool'],
  ['claude', 'cognito.IUserPoolClient'],
  ['webAcl', 'wafv2.CfnWebACL'],
];

type Kind = 'complete' | 'fragment' | 'skip';

interface Snippet {
  /** `README.md:75`: where the block's first code line is. */
  readonly where: string;
  readonly kind: Kind;
  /** The marker comment above the block, if any. */
  readonly marker?: string;
  /** The path of the virtual file the block is compiled as. */
  readonly fileName: string;
  readonly text: string;
  /** For each line of `text`, the Markdown line it came from (0: the fixture's). */
  readonly lineMap: number[];
}

function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => join('docs', f));
  return ['README.md', ...docs];
}

function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(`{3,})(\w*)/.exec(lines[i]);
    if (!fence) continue;
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith(fence[1])) end++;
    if (fence[2] === 'ts' || fence[2] === 'typescript') {
      let above = i - 1;
      while (above >= 0 && lines[above].trim() === '') above--;
      const markerLine = above >= 0 ? lines[above].trim() : '';
      const marker = /^<!--\s*snippet:\s*(\w+)/.exec(markerLine);
      const firstLine = i + 2;
      const code = lines.slice(i + 1, end);
      const kind = (marker?.[1] ?? (code.some((line) => /^import\s/.test(line)) ? 'complete' : 'fragment')) as Kind;
      if (!['complete', 'fragment', 'skip'].includes(kind)) {
        throw new Error(`${file}:${above + 1}: unknown snippet marker '${marker?.[1]}' (complete, fragment or skip)`);
      }
      const fileName = join(root, 'test', 'docs', '__snippets__', `${file.replace(/[^\w]/g, '_')}_${firstLine}.ts`);
      found.push({ where: `${file}:${firstLine}`, kind, marker: marker ? markerLine : undefined, fileName, ...compose(kind, code, firstLine) });
    }
    i = end;
  }
  return found;
}

/** The source text a block is compiled as, with a map back to Markdown lines. */
function compose(kind: Kind, code: string[], firstLine: number): { text: string; lineMap: number[] } {
  const out: string[] = [];
  const lineMap: number[] = [];
  const emit = (line: string, mdLine: number): void => {
    out.push(line);
    lineMap.push(mdLine);
  };
  if (kind !== 'fragment') {
    code.forEach((line, k) => emit(line, firstLine + k));
    emit('export {};', 0);
    return { text: out.join('\n'), lineMap };
  }
  const isImport = (line: string): boolean => /^import\s/.test(line);
  const own = code.filter(isImport).join('\n');
  const defined = new Set<string>();
  for (const m of own.matchAll(/\b(?:import\s+\*\s+as\s+(\w+))|\{([^}]*)\}|import\s+(\w+)\s+from/g)) {
    for (const name of (m[1] ?? m[3] ?? m[2] ?? '').split(',')) {
      const local = name.trim().split(/\s+as\s+/).pop()?.trim();
      if (local) defined.add(local);
    }
  }
  code.forEach((line, k) => isImport(line) && emit(line, firstLine + k));
  for (const [name, line] of FIXTURE_IMPORTS) if (!defined.has(name)) emit(line, 0);
  for (const [name, type] of FIXTURE_DECLARATIONS) if (!defined.has(name)) emit(`declare const ${name}: ${type};`, 0);
  emit('export class SnippetStack extends Stack {', 0);
  // Parameter names a snippet will not use: `scope` and `id` are common in CDK code.
  emit('  constructor(snippetScope: Construct, snippetId: string) {', 0);
  emit('    super(snippetScope, snippetId);', 0);
  code.forEach((line, k) => !isImport(line) && emit(line, firstLine + k));
  emit('  }', 0);
  emit('}', 0);
  return { text: out.join('\n'), lineMap };
}

/** Type-checks all snippets in one program (loading aws-cdk-lib's types once); their problems, by snippet. */
function typeCheck(snippets: Snippet[]): Map<Snippet, string[]> {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    baseUrl: root,
    paths: {
      'cdk-mcp-lambda-server': ['src/index.ts'],
      // The tool helper ships beside the jsii API (assets/tool), built from lambda-src/tool.
      'cdk-mcp-lambda-server/tool': ['lambda-src/tool/index.ts'],
    },
  };
  const byName = new Map(snippets.map((s) => [s.fileName, s]));
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const snippet = byName.get(fileName);
    return snippet
      ? ts.createSourceFile(fileName, snippet.text, languageVersion, true)
      : getSourceFile(fileName, languageVersion, onError, shouldCreate);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => byName.has(fileName) || fileExists(fileName);
  const program = ts.createProgram([...byName.keys()], options, host);
  const problems = new Map<Snippet, string[]>();
  for (const snippet of snippets) {
    const own: string[] = [];
    problems.set(snippet, own);
    const sourceFile = program.getSourceFile(snippet.fileName)!;
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    for (const d of diagnostics) {
      const line = d.start === undefined ? -1 : sourceFile.getLineAndCharacterOfPosition(d.start).line;
      const mdLine = line >= 0 ? snippet.lineMap[line] : 0;
      const file = snippet.where.slice(0, snippet.where.lastIndexOf(':'));
      const at = mdLine > 0 ? `${file}:${mdLine}` : `${snippet.where} (fixture)`;
      own.push(`${at}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  return problems;
}

describe('TypeScript snippets in README.md and docs/', () => {
  const snippets = markdownFiles().flatMap(snippetsOf);
  // A planted mistake, checked in the same program, shows that the check can fail and
  // that it names the Markdown line.
  const planted: Snippet = {
    where: 'README.md:42',
    kind: 'fragment',
    fileName: join(root, 'test', 'docs', '__snippets__', 'planted_mistake.ts'),
    ...compose('fragment', ["new McpLambdaServer(this, 'Mcp', { serverNam: 'x' });"], 42),
  };
  let problems: Map<Snippet, string[]>;

  beforeAll(() => {
    problems = typeCheck([...snippets.filter((s) => s.kind !== 'skip'), planted]);
  }, 180_000);

  test('there are snippets to check, and every skipped one says why', () => {
    expect(snippets.filter((s) => s.kind !== 'skip').length).toBeGreaterThan(10);
    for (const s of snippets.filter((x) => x.kind === 'skip')) {
      expect(`${s.where} ${s.marker}`).toMatch(/<!--\s*snippet:\s*skip\s*\(\S[^)]*\)\s*-->$/);
    }
  });

  test('every snippet type-checks against the library', () => {
    const all = snippets.flatMap((s) => problems.get(s) ?? []);
    expect(all).toEqual([]);
  });

  test('a planted mistake is reported at its Markdown line', () => {
    const found = problems.get(planted) ?? [];
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^README\.md:42: .*serverNam/);
  });
});
