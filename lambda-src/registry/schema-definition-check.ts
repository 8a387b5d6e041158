/**
 * Whether a registry item's JSON Schema is a valid schema of its dialect: checked at
 * registration (synth through assets/admin, the admin API, a local registry file),
 * never in the handler, which only validates instances against schemas that passed
 * this check (tools/json-schema-validators.ts).
 *
 * Ajv checks the schema against its dialect's meta-schema and refuses what it cannot
 * compile. Schemas default to draft 2020-12, the MCP default (2025-11-25, "JSON Schema
 * Usage"); a `$schema` naming draft-07 or 2019-09 selects that dialect.
 */
import Ajv from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import * as re2js from 're2js';
import { declaredDialect } from '../tools/json-schema-validators';
import { linearPatternProblem, useLinearEngine } from '../tools/linear-regexp';

// Registration runs outside the handler (synth, the admin function, the CLI), where
// loading the engine up front costs nothing that matters.
useLinearEngine(re2js);

/**
 * Undefined when `schema` is a valid JSON Schema, otherwise why not. A fresh Ajv per
 * check: registration checks few schemas, and two schemas with the same `$id` must
 * not collide in one instance.
 */
export function checkSchemaDefinition(schema: unknown): string | undefined {
  if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
    return 'a JSON Schema must be an object or a boolean';
  }
  const dialect = declaredDialect(schema);
  if (!dialect) {
    return `unsupported $schema ${JSON.stringify((schema as Record<string, unknown>).$schema)}; use draft 2020-12 (the MCP default), 2019-09 or draft-07`;
  }
  // strict: false: tool schemas legitimately carry annotations Ajv does not know
  // (`x-mcp-header`, vendor keywords).
  const options = { strict: false, validateFormats: true, validateSchema: true };
  const engine = dialect === '2020-12' ? new Ajv2020(options) : dialect === '2019-09' ? new Ajv2019(options) : new Ajv(options);
  addFormats(engine);
  try {
    engine.compile(schema);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return nonLinearPattern(schema, '');
}

/** Keywords whose value is a map from names (not schema keywords) to schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies']);
/** Keywords whose value is data, not schemas: a `pattern` in there is not one. */
const DATA = new Set(['const', 'enum', 'default', 'examples']);

/**
 * Why a `pattern` or `patternProperties` key of the schema cannot run on the handler's
 * linear-time engine (tools/linear-regexp.ts), naming it and where it is; undefined when
 * every one can. Every object outside data keywords is searched, vendor keywords too:
 * a `$ref` may point anywhere in the document.
 */
function nonLinearPattern(node: unknown, where: string): string | undefined {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) {
      const problem = nonLinearPattern(item, `${where}/${i}`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const schema = node as Record<string, unknown>;
  const patterns: Array<[string, string]> = [];
  if (typeof schema.pattern === 'string') patterns.push([schema.pattern, `${where}/pattern`]);
  if (typeof schema.patternProperties === 'object' && schema.patternProperties !== null) {
    for (const key of Object.keys(schema.patternProperties)) patterns.push([key, `${where}/patternProperties`]);
  }
  for (const [pattern, at] of patterns) {
    const problem = linearPatternProblem(pattern);
    if (problem) return `the pattern ${JSON.stringify(pattern)} at ${at || '/'} is not supported: ${problem}`;
  }
  for (const [key, value] of Object.entries(schema)) {
    if (DATA.has(key)) continue;
    const at = `${where}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (SCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [name, child] of Object.entries(value)) {
        const problem = nonLinearPattern(child, `${at}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        if (problem) return problem;
      }
    } else {
      const problem = nonLinearPattern(value, at);
      if (problem) return problem;
    }
  }
  return undefined;
}
