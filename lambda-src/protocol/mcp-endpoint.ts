/**
 * CONTRACT (owned by the protocol layer). The http layer calls `createMcpEndpoint`
 * once per execution environment and `handle` for every request to `/mcp` that has
 * passed authentication, Origin and CORS checks.
 */
import type { HandlerConfig } from '../config';
import type { RequestContext } from '../http/request-context';
import type { RegistrySource } from '../registry/registry-source';
import type { SessionStore } from '../store/session-store';
import type { ToolInvoker } from '../tools/tool-invoker';

export interface ProtocolDeps {
  readonly config: HandlerConfig;
  readonly sessions: SessionStore;
  readonly registry: RegistrySource;
  readonly invoker: ToolInvoker;
}

export interface McpEndpoint {
  handle(request: Request, ctx: RequestContext): Promise<Response>;
}

export declare function createMcpEndpoint(deps: ProtocolDeps): McpEndpoint;
