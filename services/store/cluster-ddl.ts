/**
 * The single-node schema (sql/migrations) as ON CLUSTER DDL for a sharded,
 * replicated ClickHouse: a transform of the same statements, never a second
 * copy, so the two cannot drift (services/store/test/cluster-ddl.test.ts
 * compares them column by column in the engine).
 *
 * Each table becomes two: `<name>_local`, the Replicated variant of its engine
 * on every shard (Keeper path per `{shard}`, one replica per `{replica}`), and
 * `<name>`, a Distributed table in front of it. Every query and insert in
 * flowlog names `<name>`, so nothing else changes. Materialized views read and
 * write the local tables, so each shard rolls up the rows it holds; views and
 * dictionaries are created on every node and read through the Distributed
 * tables.
 *
 * Exactly-once across shards: a batch's insert_deduplication_token reaches each
 * shard with that shard's part of the batch (inserts must be synchronous:
 * insert_distributed_sync, which the server store sends). A replayed batch is
 * split the same way only if every row's shard is a pure function of the row:
 * SHARDING_KEYS. With rand() a replay would put other rows under the same token
 * on a shard, and the shard would drop rows it never stored.
 */
import { FlowlogError } from '../core/errors.js';

export const LOCAL_SUFFIX = '_local';

/**
 * How long Keeper keeps a block's dedup hash. The engine default (3600 s in
 * recent releases) would let a batch replayed after a longer outage through;
 * the single node's window counts blocks only, so this makes the count
 * (replicated_deduplication_window) the bound here too.
 */
export const DEDUP_WINDOW_SECONDS = 7 * 24 * 3600;

/**
 * The Distributed sharding key of every table: a pure function of the row.
 * Flows, their rejects and violations go by the object they came from, so a
 * batch (one object's row range, or a few small objects) is one part on one
 * shard rather than a part on every shard, and spreads over objects. Replacing
 * tables go by their ORDER BY key, so all versions of a row meet on one shard
 * and FINAL (run per shard) keeps the newest. null: only the shard's own
 * materialized view writes the table; an insert through the Distributed table
 * is refused (the engine needs a key for that), which is what we want.
 * A new table needs an entry here: the transform refuses a table without one.
 */
export const SHARDING_KEYS: Readonly<Record<string, string | null>> = {
  // source is LowCardinality there, and a hash of it would be too: the engine wants a plain integer
  flows: 'cityHash64(CAST(source AS String))',
  flows_rejected: 'cityHash64(source)',
  ingest_ledger: 'cityHash64(object)',
  flows_1m: null,
  ipam_prefixes: 'cityHash64(version)',
  anomalies: 'cityHash64(detector, entity, first_seen)',
  policy_violations: 'cityHash64(source)',
  egress_1h: null,
  source_cursors: 'cityHash64(source)',
  // a claim and its rival go to one shard, where the first one's token drops the second
  leases: 'cityHash64(name, term)',
};

export interface ClusterTarget { cluster: string; database: string }

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** A cluster or database name as given (flag, config, ledger): quoted into DDL, so only plain names. */
export function checkClusterTarget(t: ClusterTarget): ClusterTarget {
  for (const [what, v] of [['cluster', t.cluster], ['database', t.database]] as const) {
    if (!NAME.test(v)) {
      throw new FlowlogError('USAGE', `${what} name ${JSON.stringify(v)} is not a plain name`,
        `use the ${what} name as ClickHouse lists it (letters, digits, _ . -): system.${what === 'cluster' ? 'clusters' : 'databases'}`);
    }
  }
  return t;
}

const onCluster = (t: ClusterTarget) => `ON CLUSTER '${t.cluster}'`;
const local = (name: string) => `${name}${LOCAL_SUFFIX}`;

function unsupported(statement: string, why: string): FlowlogError {
  return new FlowlogError('MIGRATION_FAILED', `the cluster transform cannot take this statement (${why}): ${statement.slice(0, 120)}`,
    'extend services/store/cluster-ddl.ts for it (and SHARDING_KEYS for a new table), then run its tests');
}

function shardedTable(name: string, statement: string): string | null {
  if (!(name in SHARDING_KEYS)) throw unsupported(statement, `table ${name} has no entry in SHARDING_KEYS`);
  return SHARDING_KEYS[name] ?? null;
}

const CREATE_TABLE = /^CREATE TABLE IF NOT EXISTS (\w+)(\s*\()/;
const ENGINE = /\nENGINE = (\w+)(?:\(([^()]*)\))?/;
const MV = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) TO (\w+) AS\b/;
const VIEW = /^CREATE VIEW IF NOT EXISTS (\w+) AS\b/;
const DICTIONARY = /^CREATE DICTIONARY IF NOT EXISTS (\w+)/;
const ALTER = /^ALTER TABLE (\w+)\s/;
/** ALTER clauses a Distributed table has no use for (it holds no parts): these go to the local table only. */
const LOCAL_ONLY_ALTER = /\b(?:(?:ADD|DROP|MATERIALIZE|CLEAR) (?:INDEX|PROJECTION|CONSTRAINT)|MODIFY (?:TTL|SETTING|ORDER BY|SAMPLE BY)|REMOVE TTL|RESET SETTING)\b/;

