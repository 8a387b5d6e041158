/**
 * The `Accept` rules of Streamable HTTP. Transports (2025-11-25 and 2026-07-28,
 * "Sending Messages"): a POST MUST list both `application/json` and
 * `text/event-stream`; a GET (2025 era, "Listening for Messages from the Server") MUST
 * list `text/event-stream`. A wildcard range that covers a type (`*\/*`, `text/*`)
 * counts as listing it: that is what the header means in HTTP (RFC 9110 section 12.5.1),
 * and a curl user sending `*\/*` should not be refused.
 */

function mediaRanges(accept: string | null): string[] {
  if (!accept) return [];
  return accept.split(',').map((range) => range.split(';')[0].trim().toLowerCase());
}

function covers(ranges: string[], type: string): boolean {
  const [major] = type.split('/');
  return ranges.some((range) => range === type || range === '*/*' || range === `${major}/*`);
}

/** Whether a POST's Accept lists both response types the server may choose between. */
export function acceptsJsonAndEventStream(accept: string | null): boolean {
  const ranges = mediaRanges(accept);
  return covers(ranges, 'application/json') && covers(ranges, 'text/event-stream');
}

/** Whether a GET's Accept lists `text/event-stream`. */
export function acceptsEventStream(accept: string | null): boolean {
  return covers(mediaRanges(accept), 'text/event-stream');
}
