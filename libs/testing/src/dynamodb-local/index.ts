// Test-only entry point: production code never imports this (lint forbids type:testing in runtime code).
export {
  DynamoDbLocalStartError,
  dynamoDbLocalDistribution,
  findFreePort,
  localAwsConfig,
  startDynamoDbLocal,
  type DynamoDbLocal,
  type DynamoDbLocalOptions,
} from './harness';
export { createLocalDocumentClient, createLocalDynamoDbClient } from './clients';
export { allItems } from './items';
export { useTestTable, type UsedTestTable } from './use-test-table';
export { createTestTable, uniqueTableName, type TestTable, type TestTableDefinition, type TestTableOptions } from './tables';
export { dynamoDbEndpointVariable, dynamoDbLocalEndpoint } from './endpoint';
