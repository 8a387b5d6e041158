/**
 * The start-up output of `mcp-lambda-server dev --app cdk.out`: each server's URL, each
 * tool, resource and prompt with the function behind it, what does not run locally and
 * why, and how to connect the MCP Inspector and desktop clients.
 */
import type { ServedServer } from './cdk-dev-server';
import type { RegistryItem } from '../../model/registry-item';
import { clientConfigLines } from '../client-config';

function itemLabel(item: RegistryItem): string {
  switch (item.type) {
    case 'resource': return item.uri;
    case 'resourceTemplate': return item.uriTemplate;
    default: return item.name;
  }
}

export interface CdkBannerOptions {
  readonly appDir: string;
  readonly storeDescription: string;
  /** The tables are the embedded store's, in memory (not DynamoDB tables). */
  readonly embeddedStore?: boolean;
  readonly watch: boolean;
  /** What runs each runtime here, e.g. `python3.13` -> `python3 (Python 3.11.7)`. */
  readonly interpreters?: Readonly<Record<string, string>>;
}

export function cdkBanner(servers: readonly ServedServer[], options: CdkBannerOptions): string {
  const lines: string[] = [`\nMCP servers of ${options.appDir} are running locally (${servers.length})`];
  for (const s of servers) {
    lines.push(`\n${s.id}  (serverName ${s.serverName})`);
    lines.push(`  endpoint   ${s.url}`);
    const section = (label: string, types: Array<RegistryItem['type']>) => {
      const items = s.items.filter((i) => types.includes(i.item.type));
      if (items.length === 0) {
        lines.push(`  ${label.padEnd(11)}(none)`);
        return;
      }
      items.forEach((i, n) => {
        const target = i.functionLabel ? ` -> ${i.functionLabel}` : i.item.type === 'prompt' || i.item.type === 'resource' ? ' (static)' : '';
        const broken = i.notRunnable ? `  NOT RUNNABLE LOCALLY: ${i.notRunnable}` : '';
        lines.push(`  ${(n === 0 ? label : '').padEnd(11)}${itemLabel(i.item)}${target}${broken}`);
      });
    };
    section('tools', ['tool']);
    section('resources', ['resource', 'resourceTemplate']);
    section('prompts', ['prompt']);
    lines.push(`  tables     ${s.config.sessionTable}, ${s.config.registryTable}${options.embeddedStore ? ' (in the embedded store, in memory)' : ''}`);
    lines.push(s.eventTopicArn
      ? `  events     topic ${s.eventTopicArn}: npx mcp-lambda-server publish --url ${s.url} 'hello'`
      : '  events     no event topic in the app (enableEvents: true, or eventTopic), so `publish` is refused, as SNS has no way in deployed');
    lines.push(`  auth       local: every caller is trusted (the template's auth mode '${s.templateAuthMode}' is not enforced locally)`);
    if (!s.handlerFromAsset) lines.push('  handler    this CLI\'s copy (see the warning below)');
    for (const w of s.warnings) lines.push(`  warning    ${w}`);
  }
  const runtimes = [...new Set(servers.flatMap((s) => s.runtimes))].sort();
  if (runtimes.length > 0) {
    lines.push('\nLocal interpreters (Lambda would run the runtime named; here these run the functions):');
    for (const r of runtimes) lines.push(`  ${r.padEnd(12)} -> ${options.interpreters?.[r] ?? 'see --python'}`);
  }
  lines.push(`\nstore: ${options.storeDescription}`);
  lines.push(options.watch ? 'Watching for a new synth (run `cdk synth` again); sessions survive reloads.' : 'Run with --watch to reload on every `cdk synth`.');
  const first = servers[0]?.url ?? 'http://127.0.0.1:3000/mcp';
  lines.push(`\nConnect a client (to ${servers.length > 1 ? 'the first server; the others likewise with their URLs' : 'this server'}):`);
  lines.push(...clientConfigLines(first, servers[0]?.serverName));
  lines.push('\nPress Ctrl-C to stop.\n\n');
  return lines.join('\n');
}
