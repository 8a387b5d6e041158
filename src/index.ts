export * from './mcp-auth';
export * from './mcp-function-options';
export * from './mcp-lambda-server';
export * from './mcp-registration';
