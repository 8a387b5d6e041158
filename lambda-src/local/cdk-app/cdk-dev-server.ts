/**
 * `mcp-lambda-server dev --app cdk.out`: runs the app the developer synthesized, on
 * their machine, with no AWS account and no Docker.
 *
 * For each `McpLambdaServer` in the selected stacks it opens the server's stores (by
 * default embedded, in this process; with DynamoDB Local or a DynamoDB endpoint, the
 * app's tables created as declared: ../local-stores.ts), loads the handler asset from
 * the cloud assembly (the very file Lambda would run; its `createHandler` export builds
 * the runtime with local parts injected: the stores, auth mode `local`, the localhost
 * Origin policy, and an invoker that runs the app's tool functions in local execution
 * environments), writes the items the app declares into its registry, and serves
 * it on its own port through the same awslambda stand-in as the plain dev server.
 *
 * A reload (`--watch`, on a new synth) re-reads the assembly and swaps handlers and
 * tool runners in place. The stores are kept (and DynamoDB Local keeps running with
 * the tables), so the 2025-era sessions stored in them survive and clients carry on.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildAppModel, type LocalAppModel, type LocalFunction, type LocalMcpServer } from './app-model';
import { AssetInvoker } from './asset-invoker';
import { readCloudAssembly } from './cloud-assembly';
import { ensureDeclaredTable, keySchemaChanged } from './declared-tables';
import { UNRESOLVED_PREFIX } from './intrinsic-resolver';
import { syncRegistry, type RegistrySyncResult } from './registry-sync';
import { AUTH_MODE, SERVER_MARKER } from '../../../src/runtime-contract';
import { createHandler as ownCreateHandler, type RuntimeOverrides, type StreamingHandler } from '../../entry/index';
import { loadEventConfig } from '../../events/event-config';
import { createAuthenticator } from '../../http/authenticator';
import { OriginPolicy } from '../../http/origin-policy';
import { consoleLogSink, type LogSink } from '../../http/request-log';
import { ENV, type HandlerConfig, loadConfig } from '../../model/config';
import type { RegistryItem } from '../../model/registry-item';
import { closeServer, serve } from '../dev-server';
import { PUBLISH_PATH, servePublish } from '../local-publish';
import { type LocalStore, openLocalStore } from '../local-stores';

export interface CdkDevServerOptions {
  /** The cloud assembly folder (`cdk.out`). */
  readonly appDir: string;
  /** Stack names, ids or display names (`*` wildcards); every stack when absent. */
  readonly stacks?: readonly string[];
  /** Port of the first server; the next ones take the following ports. @default 3000; 0: free ports */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Browser origins allowed besides loopback ones (the MCP Inspector's is loopback). */
  readonly allowedOrigins?: readonly string[];
  /** Reload when the assembly changes (a new `cdk synth`). @default false */
  readonly watch?: boolean;
  /** Milliseconds between checks of `manifest.json` in watch mode. @default 300 */
  readonly watchIntervalMs?: number;
  /** Request log lines. @default stdout */
  readonly log?: LogSink;
  /** Status lines: reloads, warnings, and the tool functions' own output. @default stderr */
  readonly out?: (line: string) => void;
  /** `embedded` (in this process) or `dynamodb-local` (started for this server). @default 'embedded' */
  readonly store?: 'embedded' | 'dynamodb-local';
  /** Use this DynamoDB endpoint (DynamoDB Local, or real DynamoDB) instead. */
  readonly dynamoDbEndpoint?: string;
  /** @default 'python3' */
  readonly python?: string;
  /**
   * `hidden`: behave as Lambda does about a client's hang-up: a streamed response is not
   * interrupted when the client leaves, the handler is never told, and the invocation
   * runs until the handler ends it (docs/streams.md). `signalled` tells the handler at
   * once, as a plain local server would. @default 'signalled'
   */
  readonly hangUps?: 'signalled' | 'hidden';
}

