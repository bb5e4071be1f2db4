/**
 * Which process wrote a lock or a spool file, told apart from a later process
 * that happens to get the same pid: the kernel's start time of the process
 * (field 22 of /proc/<pid>/stat, clock ticks since boot) differs for a
 * recycled pid. Where /proc is missing the start time is unknown and only the
 * pid is checked.
 */
import { readFileSync } from 'node:fs';

/** The start time of `pid` as the kernel records it, or null when it cannot be read (no /proc, gone). */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may hold spaces: count fields after its closing one
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[22 - 3];
    return start && /^\d+$/.test(start) ? start : null;
  } catch {
    return null;
  }
}

/**
 * True when the process that recorded (`pid`, `start`) still runs: the pid
 * exists (EPERM means it does, under another user) and, when both start times
 * are known, it is the same process rather than a recycled pid.
 */
export function processAlive(pid: number, start: string | null): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (start === null) return true;
  const now = processStart(pid);
  return now === null || now === start;
}

/** This process, as it is written into locks and spool file names. */
export const SELF = { pid: process.pid, start: processStart(process.pid) };
