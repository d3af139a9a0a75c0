import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Synthesis and git subprocesses wait for CPU on 2 shared cores; no test asserts on time.
    testTimeout: 30_000,
  },
});
