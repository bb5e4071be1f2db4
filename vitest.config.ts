import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { runsAlone } from './test/alone.js';

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

export default defineConfig({
  test: {
    // the embedded engine allows one data directory per process: each test file gets its own process
    pool: 'forks',
    // two files at a time even on 2 cores (vitest's default would be one): the whole run took ~830 s
    // there against ~1030 s one at a time. Most suites compute, so two side by side each take
    // 1.2-2x as long. The timing-bound ones (a kill that must land mid-round, ticks counted in a
    // window) failed with another file beside them, so they run alone, last (test/alone.ts).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    setupFiles: ['test/setup-claim.ts'],
    sequence: { sequencer: AloneLast },
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
