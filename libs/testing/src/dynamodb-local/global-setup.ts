// Vitest global setup: ONE DynamoDB Local for the whole test run, shared by every test
// file and worker through `provide`/`inject` (and the environment, for child processes).
// Reference it as `globalSetup: ['@kestrel/testing/dynamodb-local/global-setup']`.
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from './harness';
import './endpoint';

const endpointVariable = 'KESTREL_DYNAMODB_ENDPOINT';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // An endpoint set from outside (a running local cloud, CI service container) wins: start nothing.
  const external = process.env[endpointVariable];
  if (external) {
    project.provide('dynamoDbEndpoint', external);
    return undefined;
  }
  const local = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', local.endpoint);
  process.env[endpointVariable] = local.endpoint;
  return async () => {
    delete process.env[endpointVariable];
    await local.stop();
  };
}
