/**
 * The claims that let test files run side by side (test/alone.ts), with real
 * processes: shared files hold together, a file that runs alone waits for them
 * and holds by itself, files that would share wait for the alone ones, and a
 * claim of a dead process is ignored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ALONE, claimsFolder, runsAlone } from './alone.js';
import { REPO_ROOT } from './paths.js';
import { waitFor } from './wait.js';

const CHILD = fileURLToPath(new URL('./claim-child.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'flowlog-claims-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function scene(name: string) {
  const base = join(root, name);
  const dir = join(base, 'claims');
  mkdirSync(dir, { recursive: true });
  const events = () => (existsSync(join(base, 'events')) ? readFileSync(join(base, 'events'), 'utf8').trim().split('\n') : []);
  const holding = () => {
    const on = new Set<string>();
    for (const e of events()) {
      const [who, what] = e.split(' ') as [string, string];
      if (what === 'hold') on.add(who);
      else on.delete(who);
    }
    return [...on].sort();
  };
  return {
    dir,
    events,
    holding,
    start(who: string, kind: 'alone' | 'shared') {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, who, kind], { stdio: 'inherit' });
      children.push(child);
      return child;
    },
    go: (who: string) => writeFileSync(join(base, `go-${who}`), ''),
    claimed: (n: number) => readdirSync(dir).filter((f) => f.startsWith('alone-')).length === n,
  };
}

/** At every point of the log, an alone holder holds by itself. */
function overlaps(events: string[], alone: Set<string>): string[] {
  const on = new Set<string>();
  const bad: string[] = [];
  for (const e of events) {
    const [who, what] = e.split(' ') as [string, string];
    if (what === 'hold') on.add(who);
    else on.delete(who);
    if (on.size > 1 && [...on].some((w) => alone.has(w))) bad.push([...on].sort().join('+'));
  }
  return bad;
}

describe('test file claims', () => {
  it('names the timing-bound suites, each a file that is there', () => {
    expect(runsAlone(join(REPO_ROOT, 'services/run/test/crash.int.test.ts'))).toBe(true);
    expect(runsAlone(join(REPO_ROOT, 'services/run/test/detect-instances.slow.test.ts'))).toBe(true);
    expect(runsAlone(join(REPO_ROOT, 'services/eval/test/eval-demo.slow.test.ts'))).toBe(false);
    expect(runsAlone(join(REPO_ROOT, 'services/run/test/s3-poll-rounds.int.test.ts'))).toBe(false);
    // a renamed suite would silently share
    expect(ALONE.filter((f) => !existsSync(join(REPO_ROOT, f)))).toEqual([]);
  });

  it('shared files hold together; alone files wait for them, hold one at a time, and hold back files that come after', { timeout: 120_000 }, async () => {
    const s = scene('turns');
    s.start('a', 'shared');
    s.start('b', 'shared');
    await waitFor(() => s.holding().length === 2, 'both shared files to hold together');
    s.start('x', 'alone');
    s.start('y', 'alone');
    await waitFor(() => s.claimed(2), 'both alone files to claim');
    s.start('c', 'shared');
    s.go('a');
    s.go('b');
    await waitFor(() => ['x', 'y'].includes(s.holding().join()), 'one alone file to hold, by itself');
    const first = s.holding()[0]!;
    s.go(first);
    const second = first === 'x' ? 'y' : 'x';
    await waitFor(() => s.holding().join() === second, `${second} to hold`);
    s.go(second);
    await waitFor(() => s.holding().join() === 'c', 'the shared file after them to hold');
    s.go('c');
    await waitFor(() => s.events().filter((e) => e.endsWith(' free')).length === 5, 'every file to finish');
    const events = s.events();
    expect(overlaps(events, new Set(['x', 'y']))).toEqual([]);
    // the shared file that came while alone ones waited went after both
    expect(events.indexOf('c hold')).toBeGreaterThan(events.indexOf(`${second} free`));
  });

  it('a claim left by a process that died holds nothing back', { timeout: 60_000 }, async () => {
    const s = scene('dead');
    // a pid no process has: the claim and the floor of a worker killed mid-file
    const dead = 2 ** 22 + 12_345;
    writeFileSync(join(s.dir, `shared-${dead}`), String(dead));
    writeFileSync(join(s.dir, `alone-${dead}`), String(dead));
    writeFileSync(join(s.dir, 'floor'), String(dead));
    s.start('x', 'alone');
    await waitFor(() => s.holding().join() === 'x', 'the alone file to hold');
    s.go('x');
    s.start('c', 'shared');
    await waitFor(() => s.holding().join() === 'c', 'a shared file to hold');
    s.go('c');
    await waitFor(() => s.events().length === 4, 'both to finish');
  });

  it('the folder of a run is made once, named for the run, and the folders of runs that ended go', () => {
    const dead = 2 ** 22 + 12_345;
    const stale = mkdtempSync(join(tmpdir(), `flowlog-test-claims-${dead}-`));
    const env: NodeJS.ProcessEnv = {};
    const dir = claimsFolder(env);
    try {
      expect(dir).toContain(`flowlog-test-claims-${process.pid}-`);
      expect(env.FLOWLOG_TEST_CLAIMS).toBe(dir);
      expect(claimsFolder(env)).toBe(dir);
      expect(existsSync(stale)).toBe(false);
      // this run's own folder (the vitest process is alive) stays
      expect(existsSync(process.env.FLOWLOG_TEST_CLAIMS!)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
