import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // ORT sessions are heavy: keep files in separate forks, but few at a time on a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
