/**
 * The engine's start-up pages: which mappings may be released (only ones no
 * write can have reached), and, in a process of its own, that opening a store
 * releases them once, leaves the library's written pages alone, and leaves an
 * engine that still inserts and reads right.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanMappings, RELEASE_MODULE } from '../release-pages.js';

const CHILD = fileURLToPath(new URL('./release-child.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'flowlog-release-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mapping = (range: string, perms: string, path: string, rss: number, anon: number, dirty = anon, swap = 0) =>
  `${range} ${perms} 00000000 fe:00 42 ${path}\nSize: 1000 kB\nRss: ${rss} kB\nPrivate_Dirty: ${dirty} kB\nAnonymous: ${anon} kB\nSwap: ${swap} kB\nSwapPss: ${swap} kB\nVmFlags: rd mr\n`;

describe('cleanMappings', () => {
  it('takes read-only private mappings of the library with no written page; nothing else', () => {
    const smaps = [
      mapping('7f0000000000-7f0000100000', 'r--p', '/x/node_modules/@chdb/lib/libchdb.so', 400, 0),
      mapping('7f0000100000-7f0000300000', 'r-xp', '/x/node_modules/@chdb/lib/libchdb.so', 900, 0),
      mapping('7f0000300000-7f0000310000', 'r--p', '/x/node_modules/@chdb/lib/libchdb.so', 64, 60), // RELRO: relocated, then read-only
      mapping('7f0000310000-7f0000320000', 'rw-p', '/x/node_modules/@chdb/lib/libchdb.so', 8, 8),
      mapping('7f0000320000-7f0000330000', 'r--p', '/x/node_modules/@chdb/lib/libchdb.so', 8, 0, 4), // dirty without being anonymous: left too
      mapping('7f0000330000-7f0000340000', 'r--s', '/x/node_modules/@chdb/lib/libchdb.so', 8, 0), // shared: not ours alone
      mapping('7f0000340000-7f0000350000', 'r--p', '/x/node_modules/@chdb/lib/libchdb.so', 0, 0, 0, 48), // relocated pages swapped out: still written
      mapping('7f0000350000-7f0000360000', 'r-xp', '/srv/libchdb.so-checkout/node_modules/chdb/build/chdb_node.node', 8, 0), // another file under a like-named folder
      mapping('7f0000360000-7f0000370000', 'r-xp', '/x/node_modules/@chdb/lib/libchdb.so (deleted)', 16, 0), // replaced on disk: still its own pages
      mapping('7f0000400000-7f0000500000', 'r-xp', '/usr/lib/libc.so.6', 300, 0),
      mapping('7f0000600000-7f0000700000', 'rw-p', '', 10, 10),
    ].join('');
    expect(cleanMappings(smaps, 'libchdb.so')).toEqual([
      { start: 0x7f0000000000, length: 0x100000, residentKb: 400 },
      { start: 0x7f0000100000, length: 0x200000, residentKb: 900 },
      { start: 0x7f0000360000, length: 0x10000, residentKb: 16 },
    ]);
    // a mapping whose swap fields are missing (an older kernel) is left alone too
    expect(cleanMappings(smaps.replace(/Swap(Pss)?: 0 kB\n/g, ''), 'libchdb.so')).toEqual([]);
  });
});

// the native module is built by npm ci wherever a C compiler is (CI has one); /proc/self/smaps is Linux's
describe.runIf(process.platform === 'linux')('releasing the engine\'s start-up pages', () => {
  it('has its native module built', () => {
    expect(existsSync(RELEASE_MODULE), `${RELEASE_MODULE} is missing: run node services/store/native/build.mjs (needs a C compiler)`).toBe(true);
  });

  const open = (memory: object) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, join(root, `s${Math.random().toString(36).slice(2)}`), JSON.stringify(memory)], { encoding: 'utf8', timeout: 120_000 });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    expect(r.status, r.stderr).toBe(0);
    type Maps = Record<string, { rss: number; anon: number }>;
    return JSON.parse(line) as { started: Maps; migrated: Maps; again: { releasedKb?: number; skipped?: string }; afterCall: Maps; worked: Maps; sum: string; count: string };
  };
  const total = (m: Record<string, { rss: number }>, pick: (k: string) => boolean = () => true) => Object.entries(m).filter(([k]) => pick(k)).reduce((a, [, v]) => a + v.rss, 0);

  it('migrate releases the clean mappings once; written pages stay; the engine still inserts and reads right', { timeout: 120_000 }, () => {
    const r = open({});
    const clean = (k: string) => !k.startsWith('rw') && r.started[k]!.anon === 0;
    expect(total(r.started, clean)).toBeGreaterThan(100 * 1024); // the start-up left >100 MB of the library resident
    // released by migrate (the engine's own threads may map a few MB back before the child looks)
    expect(total(r.migrated, clean)).toBeLessThan(Math.min(40 * 1024, total(r.started, clean) / 4));
    for (const [k, v] of Object.entries(r.started)) if (!clean(k)) expect(r.migrated[k]!.rss).toBeGreaterThanOrEqual(v.rss); // written pages kept
    expect(r.again).toEqual({ releasedKb: 0 }); // once per process
    expect(r.sum).toBe('499999500000');
    expect(r.count).toBe('1000000');
    expect(total(r.worked, clean)).toBeLessThan(total(r.started, clean)); // what the work mapped back is less than the start-up held
  });

  it('memory.release_engine_pages: false keeps them', { timeout: 120_000 }, () => {
    const r = open({ release_engine_pages: false });
    const clean = (k: string) => !k.startsWith('rw') && r.started[k]!.anon === 0;
    expect(total(r.migrated, clean)).toBeGreaterThan(100 * 1024);
    expect(r.sum).toBe('499999500000');
  });
});
