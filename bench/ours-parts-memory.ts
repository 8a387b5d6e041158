/**
 * What the benchmark injects into the deployed handler asset (assets/handler/index.mjs,
 * whose `createHandler` takes these parts, as the local dev server's do): in-memory
 * stores and in-process tool modules (as the baselines' tools are in-process), and the
 * stand-in for the Lambda runtime's response streaming.
 */
import { ensureAwslambdaGlobal } from '../lambda-src/entry/awslambda-shim';

export { invokeStreamingHandler, CollectingSink, createInvocationContext } from '../lambda-src/entry/awslambda-shim';
export { MemorySessionStore } from '../lambda-src/store/memory-session-store';
export { MemoryRegistryStore } from '../lambda-src/store/memory-registry-store';
export { LocalInvoker } from '../lambda-src/tools/local-invoker';
export { RoutingInvoker } from '../lambda-src/tools/routing-invoker';

// The Lambda runtime defines the `awslambda` global before it loads a handler; this
// stand-in is installed the same way, before bench/ours.cjs imports the asset.
ensureAwslambdaGlobal();
