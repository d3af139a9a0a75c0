import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { QueryServices, Services } from '../application/ports';
import { CustomerLookup, CustomerReader, CustomerRepository, type CustomerRepositoryOptions } from './customer-repository';

/** Set by the stack for every function with access to the `customers` table (see service.ts). */
export const TABLE_NAME_VARIABLE = 'TABLE_NAME_CUSTOMERS';

function tableOf(environment: NodeJS.ProcessEnv): CustomerRepositoryOptions {
  const tableName = environment[TABLE_NAME_VARIABLE];
  if (tableName === undefined || tableName === '') throw new Error(`${TABLE_NAME_VARIABLE} is not set`);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return { documents, tableName };
}

/**
 * The services of a function, wired from its environment: the table name from
 * `TABLE_NAME_CUSTOMERS`, region and endpoint from the SDK's usual variables (`AWS_REGION`,
 * `AWS_ENDPOINT_URL_DYNAMODB` locally). Built once per execution environment, at module load.
 *
 * @throws Error naming the variable when the table name is missing (a wiring bug: fail at cold start).
 */
export function servicesFromEnvironment(environment: NodeJS.ProcessEnv = process.env): Services {
  return { customers: new CustomerRepository(tableOf(environment)), clock: () => new Date() };
}

/** {@link servicesFromEnvironment} for the query handlers: reads only, so their bundles carry no write path. */
export function queryServicesFromEnvironment(environment: NodeJS.ProcessEnv = process.env): QueryServices {
  return { customers: new CustomerReader(tableOf(environment)) };
}

/** {@link servicesFromEnvironment} for a handler that reads one customer by id: no search, no writes in its bundle. */
export function lookupServicesFromEnvironment(environment: NodeJS.ProcessEnv = process.env): { readonly customers: CustomerLookup } {
  return { customers: new CustomerLookup(tableOf(environment)) };
}
