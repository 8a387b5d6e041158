// Tool, resource-template and prompt functions for the official conformance suite
// (@modelcontextprotocol/conformance 0.1.16, server scenarios). Each mirrors what the
// suite's reference "everything server" returns, written against OUR tool contract:
// a Lambda-style async (event, context) function that gets { tool, arguments, context }.
const TEST_IMAGE_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const TEST_AUDIO_BASE64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';
const { elicit, form, inputRequired } = require('./input');

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

// Sampling and elicitation through the tool contract's request for input
// (docs/readme/tasks-and-input.md): the function RETURNS `resultType: 'input_required'`
// with the requests it needs, and is invoked again with `inputResponses`. 2025-era
// clients (these scenarios) get each request as sampling/createMessage or
// elicitation/create on the POST stream; 2026-07-28 clients retry the call.
const askOnce = (key, request, answer) => async (event) => {
  const response = event.inputResponses && event.inputResponses[key];
  if (!response) return inputRequired({ [key]: request(event) });
  return { content: [{ type: 'text', text: answer(response) }] };
};

exports.sampling = askOnce(
  'llm',
  (event) => ({
    method: 'sampling/createMessage',
    params: { messages: [{ role: 'user', content: { type: 'text', text: String(event.arguments.prompt) } }], maxTokens: 100 },
  }),
  (r) => `LLM response: ${r.content && r.content.type === 'text' ? r.content.text : JSON.stringify(r.content)}`,
);

exports.elicitation = askOnce(
  'user',
  (event) => ({
    method: 'elicitation/create',
    params: {
      message: String(event.arguments.message),
      requestedSchema: {
        type: 'object',
        properties: {
          username: { type: 'string', description: "User's response" },
          email: { type: 'string', description: "User's email address" },
        },
        required: ['username', 'email'],
      },
    },
  }),
  (r) => `User response: <action: ${r.action}, content: ${JSON.stringify(r.content ?? {})}>`,
);

exports.elicitationDefaults = askOnce(
  'defaults',
  () => ({
    method: 'elicitation/create',
    params: {
      message: 'Please review and update the form fields with defaults',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'User name', default: 'John Doe' },
          age: { type: 'integer', description: 'User age', default: 30 },
          score: { type: 'number', description: 'User score', default: 95.5 },
          status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
          verified: { type: 'boolean', description: 'Verification status', default: true },
        },
      },
    },
  }),
  (r) => `Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`,
);

exports.elicitationEnums = askOnce(
  'enums',
  () => ({
    method: 'elicitation/create',
    params: {
      message: 'Please select options from the enum fields',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
          titledSingle: {
            type: 'string',
            description: 'Select one option with titles',
            oneOf: [{ const: 'value1', title: 'First Option' }, { const: 'value2', title: 'Second Option' }, { const: 'value3', title: 'Third Option' }],
          },
          legacyEnum: {
            type: 'string',
            description: 'Select one option (legacy)',
            enum: ['opt1', 'opt2', 'opt3'],
            enumNames: ['Option One', 'Option Two', 'Option Three'],
          },
          untitledMulti: {
            type: 'array',
            description: 'Select multiple options',
            minItems: 1,
            maxItems: 3,
            items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
          },
          titledMulti: {
            type: 'array',
            description: 'Select multiple options with titles',
            minItems: 1,
            maxItems: 3,
            items: { anyOf: [{ const: 'value1', title: 'First Choice' }, { const: 'value2', title: 'Second Choice' }, { const: 'value3', title: 'Third Choice' }] },
          },
        },
        required: [],
      },
    },
  }),
  (r) => `Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`,
);

// 2026-07-28 (conformance `input-required-result-non-tool-request`): a prompt function
// asks for input like a tool, and answers the retry that carries the response.
exports.promptInputRequired = async (event) => {
  const answer = (event.inputResponses || {}).user_context;
  if (!answer) return inputRequired({ user_context: elicit('What context should the prompt use?', form({ context: 'string' })) });
  const context = answer.action === 'accept' && answer.content ? answer.content.context : '(none)';
  return { messages: [{ role: 'user', content: { type: 'text', text: `Use this context: ${context}` } }] };
};

// Tasks extension (conformance `tasks-required-task-error`): a tool that runs only as a task.
exports.failingJob = async () => ({ content: [{ type: 'text', text: 'the job failed' }], isError: true });

// Tasks extension (conformance `tasks-mrtr-input`): task tools that ask for input. The
// task waits in input_required until tasks/update answers every request.
exports.confirmDelete = async (event) => {
  const answer = (event.inputResponses || {}).confirm;
  if (!answer) return inputRequired({ confirm: elicit(`Delete ${event.arguments.filename}?`, form({ confirm: 'boolean' })) });
  const yes = answer.action === 'accept' && answer.content && answer.content.confirm === true;
  return { content: [{ type: 'text', text: yes ? `deleted ${event.arguments.filename}` : `kept ${event.arguments.filename}` }] };
};

exports.multiInput = async (event) => {
  const answers = event.inputResponses || {};
  if (!answers.first || !answers.second) {
    const ask = (message) => elicit(message, form({ value: 'string' }));
    return inputRequired({ first: ask('First value?'), second: ask('Second value?') });
  }
  const value = (a) => (a.action === 'accept' && a.content ? a.content.value : a.action);
  return { content: [{ type: 'text', text: `got ${value(answers.first)} and ${value(answers.second)}` }] };
};

// Tasks extension fixtures (conformance `tasks-*`): a synchronous tool and a slow one
// that may run as a task (sleeps `seconds`, at most 60).
exports.greet = async (event) => ({ content: [{ type: 'text', text: `Hello, ${event.arguments.name}!` }] });

exports.slowCompute = async (event) => {
  const seconds = Math.min(60, Math.max(0, Number(event.arguments.seconds) || 0));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return { content: [{ type: 'text', text: `computed after ${seconds} s` }] };
};

// Tasks extension (conformance `tasks-lifecycle`): a task tool whose run ends in a
// JSON-RPC error (the task fails with it), not a tool error (the task completes with
// an isError result).
exports.protocolErrorJob = async () => ({
  resultType: 'error',
  error: { code: -32603, message: 'the job crashed' },
});

// Tasks extension (conformance `tasks-mrtr-composition`): registered with
// `inputBeforeTask`, so it gathers the name synchronously (input_required on the
// tools/call itself), then asks for the task; the task's run gets the answer.
exports.toolWithTask = async (event) => {
  const answer = (event.inputResponses || {}).user_name;
  if (!answer) return inputRequired({ user_name: elicit('What is your name?', form({ name: 'string' })) });
  if (event.task && event.task.admission) return { resultType: 'task' };
  const name = answer.action === 'accept' && answer.content ? answer.content.name : '(no name)';
  return { content: [{ type: 'text', text: `Hello, ${name}! (task ${event.task ? event.task.taskId : 'none'})` }] };
};
