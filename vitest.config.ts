import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src-*/**/*.test.ts', 'test/**/*.test.ts', 'e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: a few forks keep the databases busy without starving them.
    pool: 'forks',
    maxWorkers: 3,
    reporters: ['default'],
  },
})
