/**
 * The handler's settings, read once per execution environment from the environment
 * variables the construct sets (src/mcp-lambda-server.ts writes the same names).
 */
export interface HandlerConfig {
  readonly sessionTable: string;
  readonly registryTable: string;
  readonly serverName: string;
  readonly serverVersion: string;
  readonly instructions?: string;
  /** Idle lifetime of a 2025-era session, in seconds. */
  readonly sessionTtlSeconds: number;
  /** How long a registry snapshot is served from memory before it is read again. */
  readonly registryCacheSeconds: number;
  /** `iam` | `none` | `oauth` | `bearer`. */
  readonly authMode: string;
  /** Origins allowed to call from a browser; empty: only requests without an Origin header. */
  readonly allowedOrigins: string[];
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Default tool timeout in seconds (a tool item may lower it). */
  readonly toolTimeoutSeconds: number;
  /** DynamoDB endpoint override (local development only). */
  readonly dynamoDbEndpoint?: string;
}

export const ENV = {
  sessionTable: 'MCP_SESSION_TABLE',
  registryTable: 'MCP_REGISTRY_TABLE',
  serverName: 'MCP_SERVER_NAME',
  serverVersion: 'MCP_SERVER_VERSION',
  instructions: 'MCP_SERVER_INSTRUCTIONS',
  sessionTtlSeconds: 'MCP_SESSION_TTL_SECONDS',
  registryCacheSeconds: 'MCP_REGISTRY_CACHE_SECONDS',
  authMode: 'MCP_AUTH_MODE',
  allowedOrigins: 'MCP_ALLOWED_ORIGINS',
  maxBodyBytes: 'MCP_MAX_BODY_BYTES',
  toolTimeoutSeconds: 'MCP_TOOL_TIMEOUT_SECONDS',
  dynamoDbEndpoint: 'MCP_DYNAMODB_ENDPOINT',
} as const;

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`environment variable ${name} must be a positive integer, got '${raw}'`);
  }
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HandlerConfig {
  const sessionTable = env[ENV.sessionTable];
  const registryTable = env[ENV.registryTable];
  if (!sessionTable || !registryTable) {
    throw new Error(`environment variables ${ENV.sessionTable} and ${ENV.registryTable} are required`);
  }
  return {
    sessionTable,
    registryTable,
    serverName: env[ENV.serverName] || 'mcp-lambda-server',
    serverVersion: env[ENV.serverVersion] || '1.0.0',
    instructions: env[ENV.instructions] || undefined,
    sessionTtlSeconds: intFrom(env, ENV.sessionTtlSeconds, 24 * 3600),
    registryCacheSeconds: intFrom(env, ENV.registryCacheSeconds, 30),
    authMode: env[ENV.authMode] || 'iam',
    allowedOrigins: (env[ENV.allowedOrigins] || '').split(',').map((s) => s.trim()).filter(Boolean),
    maxBodyBytes: intFrom(env, ENV.maxBodyBytes, 4 * 1024 * 1024),
    toolTimeoutSeconds: intFrom(env, ENV.toolTimeoutSeconds, 60),
    dynamoDbEndpoint: env[ENV.dynamoDbEndpoint] || undefined,
  };
}
