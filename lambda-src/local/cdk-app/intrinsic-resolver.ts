/**
 * Resolves the CloudFormation intrinsic functions a synthesized template holds
 * (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, pseudo
 * parameters) to the values they take in the local run: a table's `Ref` is its local
 * table name, a function's `Fn::GetAtt [fn, Arn]` its local ARN.
 *
 * What cannot have a local value (an imported value, an attribute of a resource that
 * does not run locally) becomes a readable placeholder, `local-unresolved:<what>`,
 * and is reported once, so the developer sees which setting will not work locally
 * instead of a crash.
 */

/** What a resource answers to `Ref` and to `Fn::GetAtt` locally. */
export interface LocalResourceValues {
  readonly ref?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface ResolverContext {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly resources: ReadonlyMap<string, LocalResourceValues>;
  /** Template parameters with a local value (their `Default`). */
  readonly parameters?: ReadonlyMap<string, string>;
}

export const UNRESOLVED_PREFIX = 'local-unresolved:';

export class IntrinsicResolver {
  /** The placeholders handed out, each with why. */
  readonly unresolved = new Map<string, string>();

  constructor(private readonly ctx: ResolverContext) {}

  /** Resolves a template value (any JSON) to plain JSON without intrinsics. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return this.intrinsic(keys[0], obj[keys[0]]);
    return Object.fromEntries(keys.map((k) => [k, this.resolve(obj[k])]));
  }

  /** Resolves to a string (numbers and booleans as CloudFormation would pass them). */
  resolveString(value: unknown): string {
    const resolved = this.resolve(value);
    return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
  }

  private intrinsic(name: string, arg: unknown): unknown {
    switch (name) {
      case 'Ref':
        return this.ref(String(arg));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.*)/s);
        return this.getAtt(logicalId, attribute);
      }
      case 'Fn::Join': {
        const [delimiter, list] = arg as [string, unknown[]];
        const items = this.resolve(list);
        return Array.isArray(items) ? items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join(delimiter) : this.placeholder('Fn::Join', 'its list is not a list');
      }
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const items = this.resolve(list);
        const i = Number(this.resolve(index));
        return Array.isArray(items) && i >= 0 && i < items.length ? items[i] : this.placeholder('Fn::Select', 'index out of range');
      }
      case 'Fn::Split': {
        const [delimiter, source] = arg as [string, unknown];
        return this.resolveString(source).split(delimiter);
      }
      case 'Fn::Base64':
        return Buffer.from(this.resolveString(arg)).toString('base64');
      case 'Fn::If': {
        // Conditions are not evaluated locally: the "true" branch is the usual case.
        const [, whenTrue] = arg as [string, unknown, unknown];
        return this.resolve(whenTrue);
      }
      case 'Fn::ImportValue':
        return this.placeholder(`Fn::ImportValue ${this.resolveString(arg)}`, 'values exported by other stacks are not available locally');
      default:
        return this.placeholder(name, 'this intrinsic function is not evaluated locally');
    }
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::Region': return this.ctx.region;
      case 'AWS::AccountId': return this.ctx.accountId;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.ctx.stackName;
      case 'AWS::StackId': return `arn:aws:cloudformation:${this.ctx.region}:${this.ctx.accountId}:stack/${this.ctx.stackName}/local`;
      case 'AWS::NoValue': return '';
      default:
    }
    const parameter = this.ctx.parameters?.get(name);
    if (parameter !== undefined) return parameter;
    const ref = this.ctx.resources.get(name)?.ref;
    return ref ?? this.placeholder(`Ref ${name}`, 'this resource does not run locally');
  }

  private getAtt(logicalId: string, attribute: string): string {
    const value = this.ctx.resources.get(logicalId)?.attributes?.[attribute];
    return value ?? this.placeholder(`${logicalId}.${attribute}`, 'this resource attribute has no local value');
  }

  private sub(arg: unknown): string {
    const [template, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
    return template.replace(/\$\{([^}!][^}]*)\}/g, (_, expr: string) => {
      if (vars && expr in vars) return this.resolveString(vars[expr]);
      const dot = expr.indexOf('.');
      return dot === -1 || expr.startsWith('AWS::') ? this.ref(expr) : this.getAtt(expr.slice(0, dot), expr.slice(dot + 1));
    }).replace(/\$\{!/g, '${');
  }

  private placeholder(what: string, why: string): string {
    const value = `${UNRESOLVED_PREFIX}${what.replace(/[^\w:.\- ]/g, '_').replace(/ /g, '_')}`;
    if (!this.unresolved.has(value)) this.unresolved.set(value, `${what}: ${why}`);
    return value;
  }
}
