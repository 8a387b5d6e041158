// Building blocks for functions that ask the client for input (the tool contract's
// request for input, docs/input-and-tasks.md): the function RETURNS an `input_required`
// result and is invoked again with `inputResponses`. Shared by the conformance fixtures
// (fixtures.js) and the input tests' fixtures (test/s2c/fixtures/), so that each fixture
// says only what it asks and what it answers.
//
// `inputRequired` and `elicit` are `cdk-mcp-lambda-server/tool`'s helpers of the same
// names (lambda-src/tool/index.ts), written again in plain JavaScript because the dev
// server loads these modules as they are: the tool helper is TypeScript until it is bundled.

/** An `input_required` result; `requestState`, when given, comes back with the answers. */
exports.inputRequired = (inputRequests, requestState) =>
  requestState === undefined ? { resultType: 'input_required', inputRequests } : { resultType: 'input_required', inputRequests, requestState };

/** A form elicitation request (`elicitation/create`). */
exports.elicit = (message, requestedSchema) => ({ method: 'elicitation/create', params: { message, requestedSchema } });

/** A form whose fields, `{ name: 'type' }`, are all required. */
exports.form = (fields) => ({
  type: 'object',
  properties: Object.fromEntries(Object.entries(fields).map(([name, type]) => [name, { type }])),
  required: Object.keys(fields),
});
