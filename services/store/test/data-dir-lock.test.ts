/**
 * The data-dir lock on its own (no engine): taken and released, stale locks
 * (a dead pid, a recycled pid) replaced, a live holder refused with its pid,
 * and folders that cannot be used reported as configuration errors.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FlowlogError } from '../../core/errors.js';
import { LOCK_FILE, lockDataDir } from '../data-dir-lock.js';
import { processStart } from '../process-identity.js';

const root = mkdtempSync(join(tmpdir(), 'flowlog-lock-'));
let n = 0;
const freshDir = () => { const d = join(root, `d${n++}`); mkdirSync(d); return d; };
/** A live process that is not flowlog: its pid stands for one the system gave to another program. */
let other: ChildProcess;
beforeAll(() => { other = spawn('sleep', ['300'], { stdio: 'ignore' }); });
afterAll(() => { other.kill(); rmSync(root, { recursive: true, force: true }); });

const deadPid = (): number => {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
};
const thrown = (fn: () => unknown): FlowlogError => {
  try { fn(); } catch (e) { if (e instanceof FlowlogError) return e; throw e; }
  throw new Error('expected a FlowlogError');
};

describe('data-dir lock', () => {
  const held: { release(): void }[] = [];
  afterEach(() => { for (const l of held.splice(0)) l.release(); });

  it('records pid and start time, refuses a second taker while held, and is gone after release', () => {
    const dir = freshDir();
    const lock = lockDataDir(dir);
    const content = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; start: string | null };
    expect(content.pid).toBe(process.pid);
    expect(content.start).toBe(processStart(process.pid));
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a folder held by a live flowlog, naming its pid and how to look at it', () => {
    const dir = freshDir();
    const pid = other.pid!;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, start: processStart(pid), token: 'theirs' }));
    const err = thrown(() => lockDataDir(dir));
    expect(err.code).toBe('STORE_LOCKED');
    expect(err.message).toContain(`in use by process ${pid}`);
    expect(err.hint).toContain(`ps -o pid,lstart,args -p ${pid}`);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ token: 'theirs' }); // left alone
  });

  it('takes over a lock whose pid now belongs to another program (its start time differs)', () => {
    const dir = freshDir();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid, start: '1', token: 'old' }));
    held.push(lockDataDir(dir));
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('takes over a lock of a process that is gone, in the JSON and in the older bare-pid form', () => {
    for (const text of [JSON.stringify({ pid: deadPid(), start: '1', token: 'x' }), String(deadPid())]) {
      const dir = freshDir();
      writeFileSync(join(dir, LOCK_FILE), text);
      held.push(lockDataDir(dir));
      expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    }
  });

  it('release leaves a lock that another process took over', () => {
    const dir = freshDir();
    const lock = lockDataDir(dir);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid, start: processStart(other.pid!), token: 'theirs' }));
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });

  it('reports a folder it cannot use as a configuration error naming the folder (not a raw errno)', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a folder');
    for (const [dir, why] of [[file, 'it is a file, not a folder'], [join(file, 'store'), 'a part of the path is a file, not a folder']] as const) {
      const err = thrown(() => lockDataDir(dir));
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.message).toContain(`the data directory ${dir} cannot be used: ${why}`);
      expect(err.hint).toContain('FLOWLOG_DATA_DIR');
    }
    const dir = freshDir();
    mkdirSync(join(dir, LOCK_FILE));
    const err = thrown(() => lockDataDir(dir));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(`${LOCK_FILE} in it is a folder, not a file`);
  });
});
