/**
 * How much memory this process may use: its cgroup's limit (v2 memory.max and
 * memory.high, past which the kernel reclaims and throttles, or v1
 * memory.limit_in_bytes, on its own group and every parent it can see), or
 * the machine's RAM, whichever is lower. A container's limit is what an
 * orchestrator enforces; going over it is an OOM kill, and near it the kernel
 * evicts the engine's code and re-reads it all along (measured: the default
 * memory profile's ingest of 2M flows took 110 s in a 512 MB cgroup against
 * 6.7 s unlimited, docs/performance.md).
 *
 * So when the configuration names no memory.profile, resolve.ts takes
 * `minimal` below AUTO_MINIMAL_BELOW. The default profile peaked at ~630-790 MB
 * by dataset when this was measured (430-520 since its batches were halved,
 * 544-582 over 20M flows); in cgroups of 640-768 MB (its spool file in /dev/shm charged to
 * the same limit) it ran 1.0-1.5x its unlimited time, at 1 GiB as unlimited,
 * at 512 MB it thrashed (measured, docs/performance.md).
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/** Under this limit an unset memory.profile is `minimal`. */
export const AUTO_MINIMAL_BELOW = 2 ** 30;

export interface MemoryLimit { bytes: number; from: string }

type Read = (path: string) => string | null;
const readOr = (path: string): string | null => { try { return readFileSync(path, 'utf8'); } catch { return null; } };

/** The lowest limit that applies to this process (`from` says where it was read), given how to read a file. */
export function memoryLimit(read: Read = readOr, ram = totalmem()): MemoryLimit {
  let best: MemoryLimit = { bytes: ram, from: 'the machine\'s RAM' };
  const consider = (text: string | null, file: string) => {
    const v = text?.trim();
    if (!v || v === 'max' || !/^\d+$/.test(v)) return;
    const bytes = Number(v);
    if (bytes > 0 && bytes < best.bytes) best = { bytes, from: file };
  };
  for (const line of (read('/proc/self/cgroup') ?? '').split('\n')) {
    const m = /^(\d+):([^:]*):(\/.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers, path] = m;
    const v2 = id === '0' && controllers === '';
    if (!v2 && !controllers!.split(',').includes('memory')) continue;
    const root = v2 ? '/sys/fs/cgroup' : '/sys/fs/cgroup/memory';
    const files = v2 ? ['memory.max', 'memory.high'] : ['memory.limit_in_bytes'];
    // the group and each parent it can see: a parent's limit holds its children too
    const parts = path!.split('/').filter(Boolean);
    for (let i = parts.length; i >= 0; i--) {
      const dir = [root, ...parts.slice(0, i)].join('/');
      for (const file of files) consider(read(`${dir}/${file}`), `${dir}/${file}`);
    }
  }
  return best;
}
