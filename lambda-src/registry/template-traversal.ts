/**
 * Whether the variables a resource template matched could lead its function outside
 * what the template names. A template's variables are handed to the function as
 * matched, percent-encoded (RFC 6570 section 3.2.2: simple expansion encodes every
 * reserved character), so a function decodes them once; `file:///docs/{name}` read
 * with `file:///docs/..%2fsecrets` would otherwise give it `../secrets` (found by
 * test/reliability/schema-escape.test.ts). Such a URI matches no template: the read
 * is "resource not found", and the function never runs.
 */

/** A `.` or `..` path segment, with either separator. */
const DOT_SEGMENT = /(^|[/\\])\.{1,2}([/\\]|$)/;
const SEPARATORS = /[/\\]/g;

export function climbsOutOfTemplate(variables: Record<string, string | string[]>): boolean {
  for (const value of Object.values(variables).flat()) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      return true; // malformed percent-encoding: no function can read it safely
    }
    if (DOT_SEGMENT.test(decoded)) return true;
    // A separator that arrived encoded (%2F, %5C) would be one the template did not place.
    if ((decoded.match(SEPARATORS)?.length ?? 0) > (value.match(SEPARATORS)?.length ?? 0)) return true;
    if (value.includes('\\')) return true;
  }
  return false;
}

/** C0 controls, DEL and C1 controls: no name, path or id a user means holds one. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * The first template variable whose value, as matched or once percent-decoded, holds a
 * control character (`%00`, `%0d%0a`, a raw tab): its name and the character, or
 * undefined. Such a read is refused with -32602 before the function runs: a function
 * that decodes its variables would otherwise get a NUL or a line break that no client
 * UI shows and many back ends treat specially (C strings, headers, log lines).
 */
export function controlCharacterIn(variables: Record<string, string | string[]>): { name: string; codePoint: string } | undefined {
  for (const [name, raw] of Object.entries(variables)) {
    for (const value of [raw].flat()) {
      let decoded = value;
      try {
        decoded = decodeURIComponent(value);
      } catch {
        // Malformed encoding is climbsOutOfTemplate's to refuse; the raw value is checked.
      }
      const found = CONTROL.exec(value) ?? CONTROL.exec(decoded);
      if (found) return { name, codePoint: `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` };
    }
  }
  return undefined;
}
