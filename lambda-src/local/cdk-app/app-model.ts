/**
 * The local model of a synthesized CDK app: for each stack, its DynamoDB tables (as
 * declared), its Lambda functions (where their code is, how to run them, with which
 * environment) and each `McpLambdaServer` in it.
 *
 * A server is found by the marker the construct writes on its handler function
 * (`SERVER_MARKER` of src/runtime-contract.ts, a resource `Metadata` entry), not by the
 * template's shape. From the handler, its environment names the server's two tables by
 * `Ref` (`MCP_SESSION_TABLE`, `MCP_REGISTRY_TABLE`, the names lambda-src/model/config.ts
 * reads), and the `Custom::McpRegistry` resource that writes to that registry table
 * holds the items declared with `addTool`/`addResource`/`addPrompt`.
 */
import { join } from 'node:path';
import type { AssemblyStack, CfnResource } from './cloud-assembly';
import { IntrinsicResolver, type LocalResourceValues } from './intrinsic-resolver';
import { SERVER_MARKER } from '../../../src/runtime-contract';
import { ENV } from '../../model/config';
import type { RegistryItem } from '../../model/registry-item';

export interface LocalTable {
  readonly stackName: string;
  readonly logicalId: string;
  /** The name the table has in DynamoDB Local. */
  readonly tableName: string;
  /** The template's `Properties` (KeySchema, AttributeDefinitions, indexes, TTL, ...). */
  readonly properties: Record<string, any>;
}

export type FunctionLanguage = 'node' | 'python';

export interface LocalFunction {
  readonly stackName: string;
  readonly logicalId: string;
  /** `aws:cdk:path` of the function, when the template has it. */
  readonly constructPath?: string;
  readonly functionName: string;
  /** The ARN it has locally; registry items' `lambdaArn` resolve to it. */
  readonly arn: string;
  readonly runtime?: string;
  /** `file.export` (Node.js) or `module.function` (Python). */
  readonly handler?: string;
  readonly language?: FunctionLanguage;
  /** The folder of its code (a staged asset). */
  readonly codeDir?: string;
  /** Inline code (`Code.ZipFile`), written to `index.js` / `index.py` when it runs. */
  readonly inlineCode?: string;
  /** Why it cannot run locally; undefined when it can. */
  readonly notRunnable?: string;
  /** The template's environment variables, resolved to local values. */
  readonly environment: Readonly<Record<string, string>>;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Settings that do not apply locally (layers, unresolved values), for the start-up output. */
  readonly warnings: readonly string[];
}

export interface LocalMcpServer {
  /** The construct path (`Stack/Mcp`): the server's identity across reloads. */
  readonly id: string;
  readonly stackName: string;
  readonly handler: LocalFunction;
  readonly sessionTable: LocalTable;
  readonly registryTable: LocalTable;
  /** The items its `Custom::McpRegistry` declares, `lambdaArn`s resolved to local ARNs. */
  readonly items: readonly RegistryItem[];
  readonly warnings: readonly string[];
  /** The SNS topic its handler is subscribed to (`enableEvents` or `eventTopic`), if any. */
  readonly eventTopicArn?: string;
}

export interface LocalAppModel {
  readonly stacks: readonly string[];
  readonly servers: readonly LocalMcpServer[];
  readonly tables: readonly LocalTable[];
  /** Every function of the selected stacks, by local ARN. */
  readonly functions: ReadonlyMap<string, LocalFunction>;
}

export class AppModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppModelError';
  }
}

const REGISTRY_RESOURCE_TYPE = 'Custom::McpRegistry';

/**
 * Builds the model of the given stacks. `stackFilter` selects stacks by name, artifact id
 * or display name (`*` wildcards allowed); every stack when absent.
 */
export function buildAppModel(stacks: readonly AssemblyStack[], stackFilter?: readonly string[]): LocalAppModel {
  const selected = stackFilter && stackFilter.length > 0 ? stacks.filter((s) => stackFilter.some((f) => matches(f, s))) : stacks;
  if (stackFilter && stackFilter.length > 0 && selected.length === 0) {
    throw new AppModelError(`no stack matches ${stackFilter.map((f) => `'${f}'`).join(', ')}; the app has: ${stacks.map((s) => s.displayName).join(', ') || '(no stacks)'}`);
  }
  const servers: LocalMcpServer[] = [];
  const tables: LocalTable[] = [];
  const functions = new Map<string, LocalFunction>();
  for (const stack of selected) {
    const model = stackModel(stack);
    servers.push(...model.servers);
    tables.push(...model.tables);
    for (const fn of model.functions) functions.set(fn.arn, fn);
  }
  return { stacks: selected.map((s) => s.displayName), servers, tables, functions };
}

