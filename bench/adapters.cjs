// One adapter per benchmark target: `call(spec)` sends one MCP request the way that
// target is reached in production and returns { status, headers, text }.
const path = require('node:path');

// In its own file so that ours.cjs, which adapters.cjs loads, needs no import back.
const { toFunctionUrlEvent } = require('./function-url-event.cjs');

const BUILD = path.join(__dirname, '.build');

function toRequest(spec) {
  return new Request('https://bench.lambda-url.us-east-1.on.aws/mcp', {
    method: 'POST',
    headers: spec.headers,
    body: JSON.stringify(spec.body),
  });
}

function lambdaContext(requestId, timeoutMs = 900_000) {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: requestId,
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
    memoryLimitInMB: '1024',
    logGroupName: '/aws/lambda/bench',
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done() {}, fail() {}, succeed() {},
  };
}

let seq = 0;

const adapters = {
  'sdk-v2': () => {
    const m = require(path.join(BUILD, 'sdk-v2.js'));
    return { async call(spec) { const r = await m.fetchHandler(toRequest(spec)); return { status: r.status, headers: r.headers, text: await r.text() }; } };
  },
  'sdk-v1': () => {
    const m = require(path.join(BUILD, 'sdk-v1.js'));
    return { async call(spec) { const r = await m.fetchHandler(toRequest(spec)); return { status: r.status, headers: r.headers, text: await r.text() }; } };
  },
  awslabs: () => {
    process.env.BENCH_AWSLABS_SERVER = path.join(BUILD, 'awslabs-stdio-server.js');
    const m = require(path.join(BUILD, 'awslabs.js'));
    return {
      async call(spec) {
        const id = `req-${++seq}`;
        const r = await m.lambdaHandler(toFunctionUrlEvent(spec, id), lambdaContext(id));
        return { status: r.statusCode, headers: new Headers(r.headers || {}), text: r.body || '' };
      },
    };
  },
};

function load(target) {
  const make = adapters[target] || require('./ours.cjs').adapters[target];
  if (!make) throw new Error(`unknown benchmark target '${target}'`);
  return make();
}

/** The JSON-RPC messages of a response, whether JSON or an SSE stream. */
function messages(text) {
  const t = text.trim();
  if (!t) return [];
  if (t.startsWith('{') || t.startsWith('[')) return [].concat(JSON.parse(t));
  return t.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).filter(Boolean).map((d) => JSON.parse(d));
}

module.exports = { load, messages, toFunctionUrlEvent, lambdaContext };
