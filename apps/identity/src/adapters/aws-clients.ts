/**
 * SDK clients, created once per execution environment (outside the handler)
 * and only by the handlers that need them. `maxAttempts: 2` and short
 * timeouts: a trigger has 5 seconds in all, and Cognito retries it anyway.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const SDK_RETRY = { maxAttempts: 2 } as const;

/**
 * A document client that drops undefined values (optional fields are omitted, not stored).
 *
 * @example
 * const documents = documentClient(); // region and credentials from the Lambda environment
 */
export function documentClient(config: ConstructorParameters<typeof DynamoDBClient>[0] = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...SDK_RETRY, ...config }), { marshallOptions: { removeUndefinedValues: true } });
}