/** A tool, resource or prompt of a served server and the function behind it. */
export interface ServedItem {
  readonly item: RegistryItem;
  /** The app's function behind it (construct path or logical id). */
  readonly functionLabel?: string;
  /** Why its function cannot run locally. */
  readonly notRunnable?: string;
}

export interface ServedServer {
  /** The construct path, e.g. `McpExample/Mcp`. */
  readonly id: string;
  readonly stackName: string;
  readonly serverName: string;
  /** `http://127.0.0.1:PORT/mcp` */
  readonly url: string;
  readonly port: number;
  /** The auth mode the template declares (not enforced locally). */
  readonly templateAuthMode: string;
  readonly config: HandlerConfig;
  readonly items: readonly ServedItem[];
  readonly warnings: readonly string[];
  /** Whether the handler came from the app's own asset (else this CLI's copy). */
  readonly handlerFromAsset: boolean;
  /** The runtimes (`nodejs22.x`, `python3.13`) of the functions behind its items that run locally. */
  readonly runtimes: readonly string[];
  /** The handler function's timeout (its template's `Timeout`), which bounds each request and stream. */
  readonly timeoutSeconds: number;
  /** The app's SNS topic for this server (events), if it has one. */
  readonly eventTopicArn?: string;
  /** Where `mcp-lambda-server publish` sends this server's events. */
  readonly publishUrl: string;
}

export interface ReloadResult {
  readonly ok: boolean;
  /** Why the reload failed (the previous state keeps serving). */
  readonly error?: string;
  readonly servers: readonly ServedServer[];
  /** Registry changes per server id. */
  readonly changes: Readonly<Record<string, RegistrySyncResult>>;
}

interface Slot {
  readonly http: Server;
  readonly port: number;
  handler: StreamingHandler;
  invoker?: AssetInvoker;
  info?: ServedServer;
}

export class CdkDevServer extends EventEmitter {
  /** Opens the stores (starting DynamoDB Local if asked to), loads the app and serves it. */
  static async start(options: CdkDevServerOptions): Promise<CdkDevServer> {
    // Read the assembly first, so a wrong folder fails before anything starts.
    buildAppModel(readCloudAssembly(options.appDir), options.stacks);
    const store = await openLocalStore({ kind: options.store, endpoint: options.dynamoDbEndpoint });
    const server = new CdkDevServer(options, store);
    server.cleanups.push(() => store.stop());
    try {
      const result = await server.load();
      if (!result.ok) throw new Error(result.error);
      if (options.watch) server.watch();
      return server;
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  private readonly slots = new Map<string, Slot>();
  private readonly cleanups: Array<() => Promise<void>> = [];
  private reloading?: Promise<ReloadResult>;
  private again = false;
  private lastManifest?: string;
  private stopped?: Promise<void>;
  private readonly out: (line: string) => void;

  /** The DynamoDB endpoint; absent for the embedded store. */
  readonly dynamoDbEndpoint?: string;

  private constructor(private readonly options: CdkDevServerOptions, readonly store: LocalStore) {
    super();
    this.dynamoDbEndpoint = store.dynamoDbEndpoint;
    this.out = options.out ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** The servers being served, in template order. */
  get servers(): ServedServer[] {
    return [...this.slots.values()].map((s) => s.info!).filter(Boolean);
  }

  /** Reads the assembly again and applies it; the `reload` event carries the result. */
  reload(): Promise<ReloadResult> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = this.load().then((result) => {
      this.reloading = undefined;
      this.emit('reload', result);
      if (this.again) {
        this.again = false;
        void this.reload();
      }
      return result;
    });
    return this.reloading;
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      unwatchFile(join(this.options.appDir, 'manifest.json'));
      for (const slot of this.slots.values()) {
        slot.invoker?.stop();
        await closeServer(slot.http);
      }
      this.slots.clear();
      for (const cleanup of this.cleanups) {
        try {
          await cleanup();
        } catch {
          // keep going: the rest must still be released
        }
      }
    })();
    return this.stopped;
  }