function matches(filter: string, stack: AssemblyStack): boolean {
  const re = new RegExp(`^${filter.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return [stack.stackName, stack.artifactId, stack.displayName].some((n) => re.test(n));
}

/** A physical name like the one CloudFormation would generate, without its random suffix. */
function generatedName(stackName: string, logicalId: string, max: number): string {
  return `${stackName}-${logicalId}`.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, max);
}

function stackModel(stack: AssemblyStack): { servers: LocalMcpServer[]; tables: LocalTable[]; functions: LocalFunction[] } {
  const resources = stack.template.Resources ?? {};
  const { region, accountId, stackName } = stack;

  // What each resource answers to Ref and GetAtt locally.
  const values = new Map<string, LocalResourceValues>();
  for (const [id, res] of Object.entries(resources)) {
    const literal = (v: unknown) => (typeof v === 'string' ? v : undefined);
    if (res.Type === 'AWS::DynamoDB::Table') {
      const name = literal(res.Properties?.TableName) ?? generatedName(stackName, id, 255);
      values.set(id, { ref: name, attributes: { Arn: `arn:aws:dynamodb:${region}:${accountId}:table/${name}` } });
    } else if (res.Type === 'AWS::Lambda::Function') {
      const name = literal(res.Properties?.FunctionName) ?? generatedName(stackName, id, 64);
      values.set(id, { ref: name, attributes: { Arn: `arn:aws:lambda:${region}:${accountId}:function:${name}` } });
    } else if (res.Type === 'AWS::SNS::Topic') {
      const name = literal(res.Properties?.TopicName) ?? generatedName(stackName, id, 256);
      const arn = `arn:aws:sns:${region}:${accountId}:${name}`;
      values.set(id, { ref: arn, attributes: { TopicArn: arn, TopicName: name } });
    } else if (res.Type === 'AWS::SQS::Queue') {
      const name = literal(res.Properties?.QueueName) ?? generatedName(stackName, id, 80);
      values.set(id, { ref: `https://sqs.${region}.amazonaws.com/${accountId}/${name}`, attributes: { Arn: `arn:aws:sqs:${region}:${accountId}:${name}`, QueueName: name } });
    } else if (res.Type === 'AWS::S3::Bucket') {
      const name = literal(res.Properties?.BucketName) ?? generatedName(stackName, id, 63).toLowerCase();
      values.set(id, { ref: name, attributes: { Arn: `arn:aws:s3:::${name}` } });
    }
  }
  const parameters = new Map<string, string>();
  for (const [name, p] of Object.entries(stack.template.Parameters ?? {})) {
    if (p.Default !== undefined) parameters.set(name, String(p.Default));
  }
  const ctx = { stackName, region, accountId, resources: values, parameters };

  const tables: LocalTable[] = [];
  const tablesById = new Map<string, LocalTable>();
  for (const [id, res] of Object.entries(resources)) {
    if (res.Type !== 'AWS::DynamoDB::Table') continue;
    const properties = new IntrinsicResolver(ctx).resolve(res.Properties ?? {}) as Record<string, any>;
    const table: LocalTable = { stackName, logicalId: id, tableName: values.get(id)!.ref!, properties };
    tables.push(table);
    tablesById.set(id, table);
  }

  const functions: LocalFunction[] = [];
  const functionsById = new Map<string, LocalFunction>();
  for (const [id, res] of Object.entries(resources)) {
    if (res.Type !== 'AWS::Lambda::Function') continue;
    const fn = localFunction(stack, id, res, values.get(id)!, new IntrinsicResolver(ctx));
    functions.push(fn);
    functionsById.set(id, fn);
  }

  const servers: LocalMcpServer[] = [];
  for (const [id, res] of Object.entries(resources)) {
    if (!isServerHandler(res)) continue;
    const vars = res.Properties?.Environment?.Variables ?? {};
    const sessionTable = tablesById.get(vars[ENV.sessionTable]?.Ref);
    const registryTable = tablesById.get(vars[ENV.registryTable]?.Ref);
    if (!sessionTable || !registryTable) {
      throw new AppModelError(`${stack.displayName}/${id} is marked as an McpLambdaServer handler, but its ${ENV.sessionTable} and ${ENV.registryTable} `
        + 'do not name tables of its stack by Ref; synthesize the app again without changing them');
    }
    const handler = functionsById.get(id)!;
    const path = handler.constructPath;
    const serverId = path && path.endsWith('/Handler/Resource') ? path.slice(0, -'/Handler/Resource'.length) : `${stack.displayName}/${id}`;
    const warnings: string[] = [];
    const items: RegistryItem[] = [];
    for (const [rid, r] of Object.entries(resources)) {
      if (r.Type !== REGISTRY_RESOURCE_TYPE || !writesTo(r, registryTable.logicalId, resources)) continue;
      const resolver = new IntrinsicResolver(ctx);
      const json = resolver.resolveString(r.Properties?.Items ?? '[]');
      try {
        const parsed = JSON.parse(json);
        if (Array.isArray(parsed)) items.push(...parsed as RegistryItem[]);
        else warnings.push(`${rid}: Items is not a JSON array; no items registered from it`);
      } catch (err) {
        warnings.push(`${rid}: Items is not JSON (${(err as Error).message}); no items registered from it`);
      }
      for (const why of resolver.unresolved.values()) warnings.push(`registry item value ${why}`);
    }
    const eventTopicArn = subscribedTopic(resources, handler, ctx);
    servers.push({ id: serverId, stackName, handler, sessionTable, registryTable, items, warnings, eventTopicArn });
  }
  return { servers, tables, functions };
}

