import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Linting builds an Nx project graph for a scratch workspace: give it time.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
