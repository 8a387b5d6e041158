/**
 * CONTRACT (owned by the registry layer). Builds the SDK server instance that serves
 * one request (createMcpHandler and our legacy serving both construct one per
 * request), with the registry's tools, resources, prompts and completions.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import type { HandlerConfig } from '../config';
import type { Principal } from '../store/session-store';
import type { ToolInvoker } from '../tools/tool-invoker';
import type { RegistrySnapshot } from './registry-source';

/** Per-request facts that reach tool functions in the tool contract's `context`. */
export interface CallContext {
  readonly requestId: string;
  readonly protocolVersion: string;
  readonly sessionId?: string;
  readonly principal?: Principal;
  /** Aborted on client disconnect; combined with the SDK's per-request cancellation. */
  readonly signal?: AbortSignal;
  /** Epoch ms; tool invocations must end before it. */
  readonly deadline?: number;
}

export interface ServerBuilderDeps {
  readonly config: HandlerConfig;
  readonly invoker: ToolInvoker;
}

export declare function buildMcpServer(snapshot: RegistrySnapshot, deps: ServerBuilderDeps, call: CallContext): McpServer;
