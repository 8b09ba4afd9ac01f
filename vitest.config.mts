import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests talk to the real MariaDB and Redis; files run in parallel forks, each isolated by its own
    // database name and Redis prefix (see test/support/isolation.ts).
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['reflect-metadata'],
  },
});
