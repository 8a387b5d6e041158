/**
 * The `Accept` rules of Streamable HTTP. Transports (2025-11-25 and 2026-07-28,
 * "Sending Messages"): a POST MUST list both `application/json` and
 * `text/event-stream`; a GET (2025 era, "Listening for Messages from the Server") MUST
 * list `text/event-stream`. A wildcard range that covers a type (`*\/*`, `text/*`)
 * counts as listing it: that is what the header means in HTTP (RFC 9110 section 12.5.1),
 * and a curl user sending `*\/*` should not be refused.
 */

interface MediaRange {
  readonly range: string;
  /** RFC 9110 section 12.4.2: 0 means "not acceptable". */
  readonly q: number;
}

function mediaRanges(accept: string | null): MediaRange[] {
  if (!accept) return [];
  return accept.split(',').map((part) => {
    const [range, ...parameters] = part.split(';');
    let q = 1;
    for (const parameter of parameters) {
      const [name, value] = parameter.split('=').map((x) => x.trim().toLowerCase());
      // An unreadable weight is ignored (the range counts, as without one).
      if (name === 'q' && value !== undefined && /^[01](\.\d{0,3})?$/.test(value)) q = Number(value);
    }
    return { range: range.trim().toLowerCase(), q };
  });
}

/**
 * Whether `type` is acceptable: the most specific range that covers it decides (RFC
 * 9110 section 12.5.1: `text/event-stream;q=0` excludes the type even beside a `*\/*`),
 * and a weight of 0 means not acceptable.
 */
function covers(ranges: MediaRange[], type: string): boolean {
  const [major] = type.split('/');
  for (const candidate of [type, `${major}/*`, '*/*']) {
    const matching = ranges.filter((r) => r.range === candidate);
    if (matching.length > 0) return matching.some((r) => r.q > 0);
  }
  return false;
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
