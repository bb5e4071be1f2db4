/**
 * The embedded store against the real engine: migrations, the schema contract
 * (DDL and NDJSON both match schemas/flow.ts), the Native encoder's round trip
 * for every column kind, and replay deduplication by token.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FLOW_COLUMNS, clickhouseType, flowRecordSchema } from '../../../schemas/flow.js';
import { withStore } from '../../../test/temp-store.js';
import { FlowBatch } from '../../core/flow-batch.js';
import { rowToRecord } from '../../core/record.js';
import { RejectBatch } from '../../core/rejects.js';
import { decodeObject } from '../../decode/gzip.js';
import { openObjectParser } from '../../parse/object-parser.js';
import { compileLogFormat } from '../../parse/aws/log-format.js';
import { loadMigrations } from '../migrations.js';

const GOLDEN = fileURLToPath(new URL('../../parse/aws/test/golden/', import.meta.url));

async function goldenBatch(): Promise<FlowBatch> {
  const batch = new FlowBatch(256);
  const rejects = new RejectBatch();
  const files: [string, string?][] = [['v2-header.log'], ['tgw-header.log'], ['v5-custom-multimember.log.gz'], ['v8-ecs.log', 'v8-ecs.format'], ['junk.log']];
  for (const [f, fmt] of files) {
    const data = await decodeObject(readFileSync(GOLDEN + f));
    const logFormat = fmt ? compileLogFormat(readFileSync(GOLDEN + fmt, 'utf8')) : undefined;
    openObjectParser(f, data, logFormat ? { logFormat } : {}).fill(batch, rejects);
  }
  return batch;
}

describe('embedded store', () => {
  it('applies migrations once and records them', async () => {
    await withStore(async (store) => {
      const again = await store.migrate();
      expect(again.every((m) => !m.applied)).toBe(true);
      expect(again.map((m) => m.name)).toEqual(loadMigrations().map((m) => m.name));
      const rows = await store.queryRows<{ c: string }>('SELECT count() AS c FROM schema_migrations');
      expect(Number(rows[0]!.c)).toBe(loadMigrations().length);
    });
  });

  it('flows carries the write and merge settings its migrations set (docs/performance.md)', async () => {
    await withStore(async (store) => {
      const [t] = await store.queryRows<{ engine_full: string }>("SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'flows'");
      for (const setting of ['min_bytes_for_wide_part = 268435456', 'merge_selector_base = 20', 'max_parts_to_merge_at_once = 20']) expect(t!.engine_full).toContain(setting);
    });
  });

  it('flows table matches the canonical schema (drift test)', async () => {
    await withStore(async (store) => {
      const cols = await store.queryRows<{ name: string; type: string }>('SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {t:String} ORDER BY position', { t: 'flows' });
      expect(cols).toEqual(FLOW_COLUMNS.map((c) => ({ name: c.name, type: clickhouseType(c) })));
    });
  });

  it('NDJSON records match the zod record schema, keys in schema order', async () => {
    const batch = await goldenBatch();
    expect(batch.length).toBeGreaterThan(10);
    for (let r = 0; r < batch.length; r++) {
      const rec = rowToRecord(batch, r);
      expect(Object.keys(rec)).toEqual(FLOW_COLUMNS.map((c) => c.name));
      expect(() => flowRecordSchema.parse(rec)).not.toThrow();
    }
  });

  it('stores every column kind exactly (Native round trip), nulls included', async () => {
    const batch = await goldenBatch();
    batch.setNumber(FLOW_COLUMNS.findIndex((c) => c.name === 'bytes'), 0, Number.MAX_SAFE_INTEGER);
    const expected = Array.from({ length: batch.length }, (_, r) => rowToRecord(batch, r));
    await withStore(async (store) => {
      await store.insertFlows(batch, 'roundtrip');
      const cols = FLOW_COLUMNS.map((c) => {
        if (c.kind === 'ip') return `if(isNull(${c.name}), NULL, replaceOne(toString(${c.name}), '::ffff:', '')) AS ${c.name}`;
        if (c.kind === 'time') return `toUnixTimestamp64Milli(${c.name}) AS ${c.name}`;
        return c.name;
      });
      const rows = await store.queryRows<Record<string, unknown>>(
        `SELECT ${cols.join(', ')} FROM flows ORDER BY source, start_time, ifNull(bytes, 0), ifNull(dst_port, 0)`,
      );
      const kindOf = (k: string) => FLOW_COLUMNS.find((c) => c.name === k)!.kind;
      // 64-bit values come back as JSON strings; times as epoch ms
      const norm = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) && kindOf(k) !== 'str' ? Number(v) : v]));
      const msTimes = (r: Record<string, unknown>) => ({ ...r, start_time: Date.parse(String(r.start_time)), end_time: Date.parse(String(r.end_time)) });
      const sortKey = (r: Record<string, unknown>) => `${r.source}|${Date.parse(String(r.start_time))}|${String(r.bytes ?? 0).padStart(20, '0')}|${String(r.dst_port ?? 0).padStart(6, '0')}`;
      const want = [...expected].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
      expect(rows.map(norm)).toEqual(want.map(msTimes));
    });
  });

  it('drops a replayed batch (same token) in flows and in the rollup', async () => {
    const batch = await goldenBatch();
    const n = batch.length;
    await withStore(async (store) => {
      await store.insertFlows(batch, 'token-a');
      await store.insertFlows(batch, 'token-a');
      await store.insertRejects([{ source: 's', position: '1', reason: 'BAD_ADDR', detail: 'd', raw: 'r' }], 'token-a');
      await store.insertRejects([{ source: 's', position: '1', reason: 'BAD_ADDR', detail: 'd', raw: 'r' }], 'token-a');
      const [f] = await store.queryRows<{ c: string }>('SELECT count() AS c FROM flows');
      const [m] = await store.queryRows<{ c: string }>('SELECT sum(flows) AS c FROM flows_1m');
      const [q] = await store.queryRows<{ c: string }>('SELECT count() AS c FROM flows_rejected');
      expect(Number(f!.c)).toBe(n);
      expect(Number(m!.c)).toBe(n);
      expect(Number(q!.c)).toBe(1);
      await store.insertFlows(batch, 'token-b');
      const [f2] = await store.queryRows<{ c: string }>('SELECT count() AS c FROM flows');
      expect(Number(f2!.c)).toBe(2 * n);
    });
  });

  it('reads the ledger of the named objects only, when asked', async () => {
    await withStore(async (store) => {
      const entry = (object: string, complete: boolean) => ({ sourceKind: 's3' as const, object, identity: 'e:1', batchId: object, firstPosition: 0, lastPosition: 5, rows: 5, rejected: 0, complete });
      await store.recordLedger([entry('s3://b/a', true), entry('s3://b/b', false), entry("s3://b/it's", true), entry('s3://b/a\\b', true)]);
      expect([...(await store.ledgerState('s3')).keys()].sort()).toEqual(['s3://b/a', 's3://b/a\\b', 's3://b/b', "s3://b/it's"]);
      const some = await store.ledgerState('s3', ['s3://b/b', "s3://b/it's", 's3://b/never']);
      expect([...some.entries()].sort()).toEqual([['s3://b/b', { identity: 'e:1', complete: false, storedRows: 5 }], ["s3://b/it's", { identity: 'e:1', complete: true, storedRows: 5 }]]);
      expect((await store.ledgerState('s3', [])).size).toBe(0);
    });
  });
});
