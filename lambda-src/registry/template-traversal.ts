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
