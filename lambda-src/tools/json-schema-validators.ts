/**
 * The handler's JSON Schema validators: tool arguments against `inputSchema`, and
 * `structuredContent` against `outputSchema` (2025-11-25, server/tools).
 *
 * @cfworker/json-schema (the validator the MCP SDK offers where code generation is
 * unwelcome) interprets a schema instead of compiling it to code. For the small schemas
 * of tools that costs a few microseconds per call more than Ajv's generated code, and
 * saves what a cold start pays for Ajv: ~160 KiB of bundle to compile, a meta-schema,
 * formats and code generation on the first call (10-20 ms in CPU profiles of the benchmark). Every
 * schema the handler serves was checked at registration (registry/schema-definition-check.ts,
 * with Ajv and the dialect's meta-schema), so the handler only validates instances.
 *
 * Each schema's validator is built once and found again by object identity (the
 * registry snapshot's objects live until the next refresh) or, after a refresh, by
 * its JSON. Schemas default to draft 2020-12, the MCP default (2025-11-25, "JSON Schema
 * Usage"); a `$schema` naming draft-07 or 2019-09 selects that dialect.
 *
 * Regular expressions (`pattern`, `patternProperties`) run on a linear-time engine,
 * never the JavaScript engine's backtracking one (linear-regexp.ts).
 */
import { format, type OutputUnit, Validator } from '@cfworker/json-schema';
import { loadLinearEngine, PatternWorkExceededError, UnsupportedPatternError, withLinearRegExp } from './linear-regexp';

export type SchemaCheck = { readonly ok: true } | { readonly ok: false; readonly errors: string[] };

/** A schema's validator: true when `data` is valid, otherwise the errors, described. */
export type InstanceValidator = (data: unknown, label: string) => SchemaCheck;

type Compiled = { readonly validate: InstanceValidator } | { readonly error: string };

/** The JSON Schema dialects MCP tools may declare. */
export type Dialect = '2020-12' | '2019-09' | 'draft-07';

const DIALECTS: Record<string, Dialect> = {
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
  'https://json-schema.org/draft/2019-09/schema': '2019-09',
  'http://json-schema.org/draft-07/schema': 'draft-07',
  'https://json-schema.org/draft-07/schema': 'draft-07',
};

/** @cfworker/json-schema's name of each dialect. */
const DRAFTS = { '2020-12': '2020-12', '2019-09': '2019-09', 'draft-07': '7' } as const;

/** How many validators are kept by JSON key; the registry rarely holds more. */
const MAX_CACHED = 2000;

/** At most this many errors are reported: enough for a model to correct its call. */
const MAX_ERRORS = 10;

export class JsonSchemaValidators {
  private readonly byObject = new WeakMap<object, Compiled>();
  private readonly byJson = new Map<string, Compiled>();
  private readonly needsEngine = new WeakMap<object, boolean>();

