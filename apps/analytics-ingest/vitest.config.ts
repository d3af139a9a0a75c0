import { defineConfig } from 'vitest/config';

// Unit and infra (synth) tests start nothing; the integration test starts one
// local cloud and pushes 10,000 events through it (about a minute on 2 cores).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { test: { name: 'infra', include: ['tests/infra/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 420_000 } },
    ],
  },
});
