/**
 * The engine reference loads what flowlog would: the same rows per format
 * from the generator's objects, into the table `flowlog migrate` made.
 */
import { mkdtempSync, readdirSync, renameSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, type GenerateSummary } from '../../generate/index.js';
import { ChdbStore } from '../../store/chdb-store.js';
import { engineLoadStatements } from '../engine-sql.js';

let dir: string;
let summary: GenerateSummary;
let session: Session;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowlog-engine-sql-'));
  summary = await generate({ out: join(dir, 'raw'), flows: 4000, seed: 3, start: new Date('2024-11-20T10:00:00Z'), hours: 2 });
  mkdirSync(join(dir, 'aws')); mkdirSync(join(dir, 'azure'));
  for (const top of readdirSync(join(dir, 'raw'))) {
    if (top === 'AWSLogs') renameSync(join(dir, 'raw', top), join(dir, 'aws', top));
    else if (top.startsWith('insights-logs-')) renameSync(join(dir, 'raw', top), join(dir, 'azure', top));
  }
  const store = new ChdbStore(join(dir, 'store'));
  await store.migrate();
  await store.close();
  session = new Session(join(dir, 'store', 'clickhouse'));
  for (const sql of [...engineLoadStatements('aws', join(dir, 'aws')), ...engineLoadStatements('azure', join(dir, 'azure'))]) await session.queryAsync(sql);
}, 120_000);

afterAll(() => {
  session?.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = (sql: string) => session.query(sql, 'JSONEachRow').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const expected = (format: string) => summary.files.filter((f) => f.format === format).reduce((s, f) => s + f.records, 0);

describe('engine reference SQL', () => {
  it('stores every record of every format, once', () => {
    const got = Object.fromEntries(rows("SELECT concat(log_type, '-', toString(version)) AS k, count() AS n FROM flows GROUP BY k").map((r) => [r.k, Number(r.n)]));
    expect(got).toEqual({ 'vpc-2': expected('aws-v2'), 'vpc-5': expected('aws-v5'), 'nsg-2': expected('azure-nsg'), 'vnet-4': expected('azure-vnet') });
  });

  it('fills the columns the record carries, as flowlog does', () => {
    const [aws] = rows("SELECT countIf(src_addr IS NULL) AS no_addr, sum(log_status = 'NODATA' OR log_status = 'SKIPDATA') AS idle, " +
      "countIf(version = 5 AND vpc_id IS NULL) AS v5_no_vpc, countIf(version = 2 AND vpc_id IS NOT NULL) AS v2_vpc, min(start_time) >= '2024-11-20 10:00:00' AS in_span, " +
      "countIf(NOT startsWith(source, '/')) AS relative FROM flows WHERE provider = 'aws'");
    expect(aws).toMatchObject({ no_addr: aws!.idle, v5_no_vpc: 0, v2_vpc: 0, in_span: 1, relative: 0 });
    const [az] = rows("SELECT countIf(src_addr IS NULL OR dst_port IS NULL OR mac IS NULL OR rule IS NULL) AS missing, " +
      "countIf(action NOT IN ('ACCEPT', 'REJECT')) AS bad_action, countIf(flow_direction NOT IN ('ingress', 'egress')) AS bad_dir, " +
      "countIf(log_type = 'vnet' AND encryption IS NULL) AS vnet_no_enc, countIf(length(account_id) != 36) AS bad_account FROM flows WHERE provider = 'azure'");
    expect(az).toEqual({ missing: 0, bad_action: 0, bad_dir: 0, vnet_no_enc: 0, bad_account: 0 });
  });
});
