/** The stdio MCP server that the AWS Labs baseline starts as a child process for every request. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import * as z from 'zod';
import { add, echo, text10k } from './tools';

const server = new McpServer({ name: 'bench-awslabs', version: '1.0.0' });
server.registerTool('echo', { description: 'Echo a message', inputSchema: { message: z.string() } }, async (a) => echo(a));
server.registerTool('add', { description: 'Add two numbers', inputSchema: { a: z.number(), b: z.number() } }, async (a) => add(a));
server.registerTool('text10k', { description: 'A 10 KB text' }, async () => text10k());
void server.connect(new StdioServerTransport());
