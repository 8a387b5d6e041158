/**
 * The benchmark's build of our handler: the deployed entry (`createHandler`, the same
 * code as assets/handler/index.js) plus what the benchmark injects — in-memory
 * stores, in-process tool modules (as the baselines' tools are in-process), and the
 * DynamoDB Local launcher. Bundled with the handler's own esbuild settings.
 */
export { createHandler } from '../lambda-src/entry/index';
export { invokeStreamingHandler, CollectingSink, createInvocationContext } from '../lambda-src/entry/awslambda-shim';
export { MemorySessionStore } from '../lambda-src/store/memory-session-store';
export { MemoryRegistryStore } from '../lambda-src/store/memory-registry-store';
export { DynamoDbSessionStore } from '../lambda-src/store/dynamodb-session-store';
export { DynamoDbRegistryStore } from '../lambda-src/store/dynamodb-registry-store';
export { createDocumentClient } from '../lambda-src/store/dynamodb-client';
export { createTables } from '../lambda-src/store/table-schema';
export { startDynamoDbLocal } from '../lambda-src/local/dynamodb-local-launcher';
export { LocalInvoker } from '../lambda-src/tools/local-invoker';
export { RoutingInvoker } from '../lambda-src/tools/routing-invoker';
export { DynamoDBClient } from '@aws-sdk/client-dynamodb';
