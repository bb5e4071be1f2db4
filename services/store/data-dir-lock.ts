/**
 * The embedded store's data-dir lock. The engine binds a data path to one
 * process: a second writer would corrupt it, so a second flowlog is refused
 * clearly. The lock is taken atomically (a complete lock file is hard-linked
 * into place, which fails if one exists: no check-then-write window, no
 * half-written lock for another process to read) and names its holder by pid
 * and process start time, so a lock left by a dead flowlog, or holding a pid
 * the system has since given to another program, is recognised as stale and
 * replaced without anyone deleting it by hand.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FlowlogError } from '../core/errors.js';
import { processAlive, SELF } from './process-identity.js';

export const LOCK_FILE = 'flowlog.lock';

interface Holder { pid: number; start: string | null; token: string | null }

export interface DataDirLock { readonly file: string; release(): void }

/** A lock with no readable holder (being written without hard links, or truncated) counts as held this long. */
const UNREADABLE_GRACE_MS = 5_000;

/** Creates `dataDir` if needed and takes its lock, or throws STORE_LOCKED / CONFIG_INVALID (an unusable folder). */
export function lockDataDir(dataDir: string): DataDirLock {
  const dir = resolve(dataDir);
  try { mkdirSync(dir, { recursive: true }); } catch (e) { throw unusable(dataDir, e); }
  const file = join(dir, LOCK_FILE);
  const token = randomBytes(8).toString('hex');
  const body = `${JSON.stringify({ pid: SELF.pid, start: SELF.start, token, program: 'flowlog' })}\n`;
  const staged = join(dir, `.${LOCK_FILE}.${SELF.pid}.${token}`);
  try { writeFileSync(staged, body, { flag: 'wx', mode: 0o644 }); } catch (e) { throw unusable(dataDir, e); }
  try {
    // a few rounds: each lost race against another starting flowlog ends in STORE_LOCKED, not in a loop
    for (let round = 0; round < 5; round++) {
      if (place(staged, file, body, dataDir)) return { file, release: () => releaseIfMine(file, token) };
      const raw = readLock(file, dataDir);
      if (raw === null) continue; // gone between the two steps: try again
      const holder = parseHolder(raw);
      if (holder && holder.pid !== SELF.pid && processAlive(holder.pid, holder.start)) throw locked(dataDir, file, holder.pid);
      if (!holder && Date.now() - mtimeMs(file) < UNREADABLE_GRACE_MS) throw locked(dataDir, file, null);
      setAside(file, raw);
    }
    throw locked(dataDir, file, parseHolder(readLock(file, dataDir) ?? '')?.pid ?? null);
  } finally {
    try { unlinkSync(staged); } catch { /* already gone */ }
  }
}

/** Puts the staged lock in place; false when a lock is there already. */
function place(staged: string, file: string, body: string, dataDir: string): boolean {
  try {
    linkSync(staged, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // file systems without hard links: an exclusive create, written at once (a reader sees it empty for an instant)
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') {
      try { writeFileSync(file, body, { flag: 'wx', mode: 0o644 }); return true; } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw unusable(dataDir, e2);
      }
    }
    throw unusable(dataDir, e);
  }
}

/** The lock's text, or null when it no longer exists. */
function readLock(file: string, dataDir: string): string | null {
  try { return readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw unusable(dataDir, e);
  }
}

/** flowlog's JSON lock, or the bare pid older versions wrote; null when it is neither. */
function parseHolder(raw: string): Holder | null {
  const text = raw.trim();
  if (/^\d+$/.test(text)) return { pid: Number(text), start: null, token: null };
  try {
    const v = JSON.parse(text) as Partial<Holder>;
    if (typeof v.pid === 'number') return { pid: v.pid, start: typeof v.start === 'string' ? v.start : null, token: typeof v.token === 'string' ? v.token : null };
  } catch { /* not ours */ }
  return null;
}

function mtimeMs(file: string): number {
  try { return statSync(file).mtimeMs; } catch { return 0; }
}

/**
 * Removes a stale lock, and only that one: it is renamed aside first (atomic),
 * and if what was moved is not the stale text (another flowlog replaced it
 * meanwhile) it is put back.
 */
function setAside(file: string, staleText: string): void {
  const aside = `${file}.stale.${SELF.pid}.${randomBytes(4).toString('hex')}`;
  try { renameSync(file, aside); } catch { return; }
  let moved = '';
  try { moved = readFileSync(aside, 'utf8'); } catch { /* treated as not the stale one */ }
  if (moved !== staleText) {
    try { linkSync(aside, file); } catch { /* a third process took the folder meanwhile: it holds the lock now */ }
  }
  try { unlinkSync(aside); } catch { /* gone */ }
}

/** A lock taken over by another process (ours was judged stale) is theirs to remove, not ours. */
function releaseIfMine(file: string, token: string): void {
  try {
    if (parseHolder(readFileSync(file, 'utf8'))?.token === token) unlinkSync(file);
  } catch { /* gone already */ }
}

function locked(dataDir: string, file: string, pid: number | null): FlowlogError {
  return pid === null
    ? new FlowlogError('STORE_LOCKED', `the data directory ${dataDir} is being opened by another process (its lock ${file} is not complete yet)`,
      'wait for that flowlog to start or stop, or set FLOWLOG_DATA_DIR to another folder')
    : new FlowlogError('STORE_LOCKED', `the data directory ${dataDir} is in use by process ${pid} (lock ${file})`,
      `stop that flowlog process (see it with: ps -o pid,lstart,args -p ${pid}), or set FLOWLOG_DATA_DIR to another folder; ` +
      'a lock left by a process that is gone, or whose pid now belongs to another program, is replaced by itself');
}

/** A folder flowlog cannot create, read or write: the setting to change, not a stack trace. */
export function unusable(dataDir: string, e: unknown): FlowlogError {
  const err = e as NodeJS.ErrnoException;
  const why = {
    EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'the file system is read-only',
    ENOTDIR: 'a part of the path is a file, not a folder', EEXIST: 'it is a file, not a folder', EISDIR: `${LOCK_FILE} in it is a folder, not a file`,
    ENOSPC: 'the disk is full', EDQUOT: 'the disk quota is exhausted',
  }[err.code ?? ''] ?? err.message;
  return new FlowlogError('CONFIG_INVALID', `the data directory ${dataDir} cannot be used: ${why}${err.code ? ` (${err.code})` : ''}`,
    'set FLOWLOG_DATA_DIR (store.data_dir) to a folder this user can create, read and write, or fix its permissions', { cause: e });
}
