// Size probe: every AWS SDK client the handler inlines, bundled together as the handler
// bundles them (shared code once), with the commands it sends. The bundle target
// measures the handler's bundle against SDK-v2's plus this.
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export const parts = [
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), TransactionCanceledException,
  DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand,
  new LambdaClient({ region: 'us-east-1' }), InvokeCommand,
  new SecretsManagerClient({ region: 'us-east-1' }), GetSecretValueCommand,
];
