/**
 * flowsOrder sorts a batch's rows as the flows table's key does, so that the
 * engine finds each block already sorted and skips its own sort and copy.
 * Checked against a plain comparator sort (fast-check), then against the
 * engine itself: its MergeTreeDataWriterBlocksAlreadySorted counter, on a
 * table made `AS flows` (the migrated key), for blocks of one and of several
 * daily partitions; the encoder's gathers are checked by reading the block back.
 */
import { writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COLUMN_INDEX } from '../../../schemas/flow.js';
import { withStore } from '../../../test/temp-store.js';
import { FlowBatch } from '../../core/flow-batch.js';
import type { ChdbStore } from '../chdb-store.js';
import { flowsOrder } from '../flows-order.js';
import { encodeNative } from '../native-encoder.js';

const HOUR = 3_600_000;
const START = COLUMN_INDEX.start_time, SRC = COLUMN_INDEX.src_addr, DST = COLUMN_INDEX.dst_addr;

type Addr = number[] | null;
interface Row { start: number; src: Addr; dst: Addr; bytes: number | null; port: number | null; vpc: string | null }

const v4 = (a: number, b: number) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, a, b];
// few distinct values in each part of the key, so that ties reach the next key and the sort's stability
// upper 96 bits below and above IPv4-mapped ones (::ffff:0:0/96), each with several low parts
const UPPERS = [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0], [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0], [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]];
// mostly IPv4-mapped (the upper 96 bits ranked apart from the few others) or mostly not (every word sorted)
const addrMix = (v6: number, uppers = UPPERS, random = 1): fc.Arbitrary<Addr> => fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([a, b]) => v4(a, b)) },
  { weight: v6, arbitrary: fc.tuple(fc.constantFrom(...uppers), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([u, a, b]) => [...u, a * 0x40, 0, a, b]) },
  { weight: random, arbitrary: fc.array(fc.constantFrom(0, 1, 0x20, 0xfe, 0xff), { minLength: 16, maxLength: 16 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);
const addr = addrMix(1);
const start = fc.tuple(fc.integer({ min: -3, max: 50 }), fc.constantFrom(0, 1, 999, 65_535, 65_536, 1_800_000, HOUR - 1))
  .map(([h, ms]) => 1_700_000_000_000 - (1_700_000_000_000 % HOUR) + h * HOUR + ms);
const rowOf = (a: fc.Arbitrary<Addr>): fc.Arbitrary<Row> => fc.record({
  start, src: a, dst: a,
  bytes: fc.option(fc.integer({ min: 0, max: 2 ** 40 })), port: fc.option(fc.integer({ min: 0, max: 65_535 })),
  vpc: fc.option(fc.constantFrom('vpc-a', 'vpc-b', '')),
});
const row = rowOf(addr);

function batchOf(rows: readonly Row[]): FlowBatch {
  const b = new FlowBatch(Math.max(rows.length, 1));
  const str = (c: number, r: number, v: string) => { b.use(c); b.codes[c]![r] = b.dicts[c]!.internString(v); b.nulls[c]![r] = 0; };
  rows.forEach((x, r) => {
    b.setNumber(START, r, x.start);
    b.setNumber(COLUMN_INDEX.end_time, r, x.start + 60_000);
    b.setNumber(COLUMN_INDEX.bytes, r, x.bytes);
    b.setNumber(COLUMN_INDEX.dst_port, r, x.port);
    for (const [c, a] of [[SRC, x.src], [DST, x.dst]] as const) {
      b.use(c);
      // a NULL slot keeps stale bytes, as after a rejected row: the order must not read them
      b.ip[c]!.set(a ?? [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, r & 0xff], r * 16);
      b.nulls[c]![r] = a ? 0 : 1;
    }
    for (const [c, v] of [[COLUMN_INDEX.provider, 'aws'], [COLUMN_INDEX.log_type, 'vpc'], [COLUMN_INDEX.source, `obj-${r % 3}`]] as const) str(c, r, v);
    if (x.vpc === null) { b.use(COLUMN_INDEX.vpc_id); b.nulls[COLUMN_INDEX.vpc_id]![r] = 1; } else str(COLUMN_INDEX.vpc_id, r, x.vpc);
  });
  b.length = rows.length;
  return b;
}

/** The table's key as the engine compares it: bytes in network order, NULL after every address. */
function cmpAddr(a: Addr, b: Addr): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
function reference(rows: readonly Row[]): number[] {
  return rows.map((_, i) => i).sort((i, j) => {
    const a = rows[i]!, b = rows[j]!;
    return Math.floor(a.start / HOUR) - Math.floor(b.start / HOUR) || cmpAddr(a.src, b.src) || cmpAddr(a.dst, b.dst) || a.start - b.start || i - j;
  });
}

describe('flowsOrder', () => {
  it('is a stable sort by (hour, src, dst, start), NULL addresses last, and null when nothing moves', () => {
    // the last: every other upper part below the common one, which then ranks last
    const rows = fc.oneof(fc.array(row, { maxLength: 300 }), fc.array(rowOf(addrMix(30)), { maxLength: 300 }), fc.array(rowOf(addrMix(1, UPPERS.slice(0, 2), 0)), { maxLength: 300 }));
    fc.assert(fc.property(rows, (rows) => {
      const order = flowsOrder(batchOf(rows));
      const want = reference(rows);
      const got = order ? [...order] : rows.map((_, i) => i);
      expect(got).toEqual(want);
      if (!order) return;
      expect(want.some((v, i) => v !== i)).toBe(true);
    }), { numRuns: 400 });
  });

  it('ranks more than 65,536 distinct upper parts (two digits)', () => {
    const rows: Row[] = [];
    for (let r = 0; r < 280_000; r++) {
      const v6 = r % 4 === 0 ? [0x20, 1, (r >> 16) & 0xff, (r >> 8) & 0xff, r & 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, r % 3] : null;
      rows.push({ start: 1_700_000_000_000 + (r % 7) * 1000, src: v6 ?? v4((r * 7) & 3, r & 3), dst: v4(r & 1, 0), bytes: null, port: null, vpc: null });
    }
    rows.reverse();
    expect([...flowsOrder(batchOf(rows))!]).toEqual(reference(rows));
  });

  it('gives the same answer again after sorting another batch in the arrays it reuses', () => {
    const rows = fc.sample(row, { numRuns: 2_000, seed: 7 });
    const first = [...(flowsOrder(batchOf(rows)) ?? [])];
    flowsOrder(batchOf(rows.slice(0, 10)));
    expect([...(flowsOrder(batchOf(rows)) ?? [])]).toEqual(first);
  });
});

const events = async (store: ChdbStore) => Object.fromEntries((await store.queryRows<{ event: string; value: string }>(
  "SELECT event, value FROM system.events WHERE event IN ('MergeTreeDataWriterBlocks', 'MergeTreeDataWriterBlocksAlreadySorted')",
)).map((r) => [r.event, Number(r.value)]));

async function insertBlock(store: ChdbStore, block: { columns: string[]; data: Buffer }, name: string): Promise<{ blocks: number; sorted: number }> {
  const path = join(tmpdir(), `flowlog-order-${process.pid}-${name}.native`);
  writeFileSync(path, block.data);
  try {
    const before = await events(store);
    await store.exec(`INSERT INTO order_probe (${block.columns.join(', ')}) SELECT * FROM file('${path}', 'Native')`);
    const after = await events(store);
    const d = (e: string) => (after[e] ?? 0) - (before[e] ?? 0);
    return { blocks: d('MergeTreeDataWriterBlocks'), sorted: d('MergeTreeDataWriterBlocksAlreadySorted') };
  } finally { rmSync(path, { force: true }); }
}

describe('flowsOrder against the engine', () => {
  it('the engine finds every part of an ordered block already sorted, and the rows read back as the batch held them', async () => {
    await withStore(async (store) => {
      // AS flows: the migrated key and columns, without the views that would write blocks of their own
      await store.exec('CREATE TABLE order_probe AS flows');
      for (const [name, hours] of [['one-day', 20], ['several-days', 24 * 5]] as const) {
        const rows = fc.sample(row.map((x) => ({ ...x, start: x.start + (Math.abs(x.start) % hours) * HOUR })), { numRuns: 5_000, seed: hours });
        const batch = batchOf(rows);
        const order = flowsOrder(batch);
        expect(order).not.toBeNull();
        const plain = await insertBlock(store, encodeNative(batch, Buffer.allocUnsafe, null), `${name}-plain`);
        expect(plain.sorted).toBe(0); // the control: as generated, the block is not in key order
        const ordered = await insertBlock(store, encodeNative(batch, Buffer.allocUnsafe, order), `${name}-ordered`);
        expect(ordered.blocks).toBeGreaterThan(name === 'one-day' ? 0 : 1);
        expect(ordered).toEqual({ blocks: ordered.blocks, sorted: ordered.blocks });
        await store.exec('TRUNCATE TABLE order_probe');
      }
    });
  });

  it('the encoder writes every kind of column in the given order', async () => {
    await withStore(async (store) => {
      const rows = fc.sample(row, { numRuns: 3_000, seed: 11 });
      const batch = batchOf(rows);
      const order = flowsOrder(batch)!;
      const path = join(tmpdir(), `flowlog-order-${process.pid}-read.native`);
      // what both stores send: the key order unless told otherwise
      expect(encodeNative(batch).data.equals(encodeNative(batch, Buffer.allocUnsafe, order).data)).toBe(true);
      writeFileSync(path, encodeNative(batch, Buffer.allocUnsafe, order).data);
      try {
        const got = await store.queryRows<Record<string, string | number | null>>(
          `SELECT toUnixTimestamp64Milli(start_time) AS start, hex(src_addr) AS src, hex(dst_addr) AS dst, bytes, dst_port AS port, vpc_id AS vpc, source FROM file('${path}', 'Native')`);
        const fmt = (a: Addr) => (a ? Buffer.from(a).toString('hex').toUpperCase() : null);
        const want = [...order].map((i) => {
          const x = rows[i]!;
          return { start: String(x.start), src: fmt(x.src), dst: fmt(x.dst), bytes: x.bytes === null ? null : String(x.bytes), port: x.port, vpc: x.vpc, source: `obj-${i % 3}` };
        });
        expect(got.map((g) => ({ ...g, start: String(g.start), bytes: g.bytes === null ? null : String(g.bytes) }))).toEqual(want);
      } finally { rmSync(path, { force: true }); }
    });
  });
});
