/**
 * The cluster DDL (flowlog migrate --cluster) against the engine's own parser
 * and against the single-node schema. No ClickHouse cluster or Keeper runs
 * here, so the generated statements cannot all be executed: every statement is
 * parsed by the embedded engine (formatQuery), and the drift test creates both
 * schemas in it (the cluster's local tables with their Replicated engines and
 * ON CLUSTER taken off, since those need Keeper) and compares tables, columns,
 * types, codecs, keys and views as the engine reports them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowlogError } from '../../core/errors.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clusterAccessStatements, clusterLedgerDdl, clusterStatements, LOCAL_SUFFIX, SHARDING_KEYS, type ClusterTarget } from '../cluster-ddl.js';
import { applyMigrations, clusterMigrationScript, loadMigrations, migrationStatements, splitStatements, type MigrationTarget } from '../migrations.js';
import { migrateStore } from '../retention.js';

const TARGET: ClusterTarget = { cluster: 'flowlog', database: 'default' };
const migrations = loadMigrations();
const clusterDdl = migrations.flatMap((m) => migrationStatements(m, TARGET));
const root = mkdtempSync(join(tmpdir(), 'flowlog-cluster-ddl-'));
let session: Session;

beforeAll(() => { session = new Session(join(root, 'chdb')); });
afterAll(() => { session.close(); rmSync(root, { recursive: true, force: true }); });

const rows = <T>(sql: string): T[] => {
  const out = session.query(sql, 'JSONEachRow').trim();
  return out ? out.split('\n').map((l) => JSON.parse(l) as T) : [];
};

/**
 * What a statement would be on one node without Keeper: the test's only way to
 * let the engine build the cluster's local tables. It removes exactly what the
 * transform adds (ON CLUSTER, the Replicated prefix and its Keeper arguments,
 * the replicated window names); everything compared below comes through as generated.
 */
