import { defineConfig } from 'vitest/config';

const ALL = ['services/**/*.test.ts', 'schemas/**/*.test.ts', 'test/**/*.test.ts', 'infra/**/*.test.ts'];
// Suites that talk to Kafka or MinIO are named *.int.test.ts: only they get the servers.
const INTEGRATION = ['**/*.int.test.ts'];
// Server-free suites that run end to end (the CLI as a process, a whole generated scenario) are
// *.slow.test.ts: `npm test` runs them, `npm run test:unit` stays under a minute.
const SLOW = ['**/*.slow.test.ts'];

export default defineConfig({
  test: {
    // the embedded engine allows one data directory per process: each test file gets its own process
    pool: 'forks',
    // vitest's default: one worker fewer than the cores, so one file at a time on a 2-core machine.
    // Two at once took the whole run there from ~1020 s to ~650 s and passed twice, but the third
    // time two timing-bound suites failed under the contention (a crash test whose kills must land
    // mid-round, schedule ticks counted in a window), so CI keeps one.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // `npm test` runs every project; `--project unit|slow|integration` picks one tier.
    // No globalSetup here: the root project's would run even for one parser test.
    projects: [
      { extends: true, test: { name: 'unit', include: ALL, exclude: ['**/node_modules/**', 'infra/.state/**', ...INTEGRATION, ...SLOW] } },
      { extends: true, test: { name: 'slow', include: SLOW } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION,
          // real servers (S3, Kafka) started through infra/ unless the environment names external ones
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
