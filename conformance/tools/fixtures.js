// Tool, resource-template and prompt functions for the official conformance suite
// (@modelcontextprotocol/conformance 0.1.16, server scenarios). Each mirrors what the
// suite's reference "everything server" returns, written against OUR tool contract:
// a Lambda-style async (event, context) function that gets { tool, arguments, context }.
const TEST_IMAGE_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const TEST_AUDIO_BASE64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

exports.simpleText = async () => ({
  content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
});

exports.imageContent = async () => ({
  content: [{ type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' }],
});

exports.audioContent = async () => ({
  content: [{ type: 'audio', data: TEST_AUDIO_BASE64, mimeType: 'audio/wav' }],
});

exports.embeddedResource = async () => ({
  content: [{
    type: 'resource',
    resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' },
  }],
});

exports.multipleContentTypes = async () => ({
  content: [
    { type: 'text', text: 'Multiple content types test:' },
    { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
    {
      type: 'resource',
      resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) },
    },
  ],
});

// Progress goes through the local handler context's sendProgress (tools/local-invoker.ts).
exports.withProgress = async (event, context) => {
  const token = event.context && event.context.progressToken;
  context.sendProgress(0, 100, 'Completed step 0 of 100');
  await sleep(50);
  context.sendProgress(50, 100, 'Completed step 50 of 100');
  await sleep(50);
  context.sendProgress(100, 100, 'Completed step 100 of 100');
  return { content: [{ type: 'text', text: String(token ?? 0) }] };
};

// Log notifications from a tool function: through sendLog when the local handler
// context offers it; without it the scenario fails and is listed in expected-failures.
exports.withLogging = async (event, context) => {
  const log = typeof context.sendLog === 'function' ? context.sendLog : () => undefined;
  log('info', 'Tool execution started');
  await sleep(50);
  log('info', 'Tool processing data');
  await sleep(50);
  log('info', 'Tool execution completed');
  return { content: [{ type: 'text', text: 'Tool with logging executed successfully' }] };
};

exports.errorHandling = async () => {
  throw new Error('This tool intentionally returns an error for testing');
};

exports.jsonSchema202012 = async (event) => ({
  content: [{ type: 'text', text: `JSON Schema 2020-12 tool called with: ${JSON.stringify(event.arguments)}` }],
});

exports.templateResource = async (event) => {
  const id = event.variables.id;
  return {
    contents: [{
      uri: event.uri,
      mimeType: 'application/json',
      text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
    }],
  };
};

// Placeholders are filled in text blocks only, so the embedded resource's URI needs a function.
exports.promptWithEmbeddedResource = async (event) => ({
  messages: [
    {
      role: 'user',
      content: {
        type: 'resource',
        resource: { uri: event.arguments.resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
      },
    },
    { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
  ],
});
