import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['services/**/*.test.ts', 'test/**/*.test.ts', 'infra/**/*.test.ts'],
    // real servers (S3, Kafka) started through infra/ unless the environment names external ones
    globalSetup: ['test/global-setup.ts'],
    // the embedded engine allows one data directory per process: each test file gets its own process
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
