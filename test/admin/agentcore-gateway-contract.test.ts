/**
 * The AgentCore Gateway Lambda target contract builder, sent with the real
 * `@aws-sdk/client-lambda` to a local endpoint that speaks the Invoke wire format and
 * records what arrives: the payload and the `X-Amz-Client-Context` header, which is
 * what the Lambda runtime turns into `context.clientContext`.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  agentCoreGatewayInvocation, agentCoreGatewayResult, MAX_CLIENT_CONTEXT_BYTES,
} from '../../lambda-src/tools/agentcore-gateway-contract';
import { toCallToolResult } from '../../lambda-src/tools/tool-result';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let url: string;
const received: Received[] = [];
/** What the "function" returns, as a Gateway target would. */
let reply: unknown;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const body = JSON.stringify(reply);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': 'r-1', 'x-amz-executed-version': '$LATEST' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('the payload is the arguments object and the tool name arrives in the client context', async () => {
  const invocation = agentCoreGatewayInvocation({
    toolName: 'get_weather',
    arguments: { city: 'Lisbon', days: 3 },
    requestId: '8f1c2a9e-4a4b-4bb1-9e0f-3f0f3c1d2e55',
    mcpMessageId: 7,
  });
  const client = new LambdaClient({ region: 'eu-west-1', endpoint: url, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' }, maxAttempts: 1 });
  reply = { content: [{ text: 'Sunny' }] };
  try {
    const output = await client.send(new InvokeCommand({
      FunctionName: 'arn:aws:lambda:eu-west-1:111111111111:function:weather',
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(invocation.payload)),
      ClientContext: invocation.clientContext,
    }));
    const sent = received.at(-1)!;
    expect(decodeURIComponent(sent.path)).toBe('/2015-03-31/functions/arn:aws:lambda:eu-west-1:111111111111:function:weather/invocations');
    expect(JSON.parse(sent.body)).toEqual({ city: 'Lisbon', days: 3 });
    const header = sent.headers['x-amz-client-context'] as string;
    expect(header).toBe(invocation.clientContext);
    expect(JSON.parse(Buffer.from(header, 'base64').toString('utf8'))).toEqual({
      custom: {
        bedrockAgentCoreMessageVersion: '1.0',
        bedrockAgentCoreToolName: 'mcp-lambda-server___get_weather',
        bedrockAgentCoreAwsRequestId: '8f1c2a9e-4a4b-4bb1-9e0f-3f0f3c1d2e55',
        bedrockAgentCoreMcpMessageId: '7',
        bedrockAgentCoreGatewayId: 'mcp-lambda-server',
        bedrockAgentCoreTargetId: 'mcp-lambda-server',
      },
    });
    // The Gateway-style result, mapped and then wrapped by the server's own contract.
    const payload = JSON.parse(new TextDecoder().decode(output.Payload));
    expect(toCallToolResult('get_weather', { ok: true, payload: agentCoreGatewayResult(payload) })).toEqual({ content: [{ type: 'text', text: 'Sunny' }] });
  } finally {
    client.destroy();
  }
});

test('a function that strips the target prefix, as Gateway functions do, finds the tool name', () => {
  const { custom } = agentCoreGatewayInvocation({ toolName: 'a___b', arguments: {}, requestId: 'r', targetName: 'orders' });
  const name = custom.bedrockAgentCoreToolName;
  expect(name.slice(name.indexOf('___') + 3)).toBe('a___b');
});

test('results: blocks without a type become text, other JSON passes to the server contract unchanged', () => {
  expect(agentCoreGatewayResult({ content: [{ text: 'a' }, { type: 'image', data: 'AA==', mimeType: 'image/png' }], isError: true }))
    .toEqual({ content: [{ type: 'text', text: 'a' }, { type: 'image', data: 'AA==', mimeType: 'image/png' }], isError: true });
  expect(agentCoreGatewayResult({ temperature: 21 })).toEqual({ temperature: 21 });
  expect(toCallToolResult('t', { ok: true, payload: agentCoreGatewayResult({ temperature: 21 }) }))
    .toEqual({ content: [{ type: 'text', text: '{"temperature":21}' }], structuredContent: { temperature: 21 } });
  expect(agentCoreGatewayResult('plain')).toBe('plain');
});

test('a client context over Lambda\'s 3,583 bytes is refused before any invoke', () => {
  expect(() => agentCoreGatewayInvocation({ toolName: 't', arguments: {}, requestId: 'r'.repeat(MAX_CLIENT_CONTEXT_BYTES) }))
    .toThrow(/^the AgentCore Gateway client context for tool 't' is \d+ bytes of base64, over Lambda's 3583: /);
});
