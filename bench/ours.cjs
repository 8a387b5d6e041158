// Adapters for our handler: the deployed asset (assets/handler/index.mjs, loaded as
// Lambda loads it, by import()), called with Function URL events through its Lambda
// entry with the awslambda stand-in, tools in-process, and either in-memory stores or
// DynamoDB Local (with every DynamoDB request and its bytes counted by AWS SDK middleware).
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const ASSET = path.join(__dirname, '..', 'assets', 'handler', 'index.mjs');
const { toFunctionUrlEvent } = require('./function-url-event.cjs');

const REGISTRY = [
  { type: 'tool', name: 'echo', description: 'Echo a message', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] }, handler: './ours-tools.cjs#echo' },
  { type: 'tool', name: 'add', description: 'Add two numbers', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] }, handler: './ours-tools.cjs#add' },
  { type: 'tool', name: 'text10k', description: 'A 10 KB text', inputSchema: { type: 'object' }, handler: './ours-tools.cjs#text10k' },
];

const CONFIG = {
  sessionTable: 'bench-sessions',
  registryTable: 'bench-registry',
  serverName: 'bench-ours',
  serverVersion: '1.0.0',
  sessionTtlSeconds: 3600,
  registryCacheSeconds: 30,
  authMode: 'iam',
  allowedOrigins: [],
  maxBodyBytes: 4 * 1024 * 1024,
  toolTimeoutSeconds: 60,
};

/** Counts DynamoDB requests by operation, and bytes sent and received. */
function countingMiddleware(counts) {
  return (next, context) => async (args) => {
    const op = context.commandName.replace(/Command$/, '');
    const c = (counts[op] ??= { requests: 0, bytesOut: 0, bytesIn: 0 });
    c.requests++;
    const body = args.request && args.request.body;
    if (body !== undefined && body !== null) c.bytesOut += typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength ?? 0;
    const result = await next(args);
    const len = result.response && result.response.headers && result.response.headers['content-length'];
    if (len) c.bytesIn += Number(len);
    return result;
  };
}

function makeAdapter(mode) {
  // The injected parts first: their awslambda stand-in is the global the asset finds.
  const ours = require(path.join(__dirname, '.build', mode === 'memory' ? 'ours-parts-memory.js' : 'ours-parts-dynamodb.js'));
  const asset = import(pathToFileURL(ASSET).href);
  let seq = 0;
  const counts = {};
  let dynamo;
  const stores = (async () => {
    if (mode === 'memory') {
      return { sessions: new ours.MemorySessionStore(), registryStore: new ours.MemoryRegistryStore() };
    }
    dynamo = await ours.startDynamoDbLocal({ resolveFrom: path.join(__dirname, '..') });
    const raw = new ours.DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ours.createTables(raw, { sessionTable: CONFIG.sessionTable, registryTable: CONFIG.registryTable });
    const client = ours.createDocumentClient({ endpoint: dynamo.endpoint });
    client.middlewareStack.add(countingMiddleware(counts), { step: 'finalizeRequest', name: 'benchCounter' });
    return {
      sessions: new ours.DynamoDbSessionStore({ client, tableName: CONFIG.sessionTable }),
      registryStore: new ours.DynamoDbRegistryStore({ client, tableName: CONFIG.registryTable }),
    };
  })();
  let handler;
  const ready = stores.then(async (s) => {
    for (const item of REGISTRY) await s.registryStore.put(item);
    const invoker = new ours.RoutingInvoker({ local: new ours.LocalInvoker({ baseDir: __dirname }) });
    // The request log line (one JSON line on stdout) is a real cost of every request: kept.
    handler = (await asset).createHandler({ config: CONFIG, ...s, invoker });
    for (const k of Object.keys(counts)) delete counts[k]; // set-up writes are not per-request costs
  });
  let measured = 0;
  return {
    async call(spec) {
      await ready;
      const id = `req-${++seq}`;
      const sink = new ours.CollectingSink();
      await ours.invokeStreamingHandler(handler, toFunctionUrlEvent(spec, id), sink, ours.createInvocationContext({ requestId: id, timeoutMs: 900_000 }));
      measured++;
      const headers = new Headers(sink.headers);
      return { status: sink.statusCode, headers, text: Buffer.concat(sink.chunks).toString('utf8') };
    },
    resetStats() {
      for (const k of Object.keys(counts)) delete counts[k];
      measured = 0;
    },
    /** DynamoDB requests and bytes per MCP request since resetStats(), by operation (ours-dynamodb only). */
    async stats() {
      if (mode !== 'dynamodb') return undefined;
      const per = {};
      for (const [op, c] of Object.entries(counts)) {
        per[op] = { requestsPerCall: c.requests / measured, bytesOutPerCall: c.bytesOut / measured, bytesInPerCall: c.bytesIn / measured };
      }
      return per;
    },
    async close() {
      if (dynamo) await dynamo.stop();
    },
  };
}

module.exports = { ASSET, adapters: { 'ours-memory': () => makeAdapter('memory'), 'ours-dynamodb': () => makeAdapter('dynamodb') }, CONFIG };
