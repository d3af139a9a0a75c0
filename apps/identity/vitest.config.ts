import { defineConfig } from 'vitest/config';

// Unit tests never start a JVM (`vitest run --project unit`); integration tests share ONE
// DynamoDB Local per run through the global setup of @kestrel/testing, each file on its own tables.
export default defineConfig({
  test: {
    // Triggers log one JSON line per invocation; show them only for failing tests.
    silent: 'passed-only',
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { test: { name: 'infra', include: ['tests/infra/**/*.test.ts'], testTimeout: 60_000 } },
      // Through the local cloud with the synthesized platform and identity stacks (the Nx test target synthesizes them first).
      { test: { name: 'cloud', include: ['tests/cloud/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000 } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['@kestrel/testing/dynamodb-local/global-setup'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
