/**
 * Reads a cloud assembly (`cdk synth`'s output folder, `cdk.out`): its
 * `manifest.json`, each stack's template, and the asset manifests that say which
 * local folder (`asset.<hash>`) holds the code a template's `Code.S3Key` names.
 *
 * Only files written by the CDK are read; nothing is deployed or downloaded. Nested
 * assemblies (stacks inside a `Stage`, in `assembly-<Stage>/`) are read as well.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { Default?: unknown }>;
}

/** A file asset staged in the assembly. */
export interface StagedAsset {
  /** Absolute path of the staged folder or file. */
  readonly path: string;
  /** `zip`: a folder that is zipped at publish; `file`: a file uploaded as it is. */
  readonly packaging: 'zip' | 'file' | string;
}

export interface AssemblyStack {
  /** The artifact id in the manifest (e.g. `McpExample`, or `Stage/Stack` for a nested one). */
  readonly artifactId: string;
  /** The CloudFormation stack name. */
  readonly stackName: string;
  /** The display name `cdk` shows (`Stage/Stack`). */
  readonly displayName: string;
  readonly region: string;
  readonly accountId: string;
  readonly template: CfnTemplate;
  /** Staged assets by the object key they are published under (`<hash>.zip`). */
  readonly assetsByObjectKey: ReadonlyMap<string, StagedAsset>;
  /** The assembly folder, for `aws:asset:path` metadata. */
  readonly assemblyDir: string;
}

export class CloudAssemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudAssemblyError';
  }
}

/** Region and account stand-ins for an environment-agnostic stack. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

/** Every stack of the assembly in `dir`, nested assemblies included, in manifest order. */
export function readCloudAssembly(dir: string): AssemblyStack[] {
  const root = resolve(dir);
  const manifestPath = join(root, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new CloudAssemblyError(`${manifestPath} does not exist: pass the folder \`cdk synth\` writes (cdk.out by default), and synthesize first`);
  }
  return readAssembly(root, '');
}

function readJson(path: string): any {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CloudAssemblyError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

function readAssembly(dir: string, prefix: string): AssemblyStack[] {
  const manifest = readJson(join(dir, 'manifest.json'));
  const artifacts = (manifest.artifacts ?? {}) as Record<string, any>;
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...readAssembly(join(dir, artifact.properties.directoryName), `${prefix}${artifact.properties.displayName ?? id}/`));
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const props = artifact.properties ?? {};
    const templatePath = join(dir, props.templateFile ?? `${id}.template.json`);
    const [accountId, region] = parseEnvironment(artifact.environment);
    stacks.push({
      artifactId: `${prefix}${id}`,
      stackName: props.stackName ?? id,
      displayName: artifact.displayName ?? `${prefix}${id}`,
      region,
      accountId,
      template: readJson(templatePath),
      assetsByObjectKey: readAssets(dir, artifacts, artifact.dependencies ?? []),
      assemblyDir: dir,
    });
  }
  return stacks;
}

/** `aws://ACCOUNT/REGION`; `unknown-account`/`unknown-region` for an agnostic stack. */
function parseEnvironment(env: unknown): [string, string] {
  const match = typeof env === 'string' ? /^aws:\/\/([^/]+)\/(.+)$/.exec(env) : null;
  const account = match && /^\d{12}$/.test(match[1]) ? match[1] : LOCAL_ACCOUNT;
  const region = match && /^[a-z]{2}(-[a-z]+)+-\d$/.test(match[2]) ? match[2] : LOCAL_REGION;
  return [account, region];
}

/** The staged file assets of a stack's asset manifest(s) (`cdk:asset-manifest` dependencies). */
function readAssets(dir: string, artifacts: Record<string, any>, dependencies: string[]): Map<string, StagedAsset> {
  const out = new Map<string, StagedAsset>();
  for (const dep of dependencies) {
    const artifact = artifacts[dep];
    if (artifact?.type !== 'cdk:asset-manifest') continue;
    const path = join(dir, artifact.properties?.file ?? `${dep}.json`);
    if (!existsSync(path)) continue;
    const manifest = readJson(path);
    for (const file of Object.values((manifest.files ?? {}) as Record<string, any>)) {
      const source = file.source ?? {};
      if (typeof source.path !== 'string') continue;
      const staged: StagedAsset = { path: resolve(dir, source.path), packaging: source.packaging ?? 'file' };
      for (const destination of Object.values((file.destinations ?? {}) as Record<string, any>)) {
        if (typeof destination.objectKey === 'string') out.set(destination.objectKey, staged);
      }
    }
  }
  return out;
}
