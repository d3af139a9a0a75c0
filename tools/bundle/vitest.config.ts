import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Bundling the AWS SDK takes a couple of seconds on a slow machine.
    testTimeout: 30_000,
  },
});
