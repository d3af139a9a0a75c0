import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Most suites spawn real processes (DynamoDB Local's JVM, s3rver, cognito-local, Lambda
    // workers). On 2 cores shared with the other Nx test targets, vitest's 5 s default fails
    // tests that are merely waiting for CPU; no test asserts on elapsed time.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
