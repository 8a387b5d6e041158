// A tool function, written exactly as a Lambda function would be: it receives
// { tool, arguments, context } and returns a CallToolResult.
exports.handler = async (event) => {
  return {
    content: [{ type: 'text', text: String(event.arguments.message) }],
  };
};
