/**
 * A 2025-era session driven by hand (fetch), for the tests that look at SSE ids and
 * `Last-Event-ID`, which the SDK clients keep to themselves.
 */
export interface SseFrame {
  readonly id?: string;
  readonly data: string;
  readonly retry?: number;
  /** The parsed JSON-RPC message, when `data` is one. */
  readonly message?: { method?: string; params?: Record<string, unknown> };
}

const PROTOCOL_VERSION = '2025-11-25';

export async function openSession(url: string): Promise<string> {
  const headers = { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' };
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  const sessionId = res.headers.get('mcp-session-id');
  await res.text();
  if (!sessionId) throw new Error(`initialize failed: ${res.status}`);
  const done = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL_VERSION },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await done.text();
  return sessionId;
}

export async function sessionRequest(url: string, sessionId: string, method: string, params: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'accept': 'application/json, text/event-stream',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': PROTOCOL_VERSION,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: Math.floor(Math.random() * 1e9), method, params }),
  });
  return res.json();
}

/** An open GET stream, read frame by frame. */
export class SseStream {
  static async open(url: string, sessionId: string, lastEventId?: string): Promise<SseStream> {
    const stream = new SseStream();
    const res = await fetch(url, {
      method: 'GET',
      headers: {
        'accept': 'text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': PROTOCOL_VERSION,
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
      signal: stream.abort.signal,
    });
    if (res.status !== 200 || !res.body) throw new Error(`GET stream answered ${res.status}: ${await res.text()}`);
    void stream.pump(res.body);
    return stream;
  }

  readonly frames: SseFrame[] = [];
  private buffer = '';
  private waiters: Array<() => void> = [];
  ended = false;
  private readonly abort = new AbortController();

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        this.buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          const raw = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          const frame = parseFrame(raw);
          if (frame) this.frames.push(frame);
        }
        this.wake();
      }
    } catch {
      // aborted
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until `predicate` holds for the frames so far (or the stream ends). */
  async until(predicate: (frames: SseFrame[]) => boolean): Promise<SseFrame[]> {
    while (!predicate(this.frames)) {
      if (this.ended) throw new Error(`stream ended; frames: ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.frames;
  }

  /** Notifications received (frames with a JSON-RPC message). */
  messages(): Array<{ id?: string; method?: string; params?: Record<string, unknown> }> {
    return this.frames.filter((f) => f.message).map((f) => ({ id: f.id, ...f.message! }));
  }

  close(): void {
    this.abort.abort();
  }
}

function parseFrame(raw: string): SseFrame | undefined {
  let id: string | undefined;
  let retry: number | undefined;
  const data: string[] = [];
  let any = false;
  for (const line of raw.split('\n')) {
    if (line.startsWith(':')) continue;
    any = true;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry') retry = Number(value);
  }
  if (!any) return undefined;
  const text = data.join('\n');
  let message: SseFrame['message'];
  try {
    message = text ? JSON.parse(text) : undefined;
  } catch {
    message = undefined;
  }
  return { id, data: text, retry, message };
}
