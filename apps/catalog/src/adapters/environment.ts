import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Services } from '../application/use-cases';
import { catalogTable } from './catalog-repository';

/** Set by the stack for every function with access to the `catalog` table (see service.ts). */
export const TABLE_NAME_VARIABLE = 'TABLE_NAME_CATALOG';

/**
 * The services of a function, wired from its environment (table name from `TABLE_NAME_CATALOG`,
 * region and endpoint from the SDK's usual variables). Built once per execution environment.
 *
 * @throws Error naming the variable when it is missing (a wiring bug: fail at cold start).
 */
export function servicesFromEnvironment(environment: NodeJS.ProcessEnv = process.env): Services {
  const tableName = environment[TABLE_NAME_VARIABLE];
  if (tableName === undefined || tableName === '') throw new Error(`${TABLE_NAME_VARIABLE} is not set`);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const newId = () => globalThis.crypto.randomUUID();
  return { catalog: catalogTable({ documents, tableName, newId }), clock: () => new Date(), newId };
}
