/**
 * Item versions on the wire: the admin API's optimistic concurrency rides on HTTP
 * conditional requests (RFC 9110, section 13.1.1, If-Match). An item's ETag is its
 * version as a strong entity tag (`"3"`); a PUT or DELETE names the version it read in
 * `If-Match`.
 */

export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version an If-Match header names: a number for `"3"` (or a bare `3`, as curl
 * users type it), `'*'` for "any current version", or an error sentence. A weak tag
 * (`W/"3"`) is refused: If-Match uses the strong comparison (RFC 9110, 13.1.1).
 */
export function parseIfMatch(header: string): number | '*' | { readonly error: string } {
  const value = header.trim();
  if (value === '*') return '*';
  const m = /^(?:"(\d{1,15})"|(\d{1,15}))$/.exec(value);
  if (!m) {
    return { error: `If-Match ${JSON.stringify(header)} is not an item version: send the ETag you read, e.g. If-Match: "3"` };
  }
  const version = Number(m[1] ?? m[2]);
  if (version < 1) return { error: 'If-Match must name a version of 1 or more; versions start at 1' };
  return version;
}
