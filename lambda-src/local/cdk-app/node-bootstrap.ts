/**
 * The program a Node.js function's local execution environment runs (`node -e`), the
 * counterpart of Lambda's Node.js runtime client: it loads the function's handler
 * (`Handler` `path/file.export`, the file `.js`, `.mjs` or `.cjs` under the code folder,
 * which is its cwd, as `/var/task` is in Lambda) once, then runs one invocation at a
 * time, with a Lambda-like context.
 *
 * Invocations arrive as JSON lines on fd 3 and results leave as JSON lines on fd 4,
 * so the function's own stdout and stderr stay its logs. It is a string, not a module,
 * because it runs in a separate process that must not load this package: the same
 * text works from the bundled CLI and from the TypeScript sources under jest.
 *
 * Messages in:  { id, event, requestId, deadline, functionName, functionArn, memoryMb, clientContext? }
 * Messages out: { id, type: 'result', payload } | { id, type: 'error', errorType, errorMessage }
 *               | { id, type: 'progress', progress, total?, message? } | { id, type: 'log', level, data, logger? }
 */
export const NODE_BOOTSTRAP = String.raw`
'use strict';
const net = require('node:net');
const path = require('node:path');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const readline = require('node:readline');

const out = new net.Socket({ fd: 4, readable: false, writable: true });
const send = (msg) => out.write(JSON.stringify(msg) + '\n');
const handlerSpec = process.env._HANDLER || '';
const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
let loaded;

async function loadHandler() {
  if (loaded) return loaded;
  // Lambda's rule: everything after the first '.' of the last path segment names the export.
  const slash = handlerSpec.lastIndexOf('/');
  const dot = handlerSpec.indexOf('.', slash + 1);
  if (dot === -1) throw Object.assign(new Error('Bad handler ' + handlerSpec + ': expected file.export'), { name: 'Runtime.MalformedHandlerName' });
  const base = path.resolve(root, handlerSpec.slice(0, dot));
  const exportPath = handlerSpec.slice(dot + 1).split('.');
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) throw Object.assign(new Error('Cannot find module ' + base + '.js (or .mjs, .cjs)'), { name: 'Runtime.ImportModuleError' });
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    err.name = 'Runtime.ImportModuleError: ' + (err.name || 'Error');
    throw err;
  }
  let fn = exportPath.reduce((o, k) => (o == null ? undefined : o[k]), mod);
  if (typeof fn !== 'function' && mod.default) fn = exportPath.reduce((o, k) => (o == null ? undefined : o[k]), mod.default);
  if (typeof fn !== 'function') throw Object.assign(new Error(file + ' has no exported function ' + exportPath.join('.')), { name: 'Runtime.HandlerNotFound' });
  loaded = fn;
  return fn;
}

function contextFor(msg) {
  return {
    awsRequestId: msg.requestId,
    functionName: msg.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: msg.functionArn,
    memoryLimitInMB: String(msg.memoryMb),
    logGroupName: '/aws/lambda/' + msg.functionName,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    clientContext: msg.clientContext,
    identity: undefined,
    getRemainingTimeInMillis: () => Math.max(0, msg.deadline - Date.now()),
    // Local extras, as the registry file's local handlers have them (tools/local-invoker.ts).
    sendProgress: (progress, total, message) => send({ id: msg.id, type: 'progress', progress, total, message }),
    sendLog: (level, data, logger) => send({ id: msg.id, type: 'log', level, data, logger }),
    done: () => undefined, succeed: () => undefined, fail: () => undefined,
  };
}

function errorMessage(id, err) {
  if (err instanceof Error) return { id, type: 'error', errorType: err.name || 'Error', errorMessage: err.message };
  return { id, type: 'error', errorType: 'Error', errorMessage: typeof err === 'string' ? err : JSON.stringify(err) };
}

async function invoke(msg) {
  try {
    const fn = await loadHandler();
    const context = contextFor(msg);
    const result = await new Promise((resolve, reject) => {
      // A callback-style handler (three parameters) answers through the callback.
      const callback = (err, value) => (err ? reject(err) : resolve(value));
      try {
        const returned = fn(msg.event, context, callback);
        if (fn.length < 3 || (returned && typeof returned.then === 'function')) Promise.resolve(returned).then(resolve, reject);
      } catch (err) {
        reject(err);
      }
    });
    let payload;
    try {
      payload = result === undefined ? 'null' : JSON.stringify(result);
    } catch (err) {
      send({ id: msg.id, type: 'error', errorType: 'Runtime.MarshalError', errorMessage: 'the result is not JSON: ' + err.message });
      return;
    }
    send({ id: msg.id, type: 'result', payload });
  } catch (err) {
    send(errorMessage(msg.id, err));
  }
}

process.on('uncaughtException', (err) => {
  process.stderr.write('Uncaught ' + (err && err.stack || err) + '\n');
  process.exit(129);
});
process.on('unhandledRejection', (err) => {
  process.stderr.write('Unhandled rejection ' + (err && err.stack || err) + '\n');
  process.exit(128);
});

const input = new net.Socket({ fd: 3, readable: true, writable: false });
input.on('end', () => process.exit(0));
let queue = Promise.resolve();
readline.createInterface({ input }).on('line', (line) => {
  const msg = JSON.parse(line);
  queue = queue.then(() => invoke(msg));
});
`;
