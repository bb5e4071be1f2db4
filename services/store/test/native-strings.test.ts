/**
 * String columns go to the engine as LowCardinality (dictionary + index per
 * row): NULL and '' must stay apart, every index width (1, 2 and 4 bytes) must
 * land, and both target types (LowCardinality and plain String) must read back
 * exactly what the batch held.
 */
import { describe, expect, it } from 'vitest';
import { FLOW_COLUMNS } from '../../../schemas/flow.js';
import { withStore } from '../../../test/temp-store.js';
import { FlowBatch } from '../../core/flow-batch.js';

const col = (name: string): number => FLOW_COLUMNS.findIndex((c) => c.name === name);

function setString(batch: FlowBatch, c: number, row: number, v: string | null): void {
  batch.use(c);
  if (v === null) { batch.nulls[c]![row] = 1; return; }
  batch.codes[c]![row] = batch.dicts[c]!.internString(v);
  batch.nulls[c]![row] = 0;
}

function batchOf(rows: number, value: (r: number) => string | null): FlowBatch {
  const batch = new FlowBatch(rows);
  for (let r = 0; r < rows; r++) {
    batch.setNumber(col('start_time'), r, 1_700_000_000_000 + r);
    batch.setNumber(col('end_time'), r, 1_700_000_060_000 + r);
    setString(batch, col('source'), r, 'native-strings');
    setString(batch, col('provider'), r, 'aws');
    setString(batch, col('log_type'), r, 'vpc');
    setString(batch, col('vpc_id'), r, value(r)); // LowCardinality(Nullable(String)) in the table
    setString(batch, col('interface_id'), r, value(r)); // Nullable(String) in the table
  }
  batch.length = rows;
  return batch;
}

const SPECIAL = [null, '', 'é-ü-日本', 'x'.repeat(300)];

async function roundTrip(rows: number, value: (r: number) => string | null): Promise<void> {
  await withStore(async (store) => {
    await store.insertFlows(batchOf(rows, value), `strings-${rows}`);
    const got = await store.queryRows<{ t: string; v: string | null; i: string | null }>(
      'SELECT toString(toUnixTimestamp64Milli(start_time)) AS t, vpc_id AS v, interface_id AS i FROM flows ORDER BY start_time');
    expect(got.length).toBe(rows);
    for (let r = 0; r < rows; r++) {
      const want = value(r);
      if (got[r]!.v !== want || got[r]!.i !== want) expect({ row: r, v: got[r]!.v, i: got[r]!.i }).toEqual({ row: r, v: want, i: want });
    }
  });
}

describe('string columns in the Native block', () => {
  it('keeps NULL, the empty string, UTF-8 and long values apart (1-byte indexes)', async () => {
    await roundTrip(40, (r) => SPECIAL[r % SPECIAL.length]!);
  });

  it('past 256 keys (2-byte indexes)', async () => {
    await roundTrip(3_000, (r) => (r % 7 === 0 ? SPECIAL[r % SPECIAL.length]! : `eni-${r % 1_000}`));
  });

  it('past 65,536 keys (4-byte indexes)', async () => {
    await roundTrip(70_000, (r) => (r % 11 === 0 ? SPECIAL[r % SPECIAL.length]! : `i-${r.toString(16)}`));
  }, 60_000);
});
