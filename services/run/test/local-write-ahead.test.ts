/**
 * A `kind: local` source of `flowlog run` on the embedded store writes its
 * batches ahead, as `flowlog ingest` does, numbered under the
 * source's own name (two sources may read one folder).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEADER, benchLines } from '../../bench/dataset.js';
import { parseConfig } from '../../config/load-config.js';
import { localStream } from '../../sources/local.js';
import { ChdbStore } from '../../store/chdb-store.js';
import { runConfigured } from '../runner.js';

describe('a local source of flowlog run', () => {
  it('writes each batch ahead under its name, and marks it stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowlog-run-local-'));
    try {
      const logs = join(dir, 'logs');
      mkdirSync(logs);
      const lines = benchLines(3000, 3);
      for (let f = 0; f < 5; f++) writeFileSync(join(logs, `f${f}.log`), `${HEADER}\n${lines.slice(f * 600, (f + 1) * 600).join('\n')}\n`);
      const cfg = parseConfig([`store: { kind: embedded, data_dir: ${join(dir, 'store')} }`, 'batch_rows: 1000', 'sources:', `  - { kind: local, name: files, path: ${logs} }`].join('\n'));
      const running = await runConfigured(cfg, dir);
      await running.done;
      await running.stop();
      const store = new ChdbStore(join(dir, 'store'));
      try {
        const rows = await store.queryRows<{ n: string; state: string; members: string }>(
          'SELECT first_position AS n, state, identity AS members FROM ingest_ledger WHERE object = {o:String} ORDER BY first_position, state', { o: `${localStream(logs)}?source=files` });
        // 3000 rows in batches of 1000 over files of 600: every batch holds two files
        expect(rows.map((r) => `${r.n}:${r.state}`)).toEqual(['0:intent', '0:stored', '1:intent', '1:stored', '2:intent', '2:stored']);
        // each intent lists the batch's segments: object, identity, first and end row
        const segments = (JSON.parse(rows[0]!.members) as [string, string, number, number][]).map(([name, , first, last]) => [name, first, last]);
        expect(segments).toEqual([[join(logs, 'f0.log'), 0, 600], [join(logs, 'f1.log'), 0, 400]]);
        const [c] = await store.queryRows<{ n: string }>('SELECT count() AS n FROM flows');
        expect(Number(c!.n)).toBe(3000);
      } finally { await store.close(); }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
