import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Loading every manifest (and the AsyncAPI parser's rulesets) takes a few seconds on a slow machine.
    testTimeout: 60_000,
  },
});
