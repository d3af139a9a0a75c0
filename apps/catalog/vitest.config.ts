import { defineConfig } from 'vitest/config';

// Unit and infra tests never start a JVM (`vitest run --project unit`); integration tests share ONE
// DynamoDB Local per run through the global setup of @kestrel/testing, each file on its own table;
// the cloud test starts its own local cloud (`vitest run --project cloud`).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'tests/infra/**/*.test.ts'] } },
      // Through the local cloud with the synthesized platform and catalog stacks (the Nx test target synthesizes them first).
      { test: { name: 'cloud', include: ['tests/cloud/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000 } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['@kestrel/testing/dynamodb-local/global-setup'],
          // Handlers run inside withObservability: keep its log lines and metric lines out of the test output.
          env: { LOG_LEVEL: 'SILENT', KESTREL_METRICS: 'off' },
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