/** Whether a resource is the handler function of an McpLambdaServer: it carries the construct's marker. */
function isServerHandler(res: CfnResource): boolean {
  return res.Type === 'AWS::Lambda::Function' && res.Metadata?.[SERVER_MARKER.key] === SERVER_MARKER.handler;
}

/** The topic of an `AWS::SNS::Subscription` (protocol lambda) that delivers to the function. */
function subscribedTopic(
  resources: Record<string, CfnResource>, fn: LocalFunction, ctx: ConstructorParameters<typeof IntrinsicResolver>[0],
): string | undefined {
  for (const res of Object.values(resources)) {
    if (res.Type !== 'AWS::SNS::Subscription' || res.Properties?.Protocol !== 'lambda') continue;
    const resolver = new IntrinsicResolver(ctx);
    if (resolver.resolveString(res.Properties?.Endpoint) !== fn.arn) continue;
    const topic = resolver.resolveString(res.Properties?.TopicArn);
    if (resolver.unresolved.size === 0) return topic;
  }
  return undefined;
}

/**
 * Whether a `Custom::McpRegistry` resource writes to this registry table: its `TableName`
 * names it, or else its service token is a function (the admin function) whose
 * `MCP_REGISTRY_TABLE` does.
 */
function writesTo(registry: CfnResource, tableId: string, resources: Record<string, CfnResource>): boolean {
  const table = registry.Properties?.TableName;
  if (table !== undefined) return table?.Ref === tableId;
  const token = registry.Properties?.ServiceToken?.['Fn::GetAtt'];
  const admin = Array.isArray(token) ? resources[token[0]] : undefined;
  return admin?.Properties?.Environment?.Variables?.[ENV.registryTable]?.Ref === tableId;
}

function localFunction(stack: AssemblyStack, id: string, res: CfnResource, values: LocalResourceValues, resolver: IntrinsicResolver): LocalFunction {
  const p = res.Properties ?? {};
  const environment: Record<string, string> = {};
  for (const [k, v] of Object.entries((p.Environment?.Variables ?? {}) as Record<string, unknown>)) environment[k] = resolver.resolveString(v);
  const runtime = typeof p.Runtime === 'string' ? p.Runtime : undefined;
  const handler = typeof p.Handler === 'string' ? p.Handler : undefined;
  const warnings: string[] = [];
  if (Array.isArray(p.Layers) && p.Layers.length > 0) warnings.push(`${p.Layers.length} layer(s) are not available locally`);
  if (p.VpcConfig) warnings.push('its VPC settings do not apply locally');

  let language: FunctionLanguage | undefined;
  let notRunnable: string | undefined;
  let codeDir: string | undefined;
  let inlineCode: string | undefined;
  const code = (p.Code ?? {}) as Record<string, unknown>;
  if (p.PackageType === 'Image' || code.ImageUri !== undefined) {
    notRunnable = 'a container image function (running it needs Docker)';
  } else if (!runtime) {
    notRunnable = 'it declares no Runtime';
  } else if (/^nodejs\d/.test(runtime)) {
    language = 'node';
  } else if (/^python3\.\d+$/.test(runtime)) {
    language = 'python';
  } else {
    notRunnable = `runtime ${runtime}: only Node.js and Python functions run locally`;
  }
  if (!notRunnable) {
    if (typeof code.ZipFile === 'string' || (code.ZipFile !== undefined && typeof code.ZipFile === 'object')) {
      inlineCode = resolver.resolveString(code.ZipFile);
    } else if (code.S3Key !== undefined) {
      const key = resolver.resolveString(code.S3Key);
      const staged = stack.assetsByObjectKey.get(key);
      const metaPath = res.Metadata?.['aws:asset:path'];
      if (staged && staged.packaging === 'zip') {
        codeDir = staged.path;
      } else if (staged) {
        notRunnable = `its code is a packaged file (${staged.path}), not a folder asset`;
      } else if (typeof metaPath === 'string') {
        codeDir = join(stack.assemblyDir, metaPath);
      } else {
        notRunnable = `its code (s3 key ${key}) is not an asset of this cloud assembly`;
      }
    } else {
      notRunnable = 'its code is neither a cdk.out asset nor inline';
    }
    if (!notRunnable && !handler) notRunnable = 'it declares no Handler';
  }
  for (const why of resolver.unresolved.values()) warnings.push(`environment value ${why}`);
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : d);
  return {
    stackName: stack.stackName,
    logicalId: id,
    constructPath: typeof res.Metadata?.['aws:cdk:path'] === 'string' ? res.Metadata['aws:cdk:path'] : undefined,
    functionName: values.ref!,
    arn: values.attributes!.Arn,
    runtime,
    handler,
    language: notRunnable ? undefined : language,
    codeDir,
    inlineCode,
    notRunnable,
    environment,
    memoryMb: num(p.MemorySize, 128),
    timeoutSeconds: num(p.Timeout, 3),
    warnings,
  };
}
