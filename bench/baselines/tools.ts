/** The three tools every benchmark target exposes (docs/performance.md): echo, add, and a 10 KB text. */
export const TEN_KB_TEXT = 'x'.repeat(10 * 1024);

export function echo(args: { message: string }) {
  return { content: [{ type: 'text' as const, text: args.message }] };
}

export function add(args: { a: number; b: number }) {
  return { content: [{ type: 'text' as const, text: String(args.a + args.b) }] };
}

export function text10k() {
  return { content: [{ type: 'text' as const, text: TEN_KB_TEXT }] };
}
