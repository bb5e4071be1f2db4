/**
 * The ingest summary's top-N tables pick their rows first and count distinct
 * peers for those rows only (counting them for every address held ~250 MB on
 * a 20M-flow store). They must answer what one GROUP BY over everything does.
 */
import { describe, expect, it } from 'vitest';
import { COLUMN_INDEX } from '../../../schemas/flow.js';
import { withStore } from '../../../test/temp-store.js';
import { FlowBatch } from '../../core/flow-batch.js';
import { startSpan } from '../../commit/stored-batch.js';
import { chTime } from '../../store/ch-time.js';
import { ADDR, summaryQueries } from '../summary.js';

// the plain form: one GROUP BY, distinct peers for every group
const REFERENCE = {
  topTalkers: `SELECT ${ADDR('src_addr')} AS source, formatReadableDecimalSize(sum(bytes)) AS sent, count() AS flows, uniqExact(dst_addr) AS peers
    FROM flows WHERE log_status = 'OK' GROUP BY src_addr ORDER BY sum(bytes) DESC, src_addr LIMIT 5`,
  topDenied: `SELECT ${ADDR('src_addr')} AS source, dst_port, count() AS denied_flows, uniqExact(dst_addr) AS targets
    FROM flows WHERE action = 'REJECT' GROUP BY src_addr, dst_port ORDER BY denied_flows DESC, src_addr, dst_port LIMIT 5`,
};

function flows(n: number, seed: number, shiftMs = 0): FlowBatch {
  const b = new FlowBatch(n);
  let x = seed;
  const rnd = (m: number) => { x = (x * 1103515245 + 12345) >>> 0; return (x >>> 8) % m; };
  const str = (c: number, r: number, v: string) => { b.use(c); b.codes[c]![r] = b.dicts[c]!.internString(v); b.nulls[c]![r] = 0; };
  const ip = (c: number, r: number, a: number, d: number) => { b.use(c); b.ip[c]!.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, a, d], r * 16); b.nulls[c]![r] = 0; };
  for (let r = 0; r < n; r++) {
    b.setNumber(COLUMN_INDEX.start_time, r, 1_700_000_000_000 + shiftMs + rnd(7_200_000));
    b.setNumber(COLUMN_INDEX.end_time, r, 1_700_000_000_000 + shiftMs + 7_200_000);
    // skewed: a few sources carry most bytes and denials, so the top 5 are not ties
    const src = rnd(4) === 0 ? rnd(6) : rnd(200);
    // source 0 is a NULL address (a custom format without srcaddr) and one port in four is NULL: both rank among the top
    if (src === 0) { b.use(COLUMN_INDEX.src_addr); b.nulls[COLUMN_INDEX.src_addr]![r] = 1; } else ip(COLUMN_INDEX.src_addr, r, 1, src);
    ip(COLUMN_INDEX.dst_addr, r, 2, rnd(120));
    b.setNumber(COLUMN_INDEX.bytes, r, (src < 6 ? 10_000 * (src + 1) : 100) + rnd(50));
    b.setNumber(COLUMN_INDEX.dst_port, r, [22, 443, 3389, null][rnd(4)]!);
    str(COLUMN_INDEX.action, r, rnd(3) === 0 ? 'REJECT' : 'ACCEPT');
    str(COLUMN_INDEX.log_status, r, rnd(50) === 0 ? 'NODATA' : 'OK');
    for (const [c, v] of [[COLUMN_INDEX.provider, 'aws'], [COLUMN_INDEX.log_type, 'vpc'], [COLUMN_INDEX.source, 'summary-test']] as const) str(c, r, v);
  }
  b.length = n;
  return b;
}

describe('ingest summary queries', () => {
  it('top talkers and top denied give what one GROUP BY over every row gives', async () => {
    await withStore(async (store) => {
      await store.insertFlows(flows(20_000, 1), 'summary-1');
      await store.insertFlows(flows(20_000, 2), 'summary-2');
      for (const name of ['topTalkers', 'topDenied'] as const) {
        const want = await store.queryRows<Record<string, unknown>>(REFERENCE[name]);
        const got = await store.queryRows<Record<string, unknown>>(summaryQueries()[name]);
        expect(want).toHaveLength(5);
        expect(want.some((r) => r.source === null)).toBe(true);
        expect(got.map((r) => Object.fromEntries(Object.keys(want[0]!).map((k) => [k, r[k]])))).toEqual(want);
      }
    });
  });

  it('scoped to a run\'s span, they read only the flows whose start_time is in it, its first and last flow included', async () => {
    await withStore(async (store) => {
      const run = flows(20_000, 1);
      const span = startSpan(run)!;
      await store.insertFlows(run, 'span-1');
      // other flows, three days later and three days before: outside the run's span on both sides
      await store.insertFlows(flows(20_000, 2, 3 * 86_400_000), 'span-2');
      await store.insertFlows(flows(20_000, 3, -3 * 86_400_000), 'span-3');
      const q = summaryQueries({ from: new Date(span.first), to: new Date(span.last) });
      expect((await store.queryRows<{ total: string }>(q.count)).map((r) => Number(r.total))).toEqual([20_000]);
      expect((await store.queryRows<{ total: string }>(summaryQueries().count)).map((r) => Number(r.total))).toEqual([60_000]);
      const inRun = `toDate(start_time) IN (toDate('${chTime(new Date(span.first)).slice(0, 10)}'), toDate('${chTime(new Date(span.last)).slice(0, 10)}'))`;
      for (const name of ['topTalkers', 'topDenied'] as const) {
        const want = await store.queryRows<Record<string, unknown>>(REFERENCE[name].replace('FROM flows WHERE', `FROM flows WHERE ${inRun} AND`));
        const got = await store.queryRows<Record<string, unknown>>(q[name]);
        expect(want).toHaveLength(5);
        expect(got.map((r) => Object.fromEntries(Object.keys(want[0]!).map((k) => [k, r[k]])))).toEqual(want);
        // and they differ from the whole store's: the later flows would have changed them
        expect(await store.queryRows<Record<string, unknown>>(summaryQueries()[name])).not.toEqual(got);
      }
      const types = await store.queryRows<{ flows: string }>(q.byType);
      expect(types.map((r) => Number(r.flows))).toEqual([20_000]);
      // a parsed time past DateTime64's range (11-digit seconds are accepted) widens the span: the engine reads the literal as its
      // latest time, and the query still answers
      const far = summaryQueries({ from: new Date(span.first), to: new Date(Date.UTC(5000, 0, 1)) });
      expect((await store.queryRows<{ total: string }>(far.count)).map((r) => Number(r.total))).toEqual([40_000]);
    });
  });
});