/** One single-node statement as the statement(s) that create the same thing on every node of the cluster. */
export function clusterStatements(statement: string, target: ClusterTarget): string[] {
  const t = checkClusterTarget(target);
  const st = statement.trim();
  let m: RegExpExecArray | null;
  if ((m = CREATE_TABLE.exec(st))) {
    const name = m[1]!;
    const key = shardedTable(name, st);
    const engine = ENGINE.exec(st);
    if (!engine || !engine[1]!.endsWith('MergeTree') || engine[1]!.startsWith('Replicated')) throw unsupported(st, 'not a single-node *MergeTree table');
    const args = [`'/clickhouse/tables/{shard}/{database}/${local(name)}'`, "'{replica}'", ...(engine[2] ? [engine[2]] : [])];
    const localDdl = st
      .replace(CREATE_TABLE, `CREATE TABLE IF NOT EXISTS ${local(name)} ${onCluster(t)}$2`)
      .replace(ENGINE, `\nENGINE = Replicated${engine[1]}(${args.join(', ')})`)
      // the single node's window in blocks, now kept by Keeper per shard
      .replace(/\bnon_replicated_deduplication_window = (\d+)/, `replicated_deduplication_window = $1, replicated_deduplication_window_seconds = ${DEDUP_WINDOW_SECONDS}`);
    const distributed = `CREATE TABLE IF NOT EXISTS ${name} ${onCluster(t)} AS ${local(name)}\n`
      + `ENGINE = Distributed('${t.cluster}', '${t.database}', '${local(name)}'${key ? `, ${key}` : ''})`;
    return [localDdl, distributed];
  }
  if ((m = MV.exec(st))) {
    shardedTable(m[2]!, st);
    const body = st.slice(m[0].length);
    if (/\bJOIN\b/i.test(body)) throw unsupported(st, 'a materialized view with a JOIN');
    // the view fires on each shard's inserts into the local table and writes that shard's rollup
    const localBody = body.replace(/\bFROM (\w+)\b/g, (all, from: string) => (from in SHARDING_KEYS ? `FROM ${local(from)}` : all));
    return [`CREATE MATERIALIZED VIEW IF NOT EXISTS ${m[1]} ${onCluster(t)} TO ${local(m[2]!)} AS${localBody}`];
  }
  if (VIEW.test(st)) return [st.replace(VIEW, `CREATE VIEW IF NOT EXISTS $1 ${onCluster(t)} AS`)];
  if (DICTIONARY.test(st)) return [st.replace(DICTIONARY, `CREATE DICTIONARY IF NOT EXISTS $1 ${onCluster(t)}`)];
  if ((m = ALTER.exec(st))) {
    const name = m[1]!;
    shardedTable(name, st);
    const rest = st.slice(m[0].length);
    const onLocal = `ALTER TABLE ${local(name)} ${onCluster(t)} ${rest}`;
    // columns change on both, or the Distributed table would not pass the new column through
    return LOCAL_ONLY_ALTER.test(rest) ? [onLocal] : [onLocal, `ALTER TABLE ${name} ${onCluster(t)} ${rest}`];
  }
  throw unsupported(st, 'an unknown kind of statement');
}

/**
 * The migrations ledger on a cluster: one table replicated to every node (one
 * Keeper path for all shards, a replica per shard and replica), so any node
 * answers `flowlog migrate` and the read commands' schema check alike. Its
 * comment names the cluster, so a later plain `flowlog migrate` (or a
 * `flowlog run` start) applies new migrations to the whole cluster too.
 */
export function clusterLedgerDdl(target: ClusterTarget): string {
  const t = checkClusterTarget(target);
  return `CREATE TABLE IF NOT EXISTS schema_migrations ${onCluster(t)}
    (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
    ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/schema_migrations', '{shard}-{replica}') ORDER BY version
    COMMENT '${LEDGER_COMMENT_PREFIX}${t.cluster}'`;
}

export const LEDGER_COMMENT_PREFIX = 'flowlog migrations, cluster ';

/** The cluster a ledger's comment names, if any. */
export function clusterOfLedgerComment(comment: unknown): string | null {
  return typeof comment === 'string' && comment.startsWith(LEDGER_COMMENT_PREFIX) ? comment.slice(LEDGER_COMMENT_PREFIX.length) : null;
}

const ACCESS_CREATE = /^CREATE (SETTINGS PROFILE|ROLE) IF NOT EXISTS (\w+)/;
const GRANT = /^GRANT (.+) ON (\w+|\*\.\*) TO (\w+)$/;

/**
 * sql/access/roles.sql on a cluster (`flowlog migrate --cluster NAME --roles`): every profile, role and
 * grant on every node, and each table's grant also on its local table, since a Distributed query or
 * insert runs on the shards as the user who sent it (with the cluster's interserver secret).
 */
export function clusterAccessStatements(statement: string, target: ClusterTarget): string[] {
  const t = checkClusterTarget(target);
  const st = statement.trim();
  if (ACCESS_CREATE.test(st)) return [st.replace(ACCESS_CREATE, `CREATE $1 IF NOT EXISTS $2 ${onCluster(t)}`)];
  const g = GRANT.exec(st);
  if (!g) throw unsupported(st, 'not a CREATE ROLE, CREATE SETTINGS PROFILE or GRANT ... ON table TO role');
  const grant = (on: string) => `GRANT ${onCluster(t)} ${g[1]} ON ${on} TO ${g[3]}`;
  return g[2]! in SHARDING_KEYS ? [grant(g[2]!), grant(local(g[2]!))] : [grant(g[2]!)];
}

/** `ALTER TABLE flows MODIFY TTL ...` (store.retention_days) on a cluster: the local tables hold the parts. */
export function clusterTtlAlter(table: string, ttl: string, target: ClusterTarget): string {
  return `ALTER TABLE ${local(table)} ${onCluster(checkClusterTarget(target))} MODIFY TTL ${ttl}`;
}
