import { availableParallelism } from 'node:os';
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
    // vitest's default is one worker fewer than the cores: one on a 2-core machine. Most slow and
    // integration files wait on a server, a timer or a child process, so two at once take the whole
    // run on 2 cores from ~1020 s to ~650 s (measured, each file 1.0-1.45x its time alone).
    maxWorkers: Math.max(2, availableParallelism() - 1),
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
