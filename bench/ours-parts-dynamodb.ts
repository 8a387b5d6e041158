/**
 * The parts of bench/ours-parts-memory.ts plus the DynamoDB stores on DynamoDB Local,
 * whose client the benchmark instruments to count requests and bytes.
 */
export * from './ours-parts-memory';
export { DynamoDbSessionStore } from '../lambda-src/store/dynamodb-session-store';
export { DynamoDbRegistryStore } from '../lambda-src/store/dynamodb-registry-store';
export { createDocumentClient } from '../lambda-src/store/dynamodb-client';
export { createTables } from '../lambda-src/store/table-schema';
export { startDynamoDbLocal } from '../lambda-src/local/dynamodb-local-launcher';
export { DynamoDBClient } from '@aws-sdk/client-dynamodb';
