import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { claimsFolder, runsAlone } from './test/alone.js';

const ALL = ['services/**/*.test.ts', 'schemas/**/*.test.ts', 'test/**/*.test.ts', 'infra/**/*.test.ts'];
// Suites that talk to Kafka or MinIO are named *.int.test.ts: only they get the servers.
const INTEGRATION = ['**/*.int.test.ts'];
// Server-free suites that run end to end (the CLI as a process, a whole generated scenario) are
// *.slow.test.ts: `npm test` runs them, `npm run test:unit` stays under a minute.
const SLOW = ['**/*.slow.test.ts'];

/** The suites that run alone come last, once the shared ones are done, so no worker waits long for its turn. */
class AloneLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [...sorted.filter((f) => !runsAlone(f.moduleId)), ...sorted.filter((f) => runsAlone(f.moduleId))];
  }
}

// made here, in the main process, so every worker inherits the same folder
claimsFolder();

export default defineConfig({
  test: {
    // the embedded engine allows one data directory per process: each test file gets its own process
    pool: 'forks',
    // two files at a time even on 2 cores, where vitest's default would be one (docs/contributing.md
    // has the times). The timing-bound suites (a kill that must land mid-round, ticks counted in a
    // window) failed with another file beside them, so they run alone, last (test/alone.ts).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    setupFiles: ['test/setup-claim.ts'],
    // 'stack' (the default, pinned): the claim's beforeAll runs before the file's own, its afterAll last
    sequence: { sequencer: AloneLast, hooks: 'stack' },
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
