// A per-session counter: the tool contract's session state (docs/readme/session-state.md).
//
// The function reads the session's state from `event.context.sessionState` and asks
// the server to change it by returning `_sessionState` operations. `increment` is
// applied by the server atomically, so N concurrent calls in one session add exactly N,
// even on different Lambda execution environments. The function itself keeps nothing:
// deployed, it would be an ordinary Lambda function, in any language.
exports.handler = async (event) => {
  const state = event.context.sessionState;
  if (state === undefined) {
    // 2026-07-28 has no sessions. The spec's way to keep state across calls there is a
    // server-minted handle passed as an argument (2026-07-28 server/tools, "Stateful Tools").
    return {
      content: [{
        type: 'text',
        text: 'counter keeps its count in the MCP session, and this request has none (protocol 2026-07-28 is sessionless). '
          + 'Connect with a 2025-era protocol version, or use a tool that returns a handle to pass back.',
      }],
      isError: true,
    };
  }
  const name = event.arguments.name ?? 'counter';
  const by = event.arguments.by ?? 1;
  const seen = typeof state[name] === 'number' ? state[name] : 0;
  return {
    content: [{ type: 'text', text: `${name} was ${seen} when this call began; added ${by}` }],
    structuredContent: { name, seen, added: by },
    _sessionState: { increment: { [name]: by } },
  };
};