function onOneNode(st: string): string {
  return st
    .replace(/ ON CLUSTER '[^']+'/, '')
    .replace(/ENGINE = Replicated(\w*MergeTree)\('[^']*', '[^']*'(?:, )?/, 'ENGINE = $1(')
    .replace(/ENGINE = (\w*MergeTree)\(\)/, 'ENGINE = $1')
    .replace(/replicated_deduplication_window = (\d+), replicated_deduplication_window_seconds = \d+/, 'non_replicated_deduplication_window = $1')
    // one node's Distributed table: a Merge table over the local one (a cluster cannot be named here)
    .replace(/\nENGINE = Distributed\('[^']+', '[^']+', '(\w+)'.*\)$/, "\nENGINE = Merge(currentDatabase(), '^$1$$')");
}

const byTable = (a: { table: string; position: number }, b: { table: string; position: number }) => a.table.localeCompare(b.table) || a.position - b.position;
const isDistributed = (st: string) => /\nENGINE = Distributed\(/.test(st);
const unlocal = (s: string) => s.replaceAll(LOCAL_SUFFIX, '');

describe('cluster DDL: the engine parses every statement', () => {
  it('formatQuery accepts each statement of `migrate --cluster --print`, the ledger and its rows included', () => {
    const script = clusterMigrationScript(TARGET);
    const statements = splitStatements(script);
    // the printed script is exactly what migrate runs: ledger, each migration's statements, each ledger row
    expect(statements).toHaveLength(1 + clusterDdl.length + migrations.length);
    expect(statements[0]).toBe(clusterLedgerDdl(TARGET).trim());
    for (const st of statements) {
      expect(() => session.queryBind('SELECT formatQuery({q:String})', { q: st }, 'TSV'), st.slice(0, 100)).not.toThrow();
    }
  });

  it('the access roles (migrate --cluster --roles) parse too, on every node, each table grant also on its local table', () => {
    const roles = splitStatements(readFileSync(fileURLToPath(new URL('../../../sql/access/roles.sql', import.meta.url)), 'utf8'));
    const onCluster = roles.flatMap((st) => clusterAccessStatements(st, TARGET));
    for (const st of onCluster) {
      expect(st).toContain("ON CLUSTER 'flowlog'");
      expect(() => session.queryBind('SELECT formatQuery({q:String})', { q: st }, 'TSV'), st).not.toThrow();
    }
    expect(onCluster).toContain("GRANT ON CLUSTER 'flowlog' SELECT, INSERT ON flows TO flowlog_writer");
    expect(onCluster).toContain("GRANT ON CLUSTER 'flowlog' SELECT, INSERT ON flows_local TO flowlog_writer");
    expect(onCluster).toContain("GRANT ON CLUSTER 'flowlog' SELECT ON flows_local TO flowlog_analyst");
    // views have no local table: one grant
    expect(onCluster.filter((s) => s.includes(' ON anomalies_current'))).toHaveLength(2);
    expect(onCluster.some((s) => s.includes('anomalies_current_local'))).toBe(false);
    expect(() => clusterAccessStatements('REVOKE ALL ON flows FROM x', TARGET)).toThrow(FlowlogError);
  });

  it('an invalid statement is refused by that check (the check can fail)', () => {
    expect(() => session.queryBind('SELECT formatQuery({q:String})', { q: "CREATE TABLE t ON CLUSTER 'c' ENGINE = Distributed(" }, 'TSV')).toThrow();
  });

  it('every local table is Replicated with {shard}/{replica} macros and a Keeper path of its own; windows kept', () => {
    const locals = clusterDdl.filter((s) => /^CREATE TABLE IF NOT EXISTS \w+_local /.test(s));
    expect(locals.map((s) => /^CREATE TABLE IF NOT EXISTS (\w+)_local/.exec(s)![1]).sort()).toEqual(Object.keys(SHARDING_KEYS).sort());
    const paths = locals.map((s) => {
      const m = /ENGINE = Replicated\w*MergeTree\('(\/clickhouse\/tables\/\{shard\}\/\{database\}\/(\w+))', '\{replica\}'/.exec(s);
      expect(m, s.slice(0, 80)).not.toBeNull();
      expect(s).toContain(`ON CLUSTER 'flowlog'`);
      expect(s).not.toContain('non_replicated_deduplication_window');
      return m![1];
    });
    expect(new Set(paths).size).toBe(paths.length);
    // the single node's dedup window (blocks) is the replicated one, with a Keeper time bound that does not cut it short
    const flows = locals.find((s) => s.includes('flows_local '))!;
    expect(flows).toMatch(/replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800/);
  });
});

describe('cluster DDL: the same schema as the single node (drift)', () => {
  beforeAll(() => {
    session.query('CREATE DATABASE IF NOT EXISTS single');
    session.query('CREATE DATABASE IF NOT EXISTS clustered');
    session.query('USE single');
    for (const m of migrations) for (const st of m.statements) session.query(st);
    session.query('USE clustered');
    for (const st of clusterDdl) session.query(onOneNode(st));
    session.query('USE default');
  });

  type Column = { table: string; name: string; type: string; position: number; default_kind: string; default_expression: string; compression_codec: string; comment: string };
  const fronts = Object.keys(SHARDING_KEYS).map((n) => `'${n}'`).join(', ');
  /** The single node's columns, or the cluster's local tables' columns under the single-node names. */
  const columns = (db: string) => rows<Column>(`SELECT table, name, type, position, default_kind, default_expression, compression_codec, comment FROM system.columns
      WHERE database = '${db}' ${db === 'clustered' ? `AND table NOT IN (${fronts})` : ''} ORDER BY table, position`)
    .map((c) => ({ ...c, table: unlocal(c.table) })).sort(byTable);
  type Table = { name: string; engine: string; sorting_key: string; partition_key: string; primary_key: string; engine_full: string; as_select: string; indexes: string };
  const tables = (db: string) => {
    const indexes = rows<{ table: string; i: unknown }>(`SELECT table, groupArray((name, type_full, expr, granularity)) AS i FROM system.data_skipping_indices WHERE database = '${db}' GROUP BY table`);
    return rows<Table>(`SELECT name, replaceRegexpOne(engine, '^Replicated', '') AS engine, sorting_key, partition_key, primary_key, engine_full, as_select
      FROM system.tables WHERE database = '${db}' ${db === 'clustered' ? `AND name NOT IN (${fronts})` : ''} ORDER BY name`)
      .map((t) => ({ ...t, name: unlocal(t.name), engine_full: unlocal(t.engine_full), as_select: unlocal(t.as_select).replaceAll('clustered.', 'single.'), indexes: JSON.stringify(indexes.find((i) => i.table === t.name)?.i ?? []) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  };

  it('every table has the same columns, in the same order, with the same types, defaults, codecs and comments', () => {
    const single = columns('single');
    expect(single.length).toBeGreaterThan(100);
    expect(columns('clustered')).toEqual(single);
  });

  it('the same tables, engines and their arguments (Replicated variants), order/partition/primary keys, TTLs, settings, skip indexes, views and dictionaries', () => {
    const single = tables('single');
    expect(single.map((t) => t.name)).toEqual(expect.arrayContaining(['flows', 'flows_1m_mv', 'ipam_trie', 'anomalies_current', 'source_cursors']));
    expect(tables('clustered')).toEqual(single);
  });

  it('the table in front (Distributed; Merge on one node here) has the single-node columns in their order, ALTERs included', () => {
    const shape = (db: string, suffix: string) => rows<{ table: string; name: string; type: string }>(`SELECT table, name, type, position FROM system.columns
      WHERE database = '${db}' AND table IN (${Object.keys(SHARDING_KEYS).map((n) => `'${n}${suffix}'`).join(', ')}) ORDER BY table, position`);
    expect(shape('clustered', '')).toEqual(shape('single', ''));
  });

  it('each Distributed table stands in front of its local table under the single-node name, with its sharding key', () => {
    for (const [name, key] of Object.entries(SHARDING_KEYS)) {
      const d = clusterDdl.filter((s) => isDistributed(s) && s.startsWith(`CREATE TABLE IF NOT EXISTS ${name} `));
      expect(d, name).toHaveLength(1);
      expect(d[0]).toBe(`CREATE TABLE IF NOT EXISTS ${name} ON CLUSTER 'flowlog' AS ${name}_local\nENGINE = Distributed('flowlog', 'default', '${name}_local'${key ? `, ${key}` : ''})`);
    }
  });

  it('a column added to a local table is added to its Distributed table too', () => {
    const alters = clusterDdl.filter((s) => s.startsWith('ALTER TABLE'));
    // settings are the parts' business: those stay on the local table
    const onLocal = alters.filter((s) => /^ALTER TABLE \w+_local /.test(s) && !/ MODIFY SETTING /.test(s));
    expect(onLocal.length).toBeGreaterThan(0);
    const settings = alters.filter((s) => / MODIFY SETTING /.test(s));
    expect(settings.length).toBeGreaterThan(0);
    for (const a of settings) expect(a).toMatch(/^ALTER TABLE \w+_local /);
    for (const a of onLocal) expect(alters).toContain(a.replace(/^ALTER TABLE (\w+)_local /, 'ALTER TABLE $1 '));
  });

  it('sharding keys are integers computed from the row (never NULL, never random), and Replacing tables shard by their ORDER BY columns', () => {
    const single = rows<{ name: string; engine: string; sorting_key: string }>("SELECT name, engine, sorting_key FROM system.tables WHERE database = 'single'");
    for (const [name, key] of Object.entries(SHARDING_KEYS)) {
      if (key === null) continue;
      expect(key, name).not.toMatch(/rand|now|today|rowNumber/i);
      const [t] = rows<{ type: string }>(`DESCRIBE (SELECT ${key} AS k FROM single.${name})`);
      expect(t?.type, name).toBe('UInt64');
      const table = single.find((x) => x.name === name)!;
      if (table.engine.startsWith('Replacing')) {
        const cols = /\(([^()]*)\)/.exec(key)![1]!.split(',').map((c) => c.trim());
        const order = table.sorting_key.split(',').map((c) => c.trim());
        for (const c of cols) expect(order, `${name}: ${c}`).toContain(c);
      }
    }
  });

  it('the rollup views fire on the local tables, so each shard rolls up the rows it holds', () => {
    const mvs = clusterDdl.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(mvs).toHaveLength(2);
    for (const mv of mvs) {
      expect(mv).toMatch(/ TO \w+_local AS/);
      expect(mv).toMatch(/\nFROM flows_local\n/);
    }
  });
});

describe('cluster DDL: what the transform refuses', () => {
  const caught = (f: () => unknown) => { try { f(); } catch (e) { return e; } return undefined; };

  it('a table with no sharding key, and a statement it does not know, stop with MIGRATION_FAILED naming the fix', () => {
    const e = caught(() => clusterStatements('CREATE TABLE IF NOT EXISTS brand_new\n(x UInt8)\nENGINE = MergeTree\nORDER BY x', TARGET));
    expect(e).toBeInstanceOf(FlowlogError);
    expect(e).toMatchObject({ code: 'MIGRATION_FAILED', message: expect.stringContaining('brand_new has no entry in SHARDING_KEYS') });
    expect(caught(() => clusterStatements('DROP TABLE flows', TARGET))).toMatchObject({ code: 'MIGRATION_FAILED' });
    expect(caught(() => clusterStatements('CREATE TABLE IF NOT EXISTS flows\n(x UInt8)\nENGINE = Memory', TARGET))).toMatchObject({ code: 'MIGRATION_FAILED' });
  });

  it('a cluster name that is not a plain name is USAGE (it is quoted into DDL)', () => {
    expect(caught(() => clusterStatements('CREATE VIEW IF NOT EXISTS v AS SELECT 1', { cluster: "x' OR 1", database: 'default' }))).toMatchObject({ code: 'USAGE' });
  });

  it('ALTERs a Distributed table has no use for (TTL, indexes) go to the local tables only', () => {
    expect(clusterStatements('ALTER TABLE flows MODIFY TTL toDateTime(start_time) + toIntervalDay(7)', TARGET))
      .toEqual(["ALTER TABLE flows_local ON CLUSTER 'flowlog' MODIFY TTL toDateTime(start_time) + toIntervalDay(7)"]);
  });
});

/** A store that remembers DDL and the ledger, and answers the few system queries migrate asks. */
function recordingTarget(ledgerComment?: string): MigrationTarget & { executed: string[] } {
  const done: { version: number; checksum: string }[] = [];
  let comment = ledgerComment;
  const t = {
    executed: [] as string[],
    async exec(sql: string) {
      t.executed.push(sql);
      const c = /COMMENT '(flowlog migrations, cluster [^']+)'$/.exec(sql);
      if (sql.includes('CREATE TABLE IF NOT EXISTS schema_migrations')) comment = c?.[1] ?? '';
      const m = /INSERT INTO schema_migrations \(version, name, checksum\) VALUES \((\d+), '[^']*', '([^']*)'\)/.exec(sql);
      if (m) done.push({ version: Number(m[1]), checksum: m[2]! });
    },
    async queryRows<T>(sql: string): Promise<T[]> {
      if (sql.includes('count() AS n')) return [{ n: comment === undefined ? 0 : 1 }] as T[];
      if (sql.startsWith('SELECT comment')) return (comment === undefined ? [] : [{ comment }]) as T[];
      if (sql.includes('currentDatabase() AS db')) return [{ db: 'netflows' }] as T[];
      if (sql.includes('engine_full')) return [{ e: 'MergeTree' }] as T[];
      return done as T[];
    },
  };
  return t;
}

describe('migrate --cluster against a store', () => {
  it('runs the ON CLUSTER form, records it in a cluster ledger, and later plain migrates stay on the cluster (retention too)', async () => {
    const t = recordingTarget();
    await applyMigrations(t, undefined, { cluster: { cluster: 'flowlog', database: 'netflows' } });
    expect(t.executed[0]).toContain("CREATE TABLE IF NOT EXISTS schema_migrations ON CLUSTER 'flowlog'");
    expect(t.executed).toContain(clusterStatements(migrations[0]!.statements[0]!, { cluster: 'flowlog', database: 'netflows' })[1]);
    const before = t.executed.length;
    // `flowlog run` migrates without the flag: nothing pending, and the ledger says cluster
    expect((await migrateStore(t, 30)).every((m) => !m.applied)).toBe(true);
    expect(t.executed.slice(before)).toEqual(["ALTER TABLE flows_local ON CLUSTER 'flowlog' MODIFY TTL toDateTime(start_time) + toIntervalDay(30)"]);
  });

  it('a single-node store is not turned into a cluster one, and a cluster store is not migrated for another cluster', async () => {
    const single = recordingTarget('');
    await expect(applyMigrations(single, undefined, { cluster: TARGET })).rejects.toMatchObject({ code: 'SCHEMA_DRIFT', message: expect.stringContaining('migrated as a single node') });
    const other = recordingTarget('flowlog migrations, cluster east');
    await expect(applyMigrations(other, undefined, { cluster: TARGET })).rejects.toMatchObject({ code: 'SCHEMA_DRIFT', message: expect.stringContaining("cluster 'east'") });
    expect([...single.executed, ...other.executed]).toEqual([]);
  });
});
