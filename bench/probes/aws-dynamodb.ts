// Load-cost probe: the DynamoDB clients, inlined as the handler inlines them.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
