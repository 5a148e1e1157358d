import { defineConfig } from 'vitest/config';

// Stress and integration tests start real worker_threads; on a 2-core machine
// running test files in parallel would make them fight for the cores, so
// files run one at a time and each gets a generous timeout.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