  private watch(): void {
    const manifest = join(this.options.appDir, 'manifest.json');
    // Polling, not fs.watch: a synth may replace the folder, which an fs.watch handle would not survive.
    watchFile(manifest, { interval: this.options.watchIntervalMs ?? 300 }, () => {
      if (this.stopped || !existsSync(manifest)) return;
      let text: string;
      try {
        text = readFileSync(manifest, 'utf8');
      } catch {
        return;
      }
      if (text === this.lastManifest) return;
      this.out('cdk.out changed: reloading...');
      void this.reload().then((r) => {
        this.out(r.ok
          ? `reloaded: ${describeChanges(r)}\n${r.servers.map((s) => `  ${s.id}  ${s.url}`).join('\n')}`
          : `reload failed, still serving the previous synth: ${r.error}`);
      });
    });
  }

  private async load(): Promise<ReloadResult> {
    let model: LocalAppModel;
    try {
      const manifestPath = join(this.options.appDir, 'manifest.json');
      this.lastManifest = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : undefined;
      model = buildAppModel(readCloudAssembly(this.options.appDir), this.options.stacks);
    } catch (err) {
      return { ok: false, error: (err as Error).message, servers: this.servers, changes: {} };
    }
    if (model.servers.length === 0) {
      // An app synthesized with a version of the library that wrote no marker has none either.
      const error = `no McpLambdaServer in ${model.stacks.join(', ') || 'the app'} (no function carries the Metadata `
        + `'${SERVER_MARKER.key}': '${SERVER_MARKER.handler}'; if the app has one, synthesize it again with this version of cdk-mcp-lambda-server)`;
      return { ok: false, error, servers: this.servers, changes: {} };
    }
    const changes: Record<string, RegistrySyncResult> = {};
    try {
      const tableWarnings = new Map<string, string>();
      if (this.dynamoDbEndpoint) {
        const admin = new DynamoDBClient({ endpoint: this.dynamoDbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
        try {
          for (const table of model.tables) {
            const created = await ensureDeclaredTable(admin, table);
            if (!created && await keySchemaChanged(admin, table)) {
              tableWarnings.set(table.tableName, `table ${table.tableName}: its key schema changed in the app; restart the dev server to recreate it`);
            }
          }
        } finally {
          admin.destroy();
        }
      }

      let nextPort = this.nextPort();
      const seen = new Set<string>();
      for (const server of model.servers) {
        seen.add(server.id);
        const slot = this.slots.get(server.id);
        const built = this.buildServer(server, model, tableWarnings);
        changes[server.id] = await syncRegistry(this.storesOf(server).registryStore, server.items);
        if (slot) {
          slot.invoker?.stop();
          slot.invoker = built.invoker;
          slot.handler = built.handler;
          slot.info = { ...built.info, url: slot.info!.url, publishUrl: slot.info!.publishUrl, port: slot.port };
        } else {
          const fresh = await this.listen(server.id, this.options.port === 0 ? 0 : nextPort, built);
          if (this.options.port !== 0) nextPort = fresh.port + 1;
        }
      }
      for (const [id, slot] of this.slots) {
        if (seen.has(id)) continue;
        slot.invoker?.stop();
        await closeServer(slot.http);
        this.slots.delete(id);
        changes[id] = { added: [], changed: [], removed: ['(server removed from the app)'] };
      }
    } catch (err) {
      return { ok: false, error: (err as Error).message, servers: this.servers, changes };
    }
    return { ok: true, servers: this.servers, changes };
  }

  private storesOf(server: LocalMcpServer) {
    return this.store.forServer({ sessionTable: server.sessionTable.tableName, registryTable: server.registryTable.tableName });
  }

  private nextPort(): number {
    const base = this.options.port ?? 3000;
    if (base === 0) return 0;
    const used = [...this.slots.values()].map((s) => s.port);
    return used.length === 0 ? base : Math.max(...used) + 1;
  }

  private async listen(id: string, port: number, built: { handler: StreamingHandler; invoker: AssetInvoker; info: Omit<ServedServer, 'url' | 'port' | 'publishUrl'> }): Promise<Slot> {
    const host = this.options.host ?? '127.0.0.1';
    const http = createServer((req, res) => {
      const slot = this.slots.get(id);
      if (!slot) {
        res.writeHead(503).end();
        return;
      }
      // `mcp-lambda-server publish`: an SNS event, as the app's topic would deliver it (../local-publish.ts).
      if (req.url?.split('?')[0] === PUBLISH_PATH) {
        const topicArn = slot.info?.eventTopicArn;
        void servePublish({
          handler: () => slot.handler,
          topicArn,
          noTopic: topicArn ? undefined : `${id} has no event topic in the app (enableEvents: true, or eventTopic), so no events reach it deployed either`,
        }, req, res);
        return;
      }
      // The handler function's own timeout, as Lambda applies it.
      void serve(slot.handler, req, res, `${host}:${(http.address() as AddressInfo).port}`, (slot.info?.timeoutSeconds ?? 900) * 1000, this.options.hangUps);
    });
    http.requestTimeout = 0;
    http.headersTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => resolve());
    });
    const actual = (http.address() as AddressInfo).port;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    const slot: Slot = { http, port: actual, handler: built.handler, invoker: built.invoker };
    slot.info = { ...built.info, url: `http://${urlHost}:${actual}/mcp`, publishUrl: `http://${urlHost}:${actual}${PUBLISH_PATH}`, port: actual };
    this.slots.set(id, slot);
    return slot;
  }

  private buildServer(server: LocalMcpServer, model: LocalAppModel, tableWarnings: Map<string, string>) {
    const warnings = [...server.warnings, ...server.handler.warnings];
    if (!this.dynamoDbEndpoint) {
      const own = new Set(model.servers.flatMap((s) => [s.sessionTable.tableName, s.registryTable.tableName]));
      const others = model.tables.filter((t) => !own.has(t.tableName)).map((t) => t.tableName);
      if (others.length > 0) {
        warnings.push(`the app's other tables (${others.join(', ')}) do not exist with the embedded store: `
          + 'for tool functions that use them, run with --store dynamodb-local or --dynamodb-endpoint URL');
      }
    }
    for (const t of [server.sessionTable, server.registryTable]) {
      const w = tableWarnings.get(t.tableName);
      if (w) warnings.push(w);
    }
    const env = server.handler.environment;
    const templateAuthMode = env[ENV.authMode] ?? AUTH_MODE.iam;
    // The template's settings, with the auth mode left out: its checks need AWS (IAM) or an issuer (OAuth).
    const base = loadConfig({ ...env, [ENV.authMode]: AUTH_MODE.none });
    // An origin with no local value (already reported as a warning) is left out.
    const allowedOrigins = [...base.allowedOrigins.filter((o) => !o.startsWith(UNRESOLVED_PREFIX)), ...(this.options.allowedOrigins ?? [])];
    const config: HandlerConfig = { ...base, authMode: 'local', allowedOrigins, dynamoDbEndpoint: this.dynamoDbEndpoint };
    const host = this.options.host ?? '127.0.0.1';
    const extraHosts = ['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(host) ? [] : [host];
    const invoker = new AssetInvoker(model.functions, { log: this.out, dynamoDbEndpoint: this.dynamoDbEndpoint, python: this.options.python });
    const overrides: RuntimeOverrides = {
      ...this.storesOf(server).overrides,
      config,
      // The template's stream mode and bounds (McpStreams): without an event topic the
      // local server, like the deployment, offers no GET stream.
      eventConfig: loadEventConfig(env),
      invoker,
      authenticator: createAuthenticator('local'),
      originPolicy: OriginPolicy.local(allowedOrigins, extraHosts),
      log: this.options.log ?? consoleLogSink,
    };
    const asset = loadHandlerAsset(server.handler);
    if (!asset.createHandler) warnings.push(asset.why);
    const handler = (asset.createHandler ?? ownCreateHandler)(overrides);
    const warned = new Set<LocalFunction>();
    const items: ServedItem[] = server.items.map((item) => {
      const fn = item.lambdaArn ? model.functions.get(item.lambdaArn) : undefined;
      if (fn && !warned.has(fn)) {
        warned.add(fn);
        for (const w of fn.warnings) warnings.push(`${functionLabel(fn)}: ${w}`);
      }
      return {
        item,
        functionLabel: fn ? functionLabel(fn) : item.lambdaArn,
        notRunnable: item.lambdaArn && !fn ? 'its function is not part of the selected stacks' : fn?.notRunnable,
      };
    });
    const info: Omit<ServedServer, 'url' | 'port' | 'publishUrl'> = {
      id: server.id,
      stackName: server.stackName,
      serverName: config.serverName,
      templateAuthMode,
      config,
      items,
      warnings,
      handlerFromAsset: asset.createHandler !== undefined,
      timeoutSeconds: server.handler.timeoutSeconds,
      runtimes: [...new Set([...warned].filter((f) => !f.notRunnable && f.runtime).map((f) => f.runtime!))].sort(),
      ...(server.eventTopicArn ? { eventTopicArn: server.eventTopicArn } : {}),
    };
    return { handler, invoker, info };
  }
}

