/**
 * VPC flow logs delivered as Parquet. The files are written by the real
 * ClickHouse engine (independent of the reader) with AWS's Parquet column
 * names and types, from the same lines the text parser reads: both paths must
 * give the same records. Bad values are rejected row by row; a corrupt file is
 * one DECODE reject.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStore } from '../../../../test/temp-store.js';
import { FlowBatch } from '../../../core/flow-batch.js';
import { rowToRecord } from '../../../core/record.js';
import { RejectBatch } from '../../../core/rejects.js';
import { HEADER, benchLines } from '../../../bench/dataset.js';
import { ingestPath } from '../../../pipeline/ingest.js';
import { openAnyObjectParser } from '../../object-parser.js';
import { parseAll } from './parse-helpers.js';

let dir = '';
const LINES = benchLines(3000, 31);
// AWS's Parquet types: INT_32 for version/ports/protocol, INT_64 for counters and times, STRING otherwise
const STRUCTURE = 'version Int32, account_id String, interface_id String, srcaddr Nullable(String), dstaddr Nullable(String), srcport Nullable(Int32), dstport Nullable(Int32), protocol Nullable(Int32), packets Nullable(Int64), bytes Nullable(Int64), start Int64, end Int64, action Nullable(String), log_status String';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-parquet-'));
  const text = join(dir, 'lines.log');
  writeFileSync(text, `${LINES.join('\n')}\n${'2 123456789012 eni-0bad 10.0.0.1 10.0.0.2 70000 80 6 1 40 1732406400 1732406460 ACCEPT OK'}\n`);
  await withStore(async (store) => {
    for (const codec of ['zstd', 'gzip']) { // AWS delivers GZIP; ZSTD is the engine's default
      await store.exec(`INSERT INTO FUNCTION file('${join(dir, `flows-${codec}.parquet`)}', 'Parquet') SELECT * FROM file('${text}', 'CSV', '${STRUCTURE}')
        SETTINGS format_csv_delimiter = ' ', input_format_csv_allow_whitespace_or_tab_as_delimiter = 1, format_csv_null_representation = '-',
        output_format_parquet_compression_method = '${codec}'`);
    }
  });
  writeFileSync(join(dir, 'corrupt.parquet'), Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7), Buffer.from('PAR1')]));
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('Parquet flow logs', () => {
  it.each(['zstd', 'gzip'])('%s: parse to the same records as the same lines as text, and reject bad rows', async (codec) => {
    const data = readFileSync(join(dir, `flows-${codec}.parquet`));
    const parser = await openAnyObjectParser('f', data);
    const batch = new FlowBatch(700); // several fills
    const rejects = new RejectBatch();
    const got = [];
    for (let done = false; !done;) {
      done = parser.fill(batch, rejects);
      for (let r = 0; r < batch.length; r++) got.push(rowToRecord(batch, r));
      batch.reset();
    }
    const fromText = parseAll(Buffer.from(`${HEADER}\n${LINES.join('\n')}\n`), { source: 'f' }).records;
    expect(got).toEqual(fromText);
    expect(rejects.items.map((r) => r.reason)).toEqual(['BAD_PORT']);
  });

  it('ingests, and quarantines a corrupt file as one DECODE reject', async () => {
    await withStore(async (store) => {
      const s = await ingestPath(store, dir);
      expect(s.rows).toBe(3 * LINES.length); // two .parquet files and the .log hold the same flows
      const reasons = await store.queryRows<{ reason: string }>('SELECT reason FROM flows_rejected ORDER BY reason');
      expect(reasons.map((r) => r.reason)).toEqual(['BAD_PORT', 'BAD_PORT', 'BAD_PORT', 'DECODE']);
    });
  });
});
