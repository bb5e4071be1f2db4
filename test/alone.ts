/**
 * Test files run two at a time (more on larger machines), except the ones whose assertions lean
 * on wall-clock time: a kill that must land while a round is pending, schedule ticks counted in a
 * window, a takeover or a stop within seconds. Those run alone: with another engine process
 * beside them on a 2-core machine some failed. A crash simulated in-process (a store that fails
 * at its Nth write) and a wait polled against a generous deadline share. The sequencer puts the
 * lone ones last (vitest.config.ts); this claim keeps anything else from running beside them.
 *
 * Every file holds a claim while it runs (from its first hook to its last), as a file named by
 * its pid in a folder of the vitest run: a worker per file (the forks pool) is what makes a pid
 * a file. A file that runs alone claims "alone", takes the floor (a hard link: one at a time),
 * then waits for the shared claims to end; a file that would share steps back while any alone
 * claim is there. Each side writes its claim before it reads the other's, so one of them always
 * sees the other. A worker that died holds nothing: claims of dead pids are ignored. A file's
 * module code runs before its claim, so a timing-bound suite does its work in hooks and tests.
 */
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
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
  if (!Number.isInteger(pid) || pid <= 0) return false;
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

/**
 * The claims' folder of this vitest run, made once by the main process (vitest.config.ts) and
 * inherited by every worker through the environment; the folders of runs that ended go.
 */
export function claimsFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLOWLOG_TEST_CLAIMS) return env.FLOWLOG_TEST_CLAIMS;
  const prefix = 'flowlog-test-claims-';
  for (const old of readdirSync(tmpdir()).filter((n) => n.startsWith(prefix))) {
    if (!alive(Number(old.slice(prefix.length).split('-')[0]))) quietly(() => rmSync(join(tmpdir(), old), { recursive: true, force: true }));
  }
  return (env.FLOWLOG_TEST_CLAIMS = mkdtempSync(join(tmpdir(), `${prefix}${process.pid}-`)));
}

const WARN_AFTER_MS = 120_000;

/** Waits for this file's turn; resolves to the release. */
export async function claim(alone: boolean, dir: string, warn: (m: string) => void = console.warn): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  const live = (kind: string): number[] => readdirSync(dir)
    .filter((n) => n.startsWith(`${kind}-`))
    .map((n) => Number(n.slice(kind.length + 1)))
    .filter((pid) => pid !== process.pid && alive(pid));
  const mine = join(dir, `${alone ? 'alone' : 'shared'}-${process.pid}`);
  const floor = join(dir, 'floor');
  const owner = (): number => {
    let pid = 0;
    quietly(() => { pid = Number(readFileSync(floor, 'utf8')); });
    return pid;
  };
  const release = () => {
    if (owner() === process.pid) quietly(() => unlinkSync(floor));
    quietly(() => unlinkSync(mine));
  };
  process.once('exit', release);
  const since = Date.now();
  let warned = false;
  const wait = async () => {
    if (!warned && Date.now() - since > WARN_AFTER_MS) {
      warned = true;
      warn(`test file claims: ${process.pid} has waited ${WARN_AFTER_MS / 1000} s for its turn (${alone ? 'alone' : 'shared'}); `
        + `floor: ${owner() || 'free'}, alone: ${live('alone').join(' ') || '-'}, shared: ${live('shared').join(' ') || '-'} (${dir})`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  };
  if (alone) {
    writeFileSync(mine, String(process.pid));
    for (;;) {
      try {
        linkSync(mine, floor);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (!alive(owner())) takeOver(dir, floor, owner);
        await wait();
      }
    }
    while (live('shared').length > 0) await wait();
  } else {
    for (;;) {
      writeFileSync(mine, String(process.pid));
      if (live('alone').length === 0) break;
      quietly(() => unlinkSync(mine));
      await wait();
    }
  }
  return release;
}

/**
 * Frees the floor of a worker that died holding it. Two waiters may both see the dead owner: the
 * one that gets the cleaning lock looks again before it unlinks, so the other cannot unlink the
 * floor the first has taken since.
 */
function takeOver(dir: string, floor: string, owner: () => number): void {
  const cleaning = join(dir, 'cleaning');
  try {
    mkdirSync(cleaning);
  } catch {
    return;
  }
  try {
    if (!alive(owner())) quietly(() => unlinkSync(floor));
  } finally {
    rmdirSync(cleaning);
  }
}
