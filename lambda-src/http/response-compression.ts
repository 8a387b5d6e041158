/**
 * Compression of JSON responses the client accepts compressed (RFC 9110 §12.5.3
 * Accept-Encoding, §8.4 Content-Encoding, §12.5.5 Vary).
 *
 * - Only `application/json` bodies (and `+json` types): complete in memory already,
 *   so compressing them adds no latency to a first byte. Event streams are never
 *   compressed: a compressed stream is held back by compressor buffers and by
 *   intermediaries that buffer it whole, which defeats SSE.
 * - At or above `thresholdBytes` (1 KiB): below it the gzip header and the CPU cost
 *   more than they save. When the client refuses `identity` (`identity;q=0`, or
 *   `*;q=0` without an `identity` entry), even a small body is compressed if an
 *   accepted coding exists; if none exists it is sent uncompressed, which RFC 9110
 *   allows in place of a 415.
 * - Brotli over gzip at equal q: smaller at this quality, at similar speed.
 *   Brotli quality 5 and gzip level 6: a few ms for a megabyte of JSON.
 * - `Vary: Accept-Encoding` on every JSON response, compressed or not, so no cache
 *   serves a compressed body to a client that did not ask for one.
 *
 * Why it matters on Lambda: a buffered response (InvokeMode.BUFFERED, or a front door
 * that buffers) may be at most 6 MB, and a streamed one is throttled past its first
 * 6 MB; JSON typically compresses 5-10x, so compression lets far larger results
 * through, and sooner.
 */
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

export const COMPRESSION_THRESHOLD_BYTES = 1024;

export type ContentCoding = 'br' | 'gzip';

export interface EncodingChoice {
  /** The coding to use, or undefined for none. */
  readonly coding?: ContentCoding;
  /** Whether the client accepts an uncompressed body. */
  readonly identityAllowed: boolean;
}

/** Picks a coding from an Accept-Encoding header value (absent: no coding). */
export function chooseEncoding(acceptEncoding: string | null | undefined): EncodingChoice {
  if (!acceptEncoding || !acceptEncoding.trim()) return { identityAllowed: true };
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [token, ...params] = part.trim().split(';');
    const name = token.trim().toLowerCase();
    if (!name) continue;
    let weight = 1;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k.toLowerCase() === 'q') {
        const n = Number(v);
        weight = Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
      }
    }
    // x-gzip is gzip (RFC 9110 §8.4.1.3).
    const key = name === 'x-gzip' ? 'gzip' : name;
    q.set(key, Math.max(weight, q.get(key) ?? 0));
  }
  const star = q.get('*');
  const weightOf = (coding: string) => q.get(coding) ?? star ?? 0;
  const identityAllowed = (q.get('identity') ?? (star === 0 ? 0 : 1)) > 0;
  const br = weightOf('br');
  const gzip = weightOf('gzip');
  if (br <= 0 && gzip <= 0) return { identityAllowed };
  return { coding: br >= gzip ? 'br' : 'gzip', identityAllowed };
}

export function isCompressibleType(contentType: string | null): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

export function compress(bytes: Uint8Array, coding: ContentCoding): Uint8Array<ArrayBuffer> {
  return coding === 'br'
    ? new Uint8Array(brotliCompressSync(bytes, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 5,
        [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
      },
    }))
    : new Uint8Array(gzipSync(bytes, { level: 6 }));
}

/** Adds `token` to a Vary header value unless it is there (or `*` is). */
export function varyWith(existing: string | null, token: string): string {
  if (!existing) return token;
  const tokens = existing.split(',').map((t) => t.trim().toLowerCase());
  return tokens.includes(token.toLowerCase()) || tokens.includes('*') ? existing : `${existing}, ${token}`;
}

export interface CompressionOptions {
  /** @default 1024 */
  readonly thresholdBytes?: number;
}

/**
 * The response, compressed when its type, size and the request's Accept-Encoding call
 * for it; `Vary: Accept-Encoding` on every JSON response. Anything else is returned
 * as it is.
 */
export async function compressResponse(response: Response, acceptEncoding: string | null, options: CompressionOptions = {}): Promise<Response> {
  if (!response.body || !isCompressibleType(response.headers.get('content-type')) || response.headers.has('content-encoding')) {
    return response;
  }
  const vary = varyWith(response.headers.get('vary'), 'Accept-Encoding');
  const choice = chooseEncoding(acceptEncoding);
  if (choice.coding === undefined) {
    // Nothing to compress with: the body stays a stream, untouched (no copy).
    return withHeader(response, 'vary', vary);
  }
  const headers = new Headers(response.headers);
  headers.set('vary', vary);
  const bytes: Uint8Array<ArrayBuffer> = new Uint8Array(await response.arrayBuffer());
  const threshold = options.thresholdBytes ?? COMPRESSION_THRESHOLD_BYTES;
  let body = bytes;
  if (bytes.byteLength >= threshold || !choice.identityAllowed) {
    const compressed = compress(bytes, choice.coding);
    // Tiny bodies can grow; send the smaller one unless identity is refused.
    if (compressed.byteLength < bytes.byteLength || !choice.identityAllowed) {
      body = compressed;
      headers.set('content-encoding', choice.coding);
    }
  }
  headers.delete('content-length');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** The response with one header set: in place where its headers are mutable (ours are). */
function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value);
    return response;
  } catch {
    // Immutable headers (a fetch() response): copy around the same body stream.
    const headers = new Headers(response.headers);
    headers.set(name, value);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}
