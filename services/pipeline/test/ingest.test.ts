/**
 * The whole local pipeline against the real embedded engine: every record of a
 * mixed folder is stored or quarantined (counted against the source), a re-run
 * stores nothing twice, and a run that dies between storing rows and
 * recording them in the ledger, at any batch, leaves neither loss nor
 * duplicates after the restart.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { dyingStore } from '../../../test/dying-store.js';
import { HEADER, benchLines } from '../../bench/dataset.js';
import type { FlowStore } from '../../store/store.js';
import { chTime } from '../../store/ch-time.js';
import { generate } from '../../generate/index.js';
import { ingestPath } from '../ingest.js';

const AZURE_GOLDEN = new URL('../../parse/azure/test/golden/', import.meta.url).pathname;
let dir: string;
const LINES_PER_FILE = 3000, FILES = 4, JUNK = 3;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-ingest-'));
  const lines = benchLines(LINES_PER_FILE * FILES, 11);
  for (let f = 0; f < FILES; f++) {
    const d = join(dir, 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/11/24');
    mkdirSync(d, { recursive: true });
    const body = `${HEADER}\n${lines.slice(f * LINES_PER_FILE, (f + 1) * LINES_PER_FILE).join('\n')}\n`;
    writeFileSync(join(d, `123456789012_vpcflowlogs_us-east-1_fl-0abc_20241124T00${f}0Z_a1b2c3d4.log.gz`), gzipSync(body));
  }
  // junk in its own object: 3 bad lines between 2 good ones
  writeFileSync(join(dir, 'junk.log'), `${HEADER}\n${lines[0]}\n2 123 eni-x 10.0.0.999 1.1.1.1 1 2 6 1 40 1 2 ACCEPT OK\nnot a flow log\n${lines[1]}\n\x00\x01\x02\n`);
  writeFileSync(join(dir, 'corrupt.log.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]));
  const nsg = join(dir, 'insights-logs-networksecuritygroupflowevent/resourceId=/SUBSCRIPTIONS/X/y=2024/m=11/d=24/h=00/m=00/macAddress=000D3AF87856');
  mkdirSync(nsg, { recursive: true });
  copyFileSync(join(AZURE_GOLDEN, 'nsg-v2.json'), join(nsg, 'PT1H.json'));
  writeFileSync(join(dir, 'manifest.json'), '{"not":"a flow log"}');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function counts(store: FlowStore) {
  const q = async (sql: string) => Number((await store.queryRows<{ c: string }>(sql))[0]!.c);
  return {
    flows: await q('SELECT count() AS c FROM flows'),
    distinct: await q('SELECT count() AS c FROM (SELECT DISTINCT * FROM flows)'),
    rollup: await q('SELECT sum(flows) AS c FROM flows_1m'),
    rejected: await q('SELECT count() AS c FROM flows_rejected'),
    aws: await q("SELECT count() AS c FROM flows WHERE provider = 'aws'"),
    azure: await q("SELECT count() AS c FROM flows WHERE provider = 'azure'"),
  };
}


describe('local ingest', () => {
  const expectedAws = LINES_PER_FILE * FILES + 2;

  it('stores every good record once and quarantines every bad one', async () => {
    await withStore(async (store) => {
      const s = await ingestPath(store, dir, { capacity: 1000 });
      const c = await counts(store);
      expect(c.aws).toBe(expectedAws);
      expect(c.azure).toBeGreaterThan(0);
      expect(c.flows).toBe(s.rows);
      expect(c.rollup).toBe(c.flows);
      expect(c.rejected).toBe(JUNK + 1); // + the corrupt gzip object
      const reasons = await store.queryRows<{ reason: string }>('SELECT reason FROM flows_rejected ORDER BY reason');
      expect(reasons.map((r) => r.reason)).toEqual(['BAD_ADDR', 'BINARY', 'DECODE', 'FIELD_COUNT']);
      const [bad] = await store.queryRows<{ source: string; position: string; raw: string }>("SELECT source, position, raw FROM flows_rejected WHERE reason = 'BAD_ADDR'");
      expect(bad).toEqual({ source: join(dir, 'junk.log'), position: '3', raw: '2 123 eni-x 10.0.0.999 1.1.1.1 1 2 6 1 40 1 2 ACCEPT OK' });
      // the span the summary reads: the run's first and last flow, over every batch
      const [span] = await store.queryRows<{ from: string; to: string }>('SELECT toString(min(start_time)) AS from, toString(max(start_time)) AS to FROM flows');
      expect(s.flowsSpan && [chTime(s.flowsSpan.from), chTime(s.flowsSpan.to)]).toEqual([span!.from, span!.to]);
      const again = await ingestPath(store, dir, { capacity: 1000 });
      expect(again.rows).toBe(0);
      expect(again.flowsSpan).toBeUndefined();
      expect(again.skipped).toBe(s.objects);
      expect(await counts(store)).toEqual(c);
    });
  });

  it('reports the span of start times over every batch it stored, wherever in the run the earliest and latest are', async () => {
    const sdir = mkdtempSync(join(tmpdir(), 'flowlog-span-'));
    try {
      // in listing order: the earliest flow in the first object, the latest in the second, the third in between
      const line = (start: number) => `2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 ${start} ${start + 60} ACCEPT OK`;
      for (const [name, starts] of [['a.log', [1_700_000_500, 1_700_000_000, 1_700_000_600]], ['b.log', [1_700_009_000, 1_700_001_000]], ['c.log', [1_700_002_000, 1_700_003_000]]] as const) {
        writeFileSync(join(sdir, name), `${HEADER}\n${starts.map(line).join('\n')}\n`);
      }
      await withStore(async (store) => {
        const s = await ingestPath(store, sdir, { capacity: 2 });
        expect(s.rows).toBe(7);
        expect(s.flowsSpan).toEqual({ from: new Date(1_700_000_000_000), to: new Date(1_700_009_000_000) });
      });
    } finally { rmSync(sdir, { recursive: true, force: true }); }
  });

  it('a crash at any ledger write, then a restart, loses and duplicates nothing', async () => {
    const reference = await withStore(async (store) => { await ingestPath(store, dir, { capacity: 1000 }); return counts(store); });
    let resumedObjects = 0;
    for (const dieAt of [1, 3, 7, 12]) {
      await withStore(async (store) => {
        await expect(ingestPath(dyingStore(store, dieAt), dir, { capacity: 1000 })).rejects.toThrow(/simulated crash/);
        resumedObjects += (await ingestPath(store, dir, { capacity: 1000 })).resumed;
        const c = await counts(store);
        expect(c, `crash at ledger write ${dieAt}`).toEqual(reference);
        expect(c.distinct).toBe(c.flows - (await duplicatesInSource(store)));
      });
    }
    // some crash points fall inside an object: the restart must have resumed it mid-way, not only replayed
    expect(resumedObjects).toBeGreaterThan(0);
  });
});

describe('generated data', () => {
  it('ingests exactly the records the generator reports, and quarantines exactly its junk', async () => {
    const out = mkdtempSync(join(tmpdir(), 'flowlog-gen-'));
    try {
      const summary = await generate({ out, flows: 20_000, seed: 5, start: new Date('2026-03-01T00:00:00Z'), hours: 3, junk: 12 });
      await withStore(async (store) => {
        const s = await ingestPath(store, out);
        expect(s.rows).toBe(summary.records);
        expect(s.rejected).toBe(summary.junk);
        const byType = await store.queryRows<{ log_type: string; n: number }>('SELECT log_type, count() AS n FROM flows GROUP BY log_type ORDER BY log_type');
        const want = new Map<string, number>();
        for (const f of summary.files) {
          const t = f.format.startsWith('aws') ? 'vpc' : f.format === 'azure-nsg' ? 'nsg' : 'vnet';
          want.set(t, (want.get(t) ?? 0) + f.records);
        }
        expect(byType.map((r) => [r.log_type, Number(r.n)])).toEqual([...want.entries()].sort());
        const [nodata] = await store.queryRows<{ n: number }>("SELECT count() AS n FROM flows WHERE log_status != 'OK'");
        expect(Number(nodata!.n)).toBe(summary.files.reduce((a, f) => a + f.nodata, 0));
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('a gzip truncated inside its last line', () => {
  let tdir: string;
  const N = 50;
  const lines = benchLines(N, 13).filter((l) => !l.endsWith('NODATA'));
  const BYTES_LAST = HEADER.replace(' bytes', '') + ' bytes';
  const CUT_LINE = '2 123456789012 eni-0a1b2c3d4e 10.0.0.5 52.1.2.3 443 49152 6 10 1732406400 1732406460 ACCEPT OK 3013022733';
  /** A gzip whose inflated bytes stop at `at`: the deflate data of that prefix without its trailer ("unexpected end of file"). */
  const gzipBrokenAt = (text: string, at: number) => { const gz = gzipSync(Buffer.from(text).subarray(0, at)); return gz.subarray(0, gz.length - 8); };

  beforeAll(() => {
    tdir = mkdtempSync(join(tmpdir(), 'flowlog-trunc-'));
    const v2 = `${HEADER}\n${lines.join('\n')}\n`;
    writeFileSync(join(tdir, 'v2.log.gz'), gzipBrokenAt(v2, v2.length - 30));
    const custom = `${BYTES_LAST}\n${lines.slice(0, -1).map((l) => { const f = l.split(' '); const [b] = f.splice(9, 1); return [...f, b].join(' '); }).join('\n')}\n${CUT_LINE}\n`;
    writeFileSync(join(tdir, 'custom.log.gz'), gzipBrokenAt(custom, custom.indexOf('ACCEPT OK 3013022733') + 'ACCEPT OK 301302'.length));
    writeFileSync(join(tdir, 'no-final-newline.log'), `${HEADER}\n${lines.join('\n')}`);
  });
  afterAll(() => rmSync(tdir, { recursive: true, force: true }));

  it('stores every whole line, one DECODE reject per broken object and no FIELD_COUNT; a clean end keeps an unterminated last line', async () => {
    await withStore(async (store) => {
      const s = await ingestPath(store, tdir, { capacity: 7 });
      const perObject = await store.queryRows<{ o: string; n: string }>("SELECT replaceRegexpAll(source, '^.*/', '') AS o, count() AS n FROM flows GROUP BY o ORDER BY o");
      expect(perObject.map((r) => [r.o, Number(r.n)])).toEqual([['custom.log.gz', lines.length - 1], ['no-final-newline.log', lines.length], ['v2.log.gz', lines.length - 1]]);
      expect(s.rows).toBe(3 * lines.length - 2);
      const rejects = await store.queryRows<{ o: string; position: string; reason: string; raw: string }>("SELECT replaceRegexpAll(source, '^.*/', '') AS o, position, reason, raw FROM flows_rejected ORDER BY o");
      expect(rejects).toEqual([
        { o: 'custom.log.gz', position: String(lines.length + 1), reason: 'DECODE', raw: CUT_LINE.slice(0, CUT_LINE.indexOf('ACCEPT OK 301302') + 'ACCEPT OK 301302'.length) },
        { o: 'v2.log.gz', position: String(lines.length + 1), reason: 'DECODE', raw: lines.at(-1)!.slice(0, -29) },
      ]);
      // the cut value of the last line (3013022733 read as 301302) is nowhere in the store
      expect(await store.queryRows('SELECT bytes FROM flows WHERE bytes = 301302')).toEqual([]);
      // both broken objects are done (quarantined), not left for a re-run
      const again = await ingestPath(store, tdir, { capacity: 7 });
      expect([again.rows, again.skipped, again.unfinished]).toEqual([0, 3, []]);
    });
  });
});

/** Identical records that really occur twice in the source (distinct() must not hide our duplicates, so count them). */
async function duplicatesInSource(store: FlowStore): Promise<number> {
  const rows = await store.queryRows<{ c: string }>('SELECT sum(n - 1) AS c FROM (SELECT count() AS n FROM flows GROUP BY * HAVING n > 1)');
  return Number(rows[0]?.c ?? 0);
}
