/**
 * Creates an app's DynamoDB tables in DynamoDB Local exactly as its template declares
 * them: key schema, attribute definitions, billing mode, global and local secondary
 * indexes, streams and the TTL attribute. A table that already exists is kept with its
 * items (a reload must not lose sessions); if its declaration changed, it is reported,
 * not recreated.
 */
import {
  CreateTableCommand, type CreateTableCommandInput, DescribeTableCommand, type DynamoDBClient,
  ResourceInUseException, UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { LocalTable } from './app-model';

/** The CreateTable input for a template's `AWS::DynamoDB::Table` properties. */
export function createTableInput(table: LocalTable): CreateTableCommandInput {
  const p = table.properties;
  const provisioned = p.BillingMode === 'PROVISIONED' || (p.BillingMode === undefined && p.ProvisionedThroughput !== undefined);
  const throughput = (t: any) => (provisioned ? { ProvisionedThroughput: t ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } } : {});
  const pick = (index: any) => ({ IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection });
  return {
    TableName: table.tableName,
    KeySchema: p.KeySchema,
    AttributeDefinitions: p.AttributeDefinitions,
    BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
    ...throughput(p.ProvisionedThroughput),
    ...(Array.isArray(p.GlobalSecondaryIndexes) && p.GlobalSecondaryIndexes.length > 0
      ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes.map((g: any) => ({ ...pick(g), ...throughput(g.ProvisionedThroughput) })) }
      : {}),
    ...(Array.isArray(p.LocalSecondaryIndexes) && p.LocalSecondaryIndexes.length > 0
      ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes.map(pick) }
      : {}),
    ...(p.StreamSpecification?.StreamViewType
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType } }
      : {}),
  };
}

/** Creates the table (or keeps the existing one) and its TTL; returns whether it was created now. */
export async function ensureDeclaredTable(client: DynamoDBClient, table: LocalTable): Promise<boolean> {
  let created = true;
  try {
    await client.send(new CreateTableCommand(createTableInput(table)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException) && (err as Error).name !== 'ResourceInUseException') throw err;
    created = false;
  }
  const ttl = table.properties.TimeToLiveSpecification;
  if (created && ttl?.Enabled && typeof ttl.AttributeName === 'string') {
    await client.send(new UpdateTimeToLiveCommand({
      TableName: table.tableName,
      TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
    }));
  }
  return created;
}

/** Whether the existing table's keys differ from the declaration (a change that CloudFormation would replace the table for). */
export async function keySchemaChanged(client: DynamoDBClient, table: LocalTable): Promise<boolean> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
  const key = (list: any[] | undefined) => JSON.stringify((list ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`));
  return key(Table?.KeySchema) !== key(table.properties.KeySchema);
}
