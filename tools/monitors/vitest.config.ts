import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Synthesizing the fixture stack takes a few seconds on a busy machine.
    testTimeout: 60_000,
  },
});
