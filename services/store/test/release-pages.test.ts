/**
 * The engine's start-up pages: which mappings may be released (only ones no
 * write can have reached), and, in a process of its own, that opening a store
 * releases them once, leaves the library's written pages alone, and leaves an
 * engine that still inserts and reads right.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanMappings } from '../release-pages.js';

const CHILD = fileURLToPath(new URL('./release-child.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'flowlog-release-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mapping = (range: string, perms: string, path: string, rss: number, anon: number, dirty = anon) =>
  `${range} ${perms} 00000000 fe:00 42 ${path}\nSize: 1000 kB\nRss: ${rss} kB\nPrivate_Dirty: ${dirty} kB\nAnonymous: ${anon} kB\nVmFlags: rd mr\n`;

describe('cleanMappings', () => {
  it('takes read-only private mappings of the library with no written page; nothing else', () => {
    const smaps = [
      mapping('7f0000000000-7f0000100000', 'r--p', '/x/node_modules/@chdb/lib/libchdb.so', 400, 0),
      mapping('7f0000100000-7f0000300000', 'r-xp', '/x/node_modules/@chdb/lib/libchdb.so', 900, 0),
      mapping('7f0000300000-7f0000310000', 'r--p', '/x/node_modules/@chdb/lib/libchdb.so', 64, 60), // RELRO: relocated, then read-only
      mapping('7f0000310000-7f0000320000', 'rw-p', '/x/node_modules/@chdb/lib/libchdb.so', 8, 8),
      mapping('7f0000320000-7f0000330000', 'r--p', '/x/node_modules/@chdb/lib/libchdb.so', 8, 0, 4), // dirty without being anonymous: left too
      mapping('7f0000330000-7f0000340000', 'r--s', '/x/node_modules/@chdb/lib/libchdb.so', 8, 0), // shared: not ours alone
      mapping('7f0000400000-7f0000500000', 'r-xp', '/usr/lib/libc.so.6', 300, 0),
      mapping('7f0000600000-7f0000700000', 'rw-p', '', 10, 10),
    ].join('');
    expect(cleanMappings(smaps, 'libchdb')).toEqual([
      { start: 0x7f0000000000, length: 0x100000, residentKb: 400 },
      { start: 0x7f0000100000, length: 0x200000, residentKb: 900 },
    ]);
  });
});

describe('releasing the engine\'s start-up pages', () => {
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
    expect(total(r.migrated, clean)).toBeLessThan(8 * 1024); // released by migrate
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