type CreateHandler = (overrides: RuntimeOverrides) => StreamingHandler;

/**
 * The app's own handler bundle (`asset.<hash>/index.mjs`, ES modules since the bundle
 * is split; `index.js` from older library versions), whose `createHandler` export
 * takes the local parts. Node 20.19+ and 22.12+ `require` an ES module without
 * top-level await, as this one is. It is loaded in this process, after the awslambda stand-in is
 * installed (entry/index.ts does it on import), so the bundle finds the global the
 * Lambda runtime would give it and uses it, as it does in Lambda.
 */
function loadHandlerAsset(fn: LocalFunction): { createHandler?: CreateHandler; why: string } {
  const file = fn.codeDir ? ['index.mjs', 'index.js'].map((name) => join(fn.codeDir!, name)).find((f) => existsSync(f)) ?? join(fn.codeDir, 'index.mjs') : undefined;
  if (!file || !existsSync(file)) {
    return { why: `the handler asset ${file ?? '(none)'} was not found; serving with this CLI's copy of the handler` };
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { createHandler?: unknown };
    if (typeof mod.createHandler === 'function') return { createHandler: mod.createHandler as CreateHandler, why: '' };
    return { why: `the handler asset ${file} has no createHandler export (an older library version); serving with this CLI's copy of the handler` };
  } catch (err) {
    return { why: `the handler asset ${file} could not be loaded (${(err as Error).message}); serving with this CLI's copy of the handler` };
  }
}

export function functionLabel(fn: LocalFunction): string {
  const path = fn.constructPath?.replace(/\/Resource$/, '');
  return `${path ?? `${fn.stackName}/${fn.logicalId}`} (${fn.runtime ?? 'no runtime'})`;
}

export function describeChanges(result: ReloadResult): string {
  const parts: string[] = [];
  for (const [id, c] of Object.entries(result.changes)) {
    const list = [
      ...c.added.map((k) => `+${k}`), ...c.changed.map((k) => `~${k}`), ...c.removed.map((k) => `-${k}`),
    ];
    parts.push(`${id}: ${list.length ? list.join(' ') : 'no registry changes'}`);
  }
  return parts.join('; ') || 'nothing to serve';
}
