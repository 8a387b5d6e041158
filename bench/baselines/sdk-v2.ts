/**
 * Baseline "SDK-v2": what a user writes by hand with the official SDK v2 — a
 * stateless `createMcpHandler`, called with a web-standard Request.
 */
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { add, echo, text10k } from './tools';

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'bench-sdk-v2', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo a message', inputSchema: z.object({ message: z.string() }) }, async (a) => echo(a));
  server.registerTool('add', { description: 'Add two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }) }, async (a) => add(a));
  server.registerTool('text10k', { description: 'A 10 KB text' }, async () => text10k());
  return server;
});

export async function fetchHandler(request: Request): Promise<Response> {
  return handler.fetch(request);
}
