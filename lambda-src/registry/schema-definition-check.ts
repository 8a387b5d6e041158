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
import { declaredDialect } from '../tools/json-schema-validators';

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
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
