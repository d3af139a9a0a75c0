import { defineConfig } from 'vitest/config';

// One local cloud per file with four stacks applied (~10 s on 2 cores), then a sign-up followed
// through three services; the analytics queue's 20 s batching window and Firehose's buffer are
// the slow parts. Files run one at a time: each starts DynamoDB Local, cognito-local and s3rver.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
