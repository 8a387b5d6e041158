/**
 * Copy-paste configuration for the clients developers connect to a local server with,
 * printed by both dev banners. Each names the server `serverKey` and points it at `url`
 * over Streamable HTTP (the dev server needs no credentials: auth mode `local`).
 *
 * The MCP Inspector is pinned to major 2: `npx` resolves an unpinned name to whatever
 * it finds first, which on an older Node has been a 0.x Inspector whose UI and flags
 * differ. Inspector 2 needs Node 22.19 or later.
 */

/** The MCP Inspector release line the printed commands use. */
export const INSPECTOR = '@modelcontextprotocol/inspector@2';

export function clientConfigLines(url: string, serverKey = 'mcp-lambda-server-local'): string[] {
  const json = (value: unknown) => JSON.stringify(value);
  return [
    'MCP Inspector (2.x; needs Node 22.19+):',
    `  npx -y ${INSPECTOR}`,
    `  then Servers: "Add Servers" > "+ Add manually", Transport "streamable-http", URL ${url}; save, then Connect.`,
    `  From a terminal: npx -y ${INSPECTOR} --cli ${url} --transport http --method tools/list`,
    'Claude Desktop (claude_desktop_config.json; it speaks stdio, mcp-remote bridges to HTTP):',
    `  ${json({ mcpServers: { [serverKey]: { command: 'npx', args: ['-y', 'mcp-remote', url] } } })}`,
    'Cursor (~/.cursor/mcp.json or .cursor/mcp.json):',
    `  ${json({ mcpServers: { [serverKey]: { url } } })}`,
    'VS Code (.vscode/mcp.json):',
    `  ${json({ servers: { [serverKey]: { type: 'http', url } } })}`,
  ];
}
