/**
 * What a registration must satisfy, at synth time (the construct calls this through
 * the bundled `assets/admin/index.js`), at deploy time (the custom resource) and in
 * the admin API: the registry's own rules (registry/registry-item-validation.ts, the
 * same code that checks a local registry file), plus the one field the registry does
 * not know yet, a tool's `contract`.
 */
import {
  validateRegistryItem as validateItem,
  validateRegistryItems as validateItems,
} from '../registry/registry-item-validation';
import { AGENTCORE_GATEWAY_CONTRACT } from '../tools/agentcore-gateway-contract';

/** How a tool function is called: the server's own contract, or AgentCore Gateway's Lambda target contract. */
export const TOOL_CONTRACTS = ['mcp', AGENTCORE_GATEWAY_CONTRACT] as const;

export interface RegistrationValidationOptions {
  /** Prefix naming where the items came from, e.g. `addTool` or `request body`. */
  readonly source?: string;
}

/** Every problem with one item (a registration never may name a local `handler`). */
export function validateRegistryItem(item: unknown, where = 'registry item'): string[] {
  return [...validateItem(item, { where }), ...contractProblems(item, where)];
}

/** Every problem with a list of items, duplicates included. */
export function validateRegistryItems(items: unknown, options: RegistrationValidationOptions = {}): string[] {
  const source = options.source ?? 'registry';
  const errors = validateItems(items, { source });
  if (Array.isArray(items)) {
    items.forEach((item, i) => errors.push(...contractProblems(item, `${source} item ${i + 1}`)));
  }
  return errors;
}

function contractProblems(item: unknown, where: string): string[] {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return [];
  const record = item as Record<string, unknown>;
  if (record.contract === undefined) return [];
  const label = `${where} (${String(record.type)} '${String(record.name ?? record.uri)}')`;
  if (record.type !== 'tool') return [`${label}: 'contract' applies to tools only; remove it`];
  if (!(TOOL_CONTRACTS as readonly unknown[]).includes(record.contract)) {
    return [`${label}: 'contract' must be one of ${TOOL_CONTRACTS.map((c) => `'${c}'`).join(', ')} (got ${JSON.stringify(record.contract)})`];
  }
  if (record.contract === AGENTCORE_GATEWAY_CONTRACT && record.lambdaArn === undefined) {
    return [`${label}: the '${AGENTCORE_GATEWAY_CONTRACT}' contract needs a 'lambdaArn'`];
  }
  return [];
}
