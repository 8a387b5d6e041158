/**
 * Compiled JSON Schema validators, shared by every request of an execution
 * environment. Compiling a schema costs far more than using it (DESIGN.md,
 * "Pitfalls": SDK v1 lost 70-170 µs a request to a new Ajv per server instance), so
 * each schema is compiled once and found again by object identity (the registry
 * snapshot's objects live until the next refresh) or, after a refresh, by its JSON.
 *
 * Schemas default to draft 2020-12, the MCP default (2025-11-25, "JSON Schema Usage");
 * a `$schema` naming draft-07 or 2019-09 selects that dialect.
 *
 * Registration (synth, the admin API, a local registry file) checks every schema
 * against its dialect's meta-schema (`checkSchemas`); the handler does not repeat it.
 * Compiling a meta-schema is most of Ajv's first compile (~40 ms of the handler's
 * first tools/call on Node 22, bench/ profiles in issue 7) and the schemas it serves
 * were checked when they were written.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export type SchemaCheck = { readonly ok: true } | { readonly ok: false; readonly errors: string[] };

type Compiled = { readonly validate: ValidateFunction } | { readonly error: string };

type Dialect = '2020-12' | '2019-09' | 'draft-07';

const DIALECTS: Record<string, Dialect> = {
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
  'https://json-schema.org/draft/2019-09/schema': '2019-09',
  'http://json-schema.org/draft-07/schema': 'draft-07',
  'https://json-schema.org/draft-07/schema': 'draft-07',
};

/** How many compiled schemas are kept by JSON key; the registry rarely holds more. */
const MAX_CACHED = 2000;

export interface JsonSchemaValidatorsOptions {
  /**
   * Check each schema against its dialect's meta-schema before compiling it.
   * @default false
   */
  readonly checkSchemas?: boolean;
}

export class JsonSchemaValidators {
  private readonly byObject = new WeakMap<object, Compiled>();
  private readonly byJson = new Map<string, Compiled>();
  private readonly engines = new Map<string, Ajv>();

  constructor(private readonly options: JsonSchemaValidatorsOptions = {}) {}

  /** Compiles (or finds) a schema; returns an error sentence when it does not compile. */
  compile(schema: unknown): { readonly validate: ValidateFunction } | { readonly error: string } {
    if (typeof schema === 'boolean') return this.compileJson(schema, JSON.stringify(schema));
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      return { error: 'a JSON Schema must be an object or a boolean' };
    }
    const known = this.byObject.get(schema);
    if (known) return known;
    const compiled = this.compileJson(schema, JSON.stringify(schema));
    this.byObject.set(schema, compiled);
    return compiled;
  }

  /**
   * Validates `data`; errors read like `arguments/count must be integer`, with
   * `label` naming the root (`arguments`, `structuredContent`).
   */
  validate(schema: unknown, data: unknown, label: string): SchemaCheck {
    const compiled = this.compile(schema);
    if ('error' in compiled) return { ok: false, errors: [`the schema does not compile: ${compiled.error}`] };
    if (compiled.validate(data)) return { ok: true };
    return { ok: false, errors: (compiled.validate.errors ?? []).slice(0, 10).map((e) => describe(e, label)) };
  }

  private compileJson(schema: object | boolean, key: string): Compiled {
    const cached = this.byJson.get(key);
    if (cached) return cached;
    let compiled: Compiled;
    try {
      const dialect = dialectOf(schema);
      compiled = dialect
        ? { validate: this.compileWith(dialect, schema, key.includes('"format"')) }
        : { error: `unsupported $schema ${JSON.stringify((schema as Record<string, unknown>).$schema)}; use draft 2020-12 (the MCP default), 2019-09 or draft-07` };
    } catch (err) {
      compiled = { error: err instanceof Error ? err.message : String(err) };
    }
    if (this.byJson.size >= MAX_CACHED) {
      const oldest = this.byJson.keys().next().value;
      if (oldest !== undefined) this.byJson.delete(oldest);
    }
    this.byJson.set(key, compiled);
    return compiled;
  }

  /**
   * `formats`: the schema may use `format` (its JSON has the word). ajv-formats' ~30
   * formats cost milliseconds to add to an engine, so only an engine that needs them
   * gets them; a schema without `format` validates the same either way.
   */
  private compileWith(dialect: Dialect, schema: object | boolean, formats: boolean): ValidateFunction {
    try {
      return this.engine(dialect, formats).compile(schema);
    } catch (err) {
      // Two different schemas with the same `$id` cannot live in one Ajv instance;
      // give the later one an instance of its own rather than refuse it.
      if (err instanceof Error && /already exists/.test(err.message)) return newEngine(dialect, this.checkSchemas, formats).compile(schema);
      throw err;
    }
  }

  private engine(dialect: Dialect, formats: boolean): Ajv {
    const key = `${dialect}${formats ? '+formats' : ''}`;
    let engine = this.engines.get(key);
    if (!engine) {
      engine = newEngine(dialect, this.checkSchemas, formats);
      this.engines.set(key, engine);
    }
    return engine;
  }

  private get checkSchemas(): boolean {
    return this.options.checkSchemas ?? false;
  }
}

/** The validators of this execution environment: schemas already checked at registration. */
export const sharedValidators = new JsonSchemaValidators();

/** The validators of registration, which check each schema against its meta-schema. */
export const registrationValidators = new JsonSchemaValidators({ checkSchemas: true });

function newEngine(dialect: Dialect, validateSchema: boolean, formats: boolean): Ajv {
  // strict: false: tool schemas legitimately carry annotations Ajv does not know
  // (`x-mcp-header`, vendor keywords). allErrors: a model corrects all its mistakes
  // at once when it is told all of them.
  const options = { strict: false, allErrors: true, validateFormats: true, validateSchema };
  const engine = dialect === '2020-12' ? new Ajv2020(options) : dialect === '2019-09' ? new Ajv2019(options) : new Ajv(options);
  if (formats) addFormats(engine);
  return engine;
}

/** The dialect a schema declares (2020-12 when it declares none), or undefined for one we do not support. */
function dialectOf(schema: object | boolean): Dialect | undefined {
  if (typeof schema === 'boolean') return '2020-12';
  const declared = (schema as Record<string, unknown>).$schema;
  if (declared === undefined) return '2020-12';
  if (typeof declared !== 'string') return undefined;
  return DIALECTS[declared.replace(/#$/, '')];
}

function describe(error: ErrorObject, label: string): string {
  const where = `${label}${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return `${where} must not have the property '${params.additionalProperty}'`;
  }
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return `${where} must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}
