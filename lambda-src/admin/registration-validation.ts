/**
 * What a registration must satisfy, at synth time (the construct calls this through
 * the bundled `assets/admin/index.js`), at deploy time (the custom resource) and in
 * the admin API: exactly the registry's own rules (registry/registry-item-validation.ts,
 * the same code that checks a local registry file). Registrations may never name a
 * local `handler`, which is the validation's default.
 */
import {
  validateRegistryItem as validateItem,
  validateRegistryItems as validateItems,
} from '../registry/registry-item-validation';

export interface RegistrationValidationOptions {
  /** Prefix naming where the items came from, e.g. `addTool` or `request body`. */
  readonly source?: string;
}

/** Every problem with one item. */
export function validateRegistryItem(item: unknown, where = 'registry item'): string[] {
  return validateItem(item, { where });
}

/** Every problem with a list of items, duplicates included. */
export function validateRegistryItems(items: unknown, options: RegistrationValidationOptions = {}): string[] {
  return validateItems(items, { source: options.source ?? 'registry' });
}
