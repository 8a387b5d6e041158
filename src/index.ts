export * from './mcp-auth';
export * from './mcp-front-door';
export * from './mcp-function-options';
export * from './mcp-lambda-server';
export * from './mcp-monitoring';
export * from './mcp-registration';
export * from './mcp-tool-definition';
export * from './mcp-streams';
