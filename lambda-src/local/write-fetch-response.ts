/** A fetch `Response` onto a `node:http` response, streamed as it is produced. */
import type { ServerResponse } from 'node:http';

/**
 * Writes `response` to `res`: status and headers at once (an SSE client must see its
 * stream open before the first event), then each chunk as it arrives, so events reach
 * the client as they are written. When the client leaves, the body is cancelled, so
 * whatever produces it (an upstream stream, a handler's SSE stream) stops too. Headers
 * named in `omitHeaders` (lower-case) are not passed on.
 */
export async function writeFetchResponse(response: Response, res: ServerResponse, omitHeaders: ReadonlySet<string> = new Set()): Promise<void> {
  // A flat list keeps repeated headers (several Set-Cookie) apart.
  const headers: string[] = [];
  for (const [key, value] of response.headers) {
    if (!omitHeaders.has(key) && key !== 'set-cookie') headers.push(key, value);
  }
  for (const cookie of response.headers.getSetCookie()) {
    if (!omitHeaders.has('set-cookie')) headers.push('set-cookie', cookie);
  }
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  // A client that left before this point has already had its 'close'.
  if (res.destroyed) {
    cancel();
    return;
  }
  res.on('close', cancel);
  res.flushHeaders();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // Read no further ahead than the client takes.
      if (!res.write(value) && !res.destroyed) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    }
  } catch {
    // the body ended early: the upstream stream was cut, or the client left
  }
  res.end();
}
