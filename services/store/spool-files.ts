/**
 * The spool: each batch waits in a file (on tmpfs by default) for the engine
 * to read it, and is removed after. A run that is killed leaves its files
 * behind, and tmpfs is memory: so the files are named for the process that
 * wrote them (pid and start time) and an opening store removes those of
 * processes that are gone, never those of a flowlog still running.
 */
import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, SELF } from './process-identity.js';

/** flowlog-<pid>-<start>-<seq>.<format>; flowlog-<pid>-<seq>.<format> from older versions (no start time). */
const NAME = /^flowlog-(\d+)-(?:(\d+|na)-)?\d+\.[a-z]+$/;

export function spoolFileName(seq: number, format: string): string {
  return `flowlog-${SELF.pid}-${SELF.start ?? 'na'}-${seq}.${format.toLowerCase()}`;
}

/** Removes the spool files of processes that are gone (or whose pid was recycled); returns their names. */
export function removeStaleSpool(dir: string): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  const removed: string[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const start = m[2] === undefined || m[2] === 'na' ? null : m[2];
    if (processAlive(Number(m[1]), start)) continue;
    const path = join(dir, name);
    try {
      if (!lstatSync(path).isFile()) continue;
      unlinkSync(path);
      removed.push(name);
    } catch { /* removed meanwhile, or not ours to remove (another user's): left */ }
  }
  return removed;
}
