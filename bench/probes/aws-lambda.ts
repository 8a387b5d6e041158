// Load-cost probe: the Lambda client, inlined as the handler inlines it.
import { LambdaClient } from '@aws-sdk/client-lambda';

export const client = new LambdaClient({ region: 'us-east-1' });
