/** Spool files left by a killed run are removed when a store opens; those of a live flowlog stay. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbStore } from '../chdb-store.js';
import { processStart } from '../process-identity.js';
import { spoolFileName } from '../spool-files.js';

const root = mkdtempSync(join(tmpdir(), 'flowlog-spool-'));
let live: ChildProcess;
beforeAll(() => { live = spawn('sleep', ['300'], { stdio: 'ignore' }); });
afterAll(() => { live.kill(); rmSync(root, { recursive: true, force: true }); });

describe('spool files', () => {
  it('are named for this process (pid and start time)', () => {
    expect(spoolFileName(7, 'Native')).toBe(`flowlog-${process.pid}-${processStart(process.pid)}-7.native`);
  });

  it('of dead processes (or recycled pids) are removed when a store opens; a live process\'s stay', async () => {
    const spool = join(root, 'spool');
    mkdirSync(spool);
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const livePid = live.pid!;
    const names = {
      dead: `flowlog-${dead}-12345-0.native`,
      deadOld: `flowlog-${dead}-3.jsoneachrow`, // an older flowlog's name: pid and sequence only
      recycled: `flowlog-${livePid}-1-0.native`, // the pid is alive, but it is not the process that wrote this
      live: `flowlog-${livePid}-${processStart(livePid)}-0.native`,
      liveOld: `flowlog-${livePid}-4.native`,
      other: 'flowlog-notes.txt',
    };
    for (const name of Object.values(names)) writeFileSync(join(spool, name), 'x');
    mkdirSync(join(spool, `flowlog-${dead}-1-1.native`)); // not a file: not ours to remove
    const store = new ChdbStore(join(root, 'store'), { spoolDir: spool });
    try {
      expect(readdirSync(spool).sort()).toEqual([names.live, names.liveOld, names.other, `flowlog-${dead}-1-1.native`].sort());
      expect(existsSync(join(spool, names.dead))).toBe(false);
    } finally {
      await store.close();
    }
  });
});
