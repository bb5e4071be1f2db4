/**
 * Test files run two at a time (more on larger machines), except the ones whose assertions lean
 * on wall-clock time: a kill that must land while a round is pending, schedule ticks counted in a
 * window, a takeover or a stop within seconds. Those run alone: with another engine process
 * beside them on a 2-core machine they failed. The sequencer puts them last (vitest.config.ts);
 * this claim keeps anything else from running beside them.
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

const ALONE = [/\.int\.test\.ts$/, /\/detect-instances\.slow\.test\.ts$/, /\/inflight-kill\.slow\.test\.ts$/, /\/run-instances\.slow\.test\.ts$/];

export const runsAlone = (file: string): boolean => ALONE.some((p) => p.test(file.replaceAll('\\', '/')));

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
