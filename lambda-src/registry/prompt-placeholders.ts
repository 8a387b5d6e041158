/**
 * `{{argName}}` placeholders in the text of a static prompt message (ARCHITECTURE.md,
 * "The contracts"). Shared by prompts/get and by item validation, which checks
 * that every placeholder names a declared argument.
 */
export const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** The argument names a text refers to. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/** The text with each placeholder replaced by its argument's value ('' when absent). */
export function fillPlaceholders(text: string, args: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_whole, name: string) => args[name] ?? '');
}