  /** Builds (or finds) a schema's validator; returns an error sentence when it cannot. */
  compile(schema: unknown): Compiled {
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
   * Loads what validating against these schemas needs and a cold start does without:
   * the linear-time regular expression engine, when one of them names a `pattern` or
   * `patternProperties` (or merely a string that says so: loading is harmless).
   * Awaited before validate() by every caller that may meet a pattern.
   */
  async prepare(...schemas: unknown[]): Promise<void> {
    for (const schema of schemas) {
      if (typeof schema !== 'object' || schema === null) continue;
      let needs = this.needsEngine.get(schema);
      if (needs === undefined) {
        needs = JSON.stringify(schema).includes('"pattern');
        this.needsEngine.set(schema, needs);
      }
      if (needs) {
        await loadLinearEngine();
        return;
      }
    }
  }

  /**
   * Validates `data`; errors read like `arguments/count must be integer`, with
   * `label` naming the root (`arguments`, `structuredContent`).
   */
  validate(schema: unknown, data: unknown, label: string): SchemaCheck {
    const compiled = this.compile(schema);
    if ('error' in compiled) return { ok: false, errors: [`the schema does not compile: ${compiled.error}`] };
    return compiled.validate(data, label);
  }

  private compileJson(schema: object | boolean, key: string): Compiled {
    const cached = this.byJson.get(key);
    if (cached) return cached;
    let compiled: Compiled;
    try {
      const dialect = declaredDialect(schema);
      compiled = dialect
        ? { validate: instanceValidator(key, DRAFTS[dialect]) }
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
}

/** The validators of this execution environment. */
export const sharedValidators = new JsonSchemaValidators();

/**
 * @cfworker/json-schema checks its `url` format (a web URL: http, https or ftp, with a
 * public host) with one regular expression that backtracks exponentially: `http://`
 * and 32 letters followed by a NUL took 17 s, freezing the process like a schema's own
 * pattern would. The same check, without the regular expression: the WHATWG URL
 * parser, then the host. Its other formats were fuzzed with pumped inputs and stay
 * linear (test/security/regex.test.ts).
 */
format.url = isWebUrl;

function isWebUrl(input: string): boolean {
  if (!/^(?:https?|ftp):\/\//i.test(input) || /\s/u.test(input)) return false;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return false;
  }
  const host = url.hostname;
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (ipv4) {
    const [a, b] = [Number(ipv4[1]), Number(ipv4[2])];
    // Public unicast only, as the regular expression had it.
    const reserved = a < 1 || a > 223 || a === 10 || a === 127
      || (a === 169 && b === 254) || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31);
    return !reserved;
  }
  // A name with a top-level domain of two letters or more (punycode counts).
  return /\.(?:[a-z]{2,}|xn--[a-z0-9-]+)$/i.test(host);
}

/** `json`: the schema's JSON (the cache key), parsed into a copy of its own. */
function instanceValidator(json: string, draft: (typeof DRAFTS)[Dialect]): InstanceValidator {
  // A fresh copy: the validator dereferences (and may annotate) the schema it is
  // given, and the registry snapshot's objects are shared with what tools/list sends.
  const own = JSON.parse(json) as object | boolean;
  // shortCircuit false: a model corrects all its mistakes at once when it is told all
  // of them.
  const validator = new Validator(own as never, draft, false);
  return (data, label) => {
    let result: ReturnType<Validator['validate']>;
    try {
      // `pattern` and `patternProperties` run on RE2, in time linear in the instance:
      // a backtracking engine lets one schema freeze the process (linear-regexp.ts).
      result = withLinearRegExp(() => validator.validate(data));
    } catch (err) {
      if (err instanceof UnsupportedPatternError || err instanceof PatternWorkExceededError) return { ok: false, errors: [err.message] };
      throw err;
    }
    if (result.valid) return { ok: true };
    return { ok: false, errors: describeErrors(result.errors, own, label) };
  };
}

/** The dialect a schema declares (2020-12 when it declares none), or undefined for one we do not support. */
export function declaredDialect(schema: object | boolean): Dialect | undefined {
  if (typeof schema === 'boolean') return '2020-12';
  const declared = (schema as Record<string, unknown>).$schema;
  if (declared === undefined) return '2020-12';
  if (typeof declared !== 'string') return undefined;
  return DIALECTS[declared.replace(/#$/, '')];
}

/**
 * Keywords whose errors only say that a subschema failed: the subschema's own errors
 * follow them and say why, so these are left out.
 */
const WRAPPERS = new Set([
  'properties', 'patternProperties', 'items', 'prefixItems', 'additionalItems', 'contains',
  '$ref', '$dynamicRef', '$recursiveRef', 'allOf', 'dependentSchemas', 'dependencies',
  'propertyNames', 'unevaluatedItems', 'if', 'then', 'else', 'not',
]);

/** Messages in the style of Ajv's (which registration uses), most useful first. */
function describeErrors(errors: readonly OutputUnit[], schema: object | boolean, label: string): string[] {
  const out: string[] = [];
  const refusedProperties = new Set<string>();
  for (const e of errors) {
    if (out.length >= MAX_ERRORS) break;
    if (WRAPPERS.has(e.keyword)) continue;
    const where = `${label}${e.instanceLocation.replace(/^#/, '')}`;
    if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
      const name = quoted(e.error);
      if (name !== undefined) {
        refusedProperties.add(`${where}/${escapePointer(name)}`);
        out.push(`${where} must not have the property '${name}'`);
        continue;
      }
    }
    // The `false` schema that refused an extra property was reported just above.
    if (e.keyword === 'false' && refusedProperties.has(where)) continue;
    out.push(`${where} ${message(e, schema)}`);
  }
  return out.length > 0 ? out : [`${label} is invalid`];
}

function message(e: OutputUnit, schema: object | boolean): string {
  const value = keywordValue(schema, e.keywordLocation);
  switch (e.keyword) {
    case 'type': return `must be ${Array.isArray(value) ? value.join(',') : String(value ?? expected(e.error))}`;
    case 'required': return `must have required property '${quoted(e.error) ?? '?'}'`;
    case 'enum': return Array.isArray(value) ? `must be one of ${value.map((v) => JSON.stringify(v)).join(', ')}` : 'must be one of the allowed values';
    case 'const': return `must be equal to ${JSON.stringify(value)}`;
    case 'format': return `must match format "${quoted(e.error) ?? String(value)}"`;
    case 'pattern': return `must match pattern "${String(value)}"`;
    case 'minimum': return `must be >= ${String(value)}`;
    case 'maximum': return `must be <= ${String(value)}`;
    case 'exclusiveMinimum': return `must be > ${String(value)}`;
    case 'exclusiveMaximum': return `must be < ${String(value)}`;
    case 'multipleOf': return `must be multiple of ${String(value)}`;
    case 'minLength': return `must NOT have fewer than ${String(value)} characters`;
    case 'maxLength': return `must NOT have more than ${String(value)} characters`;
    case 'minItems': return `must NOT have fewer than ${String(value)} items`;
    case 'maxItems': return `must NOT have more than ${String(value)} items`;
    case 'uniqueItems': return 'must NOT have duplicate items';
    case 'minProperties': return `must NOT have fewer than ${String(value)} properties`;
    case 'maxProperties': return `must NOT have more than ${String(value)} properties`;
    case 'anyOf': return 'must match a schema in anyOf';
    case 'oneOf': return 'must match exactly one schema in oneOf';
    case 'false': return 'is not allowed here (the schema is false)';
    default: return lowerFirst(e.error.replace(/\.$/, ''));
  }
}

/** The value at a keyword location (`#/properties/a/type`), when it is in `schema` itself. */
function keywordValue(schema: object | boolean, location: string): unknown {
  let node: unknown = schema;
  for (const raw of location.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !(token in node)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

/** The first double-quoted name in one of the validator's messages. */
function quoted(text: string): string | undefined {
  return /"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
}

/** The types after `Expected` in a type error. */
function expected(text: string): string {
  return /Expected (.*?)\.?$/.exec(text)?.[1]?.replace(/"/g, '') ?? 'of another type';
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
