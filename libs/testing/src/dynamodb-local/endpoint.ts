import { inject } from 'vitest';

/** Environment variable that carries (or pre-sets) the shared DynamoDB endpoint. */
export const dynamoDbEndpointVariable = 'KESTREL_DYNAMODB_ENDPOINT';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB Local started by the `dynamodb-local/global-setup` of this test run. */
    dynamoDbEndpoint: string;
  }
}

/**
 * The endpoint of the DynamoDB Local shared by this test run, from the global setup
 * (`inject`) or, failing that, from `KESTREL_DYNAMODB_ENDPOINT`.
 *
 * @example
 * ```ts
 * const client = createLocalDynamoDbClient(dynamoDbLocalEndpoint());
 * ```
 */
export function dynamoDbLocalEndpoint(): string {
  const endpoint = inject('dynamoDbEndpoint') ?? process.env[dynamoDbEndpointVariable];
  if (!endpoint) {
    throw new Error(
      `No DynamoDB endpoint: add '@kestrel/testing/dynamodb-local/global-setup' to test.globalSetup ` +
        `or set ${dynamoDbEndpointVariable}.`,
    );
  }
  return endpoint;
}
