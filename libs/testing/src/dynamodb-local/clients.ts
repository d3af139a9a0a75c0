import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localAwsConfig } from './harness';

/**
 * A real SDK v3 DynamoDB client pointed at a local endpoint with dummy credentials.
 *
 * @example
 * ```ts
 * const client = createLocalDynamoDbClient(dynamoDbLocalEndpoint());
 * ```
 */
export function createLocalDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ ...localAwsConfig, endpoint });
}

/**
 * A document client (plain JavaScript values instead of attribute-value maps) over a local client.
 * `removeUndefinedValues` mirrors what production adapters should do: optional fields are omitted, not stored.
 *
 * @example
 * ```ts
 * const documents = createLocalDocumentClient(createLocalDynamoDbClient(endpoint));
 * await documents.send(new PutCommand({ TableName, Item: { PK: 'A', SK: 'B' } }));
 * ```
 */
export function createLocalDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
