/**
 * The tool stream reader (lambda-src/tools/tool-stream.ts) on its own: the bound on
 * relayed messages, and the plain-result fallback at its edges. The wire (eventstream
 * framing, the real SDK client) is covered by lambda-invoker-streaming.test.ts.
 */
import { bufferedResult, MAX_NOTIFICATIONS, ToolStreamReader } from '../../lambda-src/tools/tool-stream';

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const bytes = (text: string) => new TextEncoder().encode(text);

test(`at most ${MAX_NOTIFICATIONS} progress and log messages are relayed per call; the result still arrives`, () => {
  let relayed = 0;
  const reader = new ToolStreamReader({ onProgress: () => relayed++, onLog: () => relayed++ });
  let text = '';
  for (let i = 1; i <= MAX_NOTIFICATIONS; i++) text += line({ type: 'progress', progress: i });
  text += line({ type: 'log', level: 'info', data: 'one too many' });
  text += line({ type: 'progress', progress: MAX_NOTIFICATIONS + 1 });
  text += line({ type: 'result', result: 'done' });
  expect(reader.push(bytes(text))).toEqual({ ok: true, payload: 'done' });
  expect(relayed).toBe(MAX_NOTIFICATIONS);
});

test('a smaller bound, counted across progress and logs', () => {
  const seen: string[] = [];
  const reader = new ToolStreamReader({ onProgress: () => seen.push('p'), onLog: () => seen.push('l') }, 1024, 2);
  reader.push(bytes(line({ type: 'log', level: 'info', data: 1 }) + line({ type: 'progress', progress: 1 }) + line({ type: 'progress', progress: 2 })));
  expect(seen).toEqual(['l', 'p']);
});

test('bufferedResult: JSON stays JSON (even one that looks like a line); lines are read for their result', () => {
  expect(bufferedResult('{"type":"result","result":1}')).toEqual({ ok: true, payload: { type: 'result', result: 1 } });
  expect(bufferedResult('')).toEqual({ ok: true, payload: null });
  expect(bufferedResult(line({ type: 'progress', progress: 1 }) + line({ type: 'result', result: [1] }))).toEqual({ ok: true, payload: [1] });
  expect(bufferedResult('not json\nat all')).toEqual({ ok: false, kind: 'malformed', message: expect.stringMatching(/not JSON/) });
});
