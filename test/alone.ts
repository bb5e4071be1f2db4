/**
 * Test files run two at a time (more on larger machines), except the ones whose assertions lean
 * on wall-clock time: a kill that must land while a round is pending, schedule ticks counted in a
 * window, a takeover or a stop within seconds. Those run alone: with another engine process
 * beside them on a 2-core machine some failed. A crash simulated in-process (a store that fails
 * at its Nth write) and a wait polled against a generous deadline share. The sequencer puts the
 * lone ones last (vitest.config.ts); this claim keeps anything else from running beside them.
 *
 * Every file holds a claim while it runs, as a file named by its pid in a folder of the vitest
 * process (every worker's parent). A file that runs alone claims "alone", takes the floor (one
 * at a time), then waits for the shared claims to end; a file that would share steps back while
 * any alone claim is there. Each side writes its claim before it reads the other's, so one of
 * them always sees the other. A worker that died holds nothing: claims of dead pids are ignored.
 */
import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Each with what makes it timing-bound. */
export const ALONE = [
  'services/run/test/crash.int.test.ts', // SIGKILL within 150 ms of the first rows; some kill must land mid-wave
  'services/run/test/kafka-instances.int.test.ts', // kills meant to land between an intent and its end; four rebalances in 150 s
  'services/run/test/s3-instances.int.test.ts', // takeover within 9 s of a kill, against a 3 s lease
  'services/run/test/s3-poll.int.test.ts', // stop within 5 s
  'services/run/test/schedules.int.test.ts', // exit within 8 s of SIGTERM; ticks each second
  'services/run/test/store-outage.int.test.ts', // a 30 s outage window; gauges read as soon as the rows are in
  'services/run/test/broker-restart.int.test.ts', // the broker's restart blocks the process that serves the store
  'services/run/test/detect-instances.slow.test.ts', // schedule ticks counted in a window
  'services/commit/test/inflight-kill.slow.test.ts', // a kill that must land while an insert runs
  'services/sources/sqs/test/sqs-crash.int.test.ts', // kills 0.1-1 s in; some must leave a round pending; 2 s visibility
  'services/sources/sqs/test/sqs-instances.int.test.ts', // a kill right after a batch is stored; 3 s visibility kept by heartbeats
  'services/sources/sqs/test/sqs-source.int.test.ts', // heartbeats must beat a 2 s visibility timeout for 7 s
  'services/sources/kafka/test/kafka-security.int.test.ts', // concurrent TLS handshakes against a 5 s connection timeout
  'services/enrich/policy/test/latency.int.test.ts', // a latency measured against a bound
  'test/run-instances.slow.test.ts', // stops and kills of live instances
];

export const runsAlone = (file: string): boolean => ALONE.some((p) => file.replaceAll('\\', '/').endsWith(`/${p}`));

const POLL_MS = 100;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const quietly = (f: () => void): void => {
  try {
    f();
  } catch {
    /* already gone */
  }
};

/** The claims of this vitest run; the folders of runs that ended go (removing its own would race with a claim being written). */
function runFolder(): string {
  const root = join(tmpdir(), 'flowlog-test-claims');
  mkdirSync(root, { recursive: true });
  for (const run of readdirSync(root)) if (!alive(Number(run))) quietly(() => rmSync(join(root, run), { recursive: true, force: true }));
  return join(root, String(process.ppid));
}

/** Waits for this file's turn; resolves to the release. */
export async function claim(alone: boolean, dir = runFolder()): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  const others = (kind: string): number[] => readdirSync(dir)
    .filter((n) => n.startsWith(`${kind}-`))
    .map((n) => Number(n.slice(kind.length + 1)))
    .filter((pid) => pid !== process.pid && alive(pid));
  const mine = join(dir, `${alone ? 'alone' : 'shared'}-${process.pid}`);
  const floor = join(dir, 'floor');
  const sleep = () => new Promise((r) => setTimeout(r, POLL_MS));
  const release = () => {
    quietly(() => { if (readFileSync(floor, 'utf8') === String(process.pid)) unlinkSync(floor); });
    quietly(() => unlinkSync(mine));
  };
  process.once('exit', release);
  if (alone) {
    writeFileSync(mine, String(process.pid));
    for (;;) {
      try {
        linkSync(mine, floor);
        break;
      } catch {
        let owner = 0;
        quietly(() => { owner = Number(readFileSync(floor, 'utf8')); });
        if (owner && !alive(owner)) quietly(() => unlinkSync(floor));
        await sleep();
      }
    }
    while (others('shared').length > 0) await sleep();
  } else {
    for (;;) {
      writeFileSync(mine, String(process.pid));
      if (others('alone').length === 0) break;
      unlinkSync(mine);
      await sleep();
    }
  }
  return release;
}
