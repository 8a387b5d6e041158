/**
 * Every item of a table, read directly from DynamoDB Local (not through the fault
 * proxy) with a Scan, in a stable order: what a test compares before and after a
 * refused or failed request to prove nothing was half-written.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

export async function scanTable(client: DynamoDBClient, tableName: string): Promise<Array<Record<string, any>>> {
  const documents = DynamoDBDocumentClient.from(client);
  const items: Array<Record<string, any>> = [];
  let startKey: Record<string, any> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items.sort((a, b) => `${a.pk}\u0000${a.sk}`.localeCompare(`${b.pk}\u0000${b.sk}`));
}
