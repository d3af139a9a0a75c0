// Test-only helpers. DynamoDB Local lives behind its own entry point
// (`@kestrel/testing/dynamodb-local`) so importing this one never loads the AWS SDK.
export { uniqueName } from './unique-name';
export { seededRandom } from './seeded-random';
export { deliveredEvent } from './eventbridge-delivery';
