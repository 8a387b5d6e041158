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
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    if (!omitHeaders.has(key)) headers[key] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  res.on('close', () => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
  } catch {
    // the body ended early: the upstream stream was cut, or the client left
  }
  res.end();
}
