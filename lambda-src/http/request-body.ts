/**
 * A request's body as bytes already in memory, kept beside its `Request`.
 *
 * A Function URL event carries the whole body, so the entry (function-url-event.ts)
 * keeps those bytes here when it builds the Request. The http app's body limit and
 * request facts and the protocol endpoint's JSON parse then read them here, decoded and
 * parsed once, instead of draining the Request's body stream, building a new Request
 * around the bytes and reading that again: a stream read and a Request construction
 * cost more than ten microseconds each, per request (CPU profiles of the benchmark). The Request's
 * own body stays unread, so whatever reads it still gets the same bytes. A Request
 * built elsewhere (the origin verifier's copy, a test's) has nothing kept, and its
 * body is read as a stream, as before.
 */
const kept = new WeakMap<Request, RequestBody>();

export class RequestBody {
  private decoded?: string;
  private parsed?: { readonly value: unknown } | { readonly error: unknown };

  constructor(readonly bytes: Uint8Array) {}

  /** The body as UTF-8 text, as `Request.text()` decodes it (invalid bytes become U+FFFD). */
  text(): string {
    this.decoded ??= new TextDecoder().decode(this.bytes);
    return this.decoded;
  }

  /**
   * `JSON.parse(this.text())`, parsed once: every reader gets the same value, and the
   * same SyntaxError for a body that is not JSON. Readers must not change the value.
   */
  json(): unknown {
    if (this.parsed === undefined) {
      try {
        this.parsed = { value: JSON.parse(this.text()) };
      } catch (error) {
        this.parsed = { error };
      }
    }
    if ('error' in this.parsed) throw this.parsed.error;
    return this.parsed.value;
  }
}

/** Keeps `bytes` as the body of `request`; the caller built the Request with the same bytes. */
export function keepBody(request: Request, bytes: Uint8Array): RequestBody {
  const body = new RequestBody(bytes);
  kept.set(request, body);
  return body;
}

/** The body kept for `request`, if any. */
export function keptBody(request: Request): RequestBody | undefined {
  return kept.get(request);
}
