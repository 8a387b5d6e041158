// The three benchmark tools as tool functions under our tool contract (docs/tools.md).
const TEN_KB_TEXT = 'x'.repeat(10 * 1024);
exports.echo = async (event) => ({ content: [{ type: 'text', text: event.arguments.message }] });
exports.add = async (event) => ({ content: [{ type: 'text', text: String(event.arguments.a + event.arguments.b) }] });
exports.text10k = async () => ({ content: [{ type: 'text', text: TEN_KB_TEXT }] });
