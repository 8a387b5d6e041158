/**
 * Baseline "SDK-v1": the official SDK v1's stateless idiom — a new McpServer and a
 * `WebStandardStreamableHTTPServerTransport` without session ids for each request.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import * as z from 'zod';
import { add, echo, text10k } from './tools';

function createServer(): McpServer {
  const server = new McpServer({ name: 'bench-sdk-v1', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo a message', inputSchema: { message: z.string() } }, async (a) => echo(a));
  server.registerTool('add', { description: 'Add two numbers', inputSchema: { a: z.number(), b: z.number() } }, async (a) => add(a));
  server.registerTool('text10k', { description: 'A 10 KB text' }, async () => text10k());
  return server;
}

export async function fetchHandler(request: Request): Promise<Response> {
  const server = createServer();
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    const response = await transport.handleRequest(request);
    // Read the body before closing, as the stateless idiom does.
    const body = await response.arrayBuffer();
    return new Response(body, { status: response.status, headers: response.headers });
  } finally {
    await server.close();
  }
}
