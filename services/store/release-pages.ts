/**
 * Hands back the pages of the engine's library that only its start-up read.
 *
 * chdb's library is 540 MB of code and constants. Loading it runs the static
 * registrations of thousands of functions, formats and settings spread over
 * all of it, and the kernel maps 64 KB around each page touched: ~170 MB of
 * the library is resident once the engine has started, of which an ingest
 * then reads ~55 MB (measured with the pages' referenced bits,
 * docs/performance.md). Those pages are clean copies of the file, counted in
 * the process's RSS and charged to its container's memory limit all the same.
 *
 * madvise(MADV_DONTNEED) on a mapping that was never written drops them from
 * the process; a page touched again is mapped again from the page cache, the
 * same bytes. Only mappings that cannot hold a written page are released:
 * read-only, file-backed, with no private copy-on-write page in them (the
 * relocated pointers of the library's RELRO segment are such copies, and
 * dropping them would bring back the unrelocated bytes; a swapped-out copy
 * counts too, under Swap). Node has no madvise: native/release-pages.c is the
 * one call, built by `npm install` when a C compiler is there; without it, or
 * on any failure here, nothing is released and nothing else changes.
 *
 * RSS falls by what is released; a container's memory charge does not at
 * once (the pages stay in the page cache, charged, but are the first the
 * kernel reclaims when the limit is near instead of part of the working set).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { EVENTS } from '../telemetry/event-names.js';
import { errorFields, log } from '../telemetry/log.js';

export const RELEASE_MODULE = fileURLToPath(new URL('./native/release-pages.node', import.meta.url));

/** A mapping of the library that may be released, and how much of it is resident. */
export interface CleanMapping { start: number; length: number; residentKb: number }

/**
 * The mappings of the file named `lib` (its base name), in /proc/PID/smaps
 * text, that no write can have reached: no `w` permission, private,
 * file-backed, and no anonymous, privately dirty or swapped-out page (a field
 * missing counts as one).
 */
export function cleanMappings(smaps: string, lib: string): CleanMapping[] {
  const out: CleanMapping[] = [];
  let cur: { start: number; length: number; ok: boolean; fields: Map<string, number> } | null = null;
  const close = (): void => {
    if (cur?.ok && ['Anonymous', 'Private_Dirty', 'Swap', 'SwapPss'].every((f) => cur!.fields.get(f) === 0) && cur.fields.has('Rss')) {
      out.push({ start: cur.start, length: cur.length, residentKb: cur.fields.get('Rss')! });
    }
  };
  for (const line of smaps.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      close();
      const [, from, to, perms, path] = head;
      const start = parseInt(from!, 16), end = parseInt(to!, 16);
      const file = path!.replace(/ \(deleted\)$/, '');
      cur = { start, length: end - start, ok: (file === lib || file.endsWith(`/${lib}`)) && perms![0] === 'r' && perms![1] === '-' && perms![3] === 'p', fields: new Map() };
      continue;
    }
    const field = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (field && cur) cur.fields.set(field[1]!, Number(field[2]));
  }
  close();
  return out;
}

let tried = false;

/**
 * Releases the clean mappings of the engine's library, once per process (the
 * start-up is over after the first store has opened and migrated). Returns
 * what was resident in them, or why nothing was released; never throws (a
 * memory saving must not keep a store from opening).
 */
export function releaseStartupPages(lib = 'libchdb.so'): { releasedKb: number } | { skipped: string } {
  if (tried) return { releasedKb: 0 };
  tried = true;
  const out = release(lib);
  if ('releasedKb' in out) log.debug(EVENTS.storeEnginePages, { released_mb: Math.round(out.releasedKb / 1024) });
  else log.debug(EVENTS.storeEnginePages, { skipped: out.skipped });
  return out;
}

function release(lib: string): { releasedKb: number } | { skipped: string } {
  if (process.platform !== 'linux') return { skipped: 'not Linux' };
  if (!existsSync(RELEASE_MODULE)) return { skipped: `${RELEASE_MODULE} is not built (node services/store/native/build.mjs, with a C compiler)` };
  try {
    const native = createRequire(import.meta.url)(RELEASE_MODULE) as { dontneed(start: number, length: number): number };
    let kb = 0;
    for (const m of cleanMappings(readFileSync('/proc/self/smaps', 'utf8'), lib)) {
      const rc = native.dontneed(m.start, m.length);
      if (rc !== 0) return { skipped: `madvise failed (errno ${rc}) after ${Math.round(kb / 1024)} MB` };
      kb += m.residentKb;
    }
    return { releasedKb: kb };
  } catch (e) {
    const f = errorFields(e);
    return { skipped: `${String(f.code)}: ${String(f.error)}` };
  }
}
