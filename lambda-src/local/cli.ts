/**
 * `mcp-lambda-server`: the package's command line (bundled to assets/cli/index.js by
 * scripts/bundle.mjs; bin/mcp-lambda-server.js runs it).
 *
 *   mcp-lambda-server dev [--port 3000] [--host 127.0.0.1] [--registry FILE] [--allow-origin URL ...]
 *   mcp-lambda-server dev --app cdk.out [--stack NAME ...] [--port 3000] [--watch]
 *   mcp-lambda-server proxy --url https://…/mcp [--region R] [--profile P] [--port N]  (signing-proxy.ts)
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { RegistryFileError } from '../registry/registry-file';
import type { RegistryItem } from '../registry/registry-item';
import { AppModelError } from './cdk-app/app-model';
import { cdkBanner } from './cdk-app/cdk-banner';
import { CdkDevServer } from './cdk-app/cdk-dev-server';
import { CloudAssemblyError } from './cdk-app/cloud-assembly';
import { type DevServer, startDevServer } from './dev-server';
import { DynamoDbLocalError } from './dynamodb-local-launcher';
import { proxyMain, runProxyCli, type RunningProxy } from './signing-proxy';

const USAGE = `Usage: mcp-lambda-server dev [options]
       mcp-lambda-server dev --app cdk.out [--stack NAME] [--port 3000] [--watch]
       mcp-lambda-server proxy --url https://<id>.lambda-url.<region>.on.aws/mcp [--region R] [--profile P]

Serves the MCP Lambda handler on http://HOST:PORT/mcp, with DynamoDB Local as its store.
With --app, runs the McpLambdaServers of a synthesized CDK app (cdk.out) locally: its
tables, its handler asset, its tool functions (Node.js and Python), its registered items.

Options:
  --app <dir>           a cloud assembly (the folder \`cdk synth\` writes, cdk.out)
  --stack <name>        with --app: only this stack (repeatable; * wildcards)
  --watch               with --app: reload on every new synth, keeping sessions
  --port <n>            port to listen on (default 3000; 0 picks a free port); with --app,
                        several servers take consecutive ports
  --host <addr>         address to bind (default 127.0.0.1; local MCP servers should bind only to localhost)
  --registry <file>     JSON array of registry items (tools, resources, resource templates, prompts);
                        items may name a local "handler": "./tools/echo.js#handler" instead of a lambdaArn
  --allow-origin <url>  a browser origin to allow besides localhost ones (repeatable)
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

  if (values.app === undefined && (values.stack || values.watch)) {
    io.err(`--stack and --watch need --app <cdk.out>\n\n${USAGE}`);
    return 1;
  }
  if (values.app !== undefined && values.registry !== undefined) {
    io.err('--app and --registry cannot be combined: the app declares its own tools, resources and prompts\n');
    return 1;
  }
  if (values.app !== undefined) return runApp(values.app, { ...values, port }, io);

  try {
    const server = await startDevServer({
      port,
      host: values.host,
      registryFile: values.registry,
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

async function runApp(
  appDir: string, values: { 'port': number; 'host'?: string; 'stack'?: string[]; 'watch'?: boolean; 'allow-origin'?: string[]; 'quiet'?: boolean }, io: CliIo,
): Promise<CdkDevServer | number> {
  try {
    const server = await CdkDevServer.start({
      appDir,
      stacks: values.stack,
      port: values.port,
      host: values.host,
      watch: values.watch,
      allowedOrigins: values['allow-origin'],
      log: values.quiet ? () => undefined : undefined,
      out: (line) => io.err(`${line}\n`),
    });
    io.out(cdkBanner(server.servers, { appDir, dynamoDbEndpoint: server.dynamoDbEndpoint, watch: values.watch === true }));
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
    `  dynamodb   ${server.dynamoDbEndpoint} (tables ${server.config.sessionTable}, ${server.config.registryTable})\n`,
    '\nMCP Inspector:\n',
    '  npx @modelcontextprotocol/inspector\n',
    `  then Transport Type "Streamable HTTP", URL ${server.url}, Connect.\n`,
    `  Or from a terminal: npx @modelcontextprotocol/inspector --cli ${server.url} --transport http --method tools/list\n`,
    '\nPress Ctrl-C to stop.\n\n',
  ].join('');
}

/** The bin entry: run, and on Ctrl-C stop the server and DynamoDB Local. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  // The proxy's stdout carries the protocol: it has its own entry that writes nothing else there.
  if (argv[0] === 'proxy') return proxyMain(argv.slice(1));
  const result = await runCli(argv);
  if (typeof result === 'number') {
    process.exitCode = result;
    return;
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the server and DynamoDB Local...\n`);
    void result.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  void main();
}
