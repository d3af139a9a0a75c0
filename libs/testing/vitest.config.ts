import { defineConfig } from 'vitest/config';

// Two projects so `vitest run --project unit` never waits for the JVM; the integration
// project shares ONE DynamoDB Local across its files through the global setup.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['@kestrel/testing/dynamodb-local/global-setup'],
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
