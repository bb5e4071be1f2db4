/**
 * Versioned migrations from sql/migrations (NNNN_name.sql), applied once each
 * and recorded in schema_migrations with a checksum, so a re-run is a no-op.
 * Schema drift (SCHEMA_DRIFT) stops a migrate before any statement runs: an
 * edited, already-applied migration, or a store migrated by a newer flowlog.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromChTime } from './ch-time.js';
import { clusterLedgerDdl, clusterOfLedgerComment, clusterStatements, type ClusterTarget } from './cluster-ddl.js';
import { FlowlogError } from '../core/errors.js';
import type { AppliedMigration } from './store.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../sql/migrations/', import.meta.url));

export interface Migration { version: number; name: string; statements: string[]; checksum: string }

/** Splits a file into statements: `;` at a line end closes one (our DDL never has `;` inside strings at line ends). */
export function splitStatements(sql: string): string[] {
  const noComments = sql.split('\n').filter((l) => !l.trim().startsWith('--')).join('\n');
  return noComments.split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter((s) => s.length > 0);
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const text = readFileSync(dir + f, 'utf8');
      return {
        version: Number(f.slice(0, 4)),
        name: f.replace(/\.sql$/, ''),
        statements: splitStatements(text),
        checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
      };
    });
}

export interface MigrationTarget {
  exec(sql: string): Promise<void>;
  queryRows<T>(sql: string): Promise<T[]>;
}

const HAS_LEDGER = "SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'schema_migrations'";
const LEDGER_COMMENT = "SELECT comment FROM system.tables WHERE database = currentDatabase() AND name = 'schema_migrations'";

const SINGLE_NODE_LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations
    (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
    ENGINE = MergeTree ORDER BY version`;

/** The ledger row that marks a migration applied. */
export const ledgerInsert = (m: Migration): string => `INSERT INTO schema_migrations (version, name, checksum) VALUES (${m.version}, '${m.name}', '${m.checksum}')`;

/** What one migration runs: its statements as written, or their ON CLUSTER form (services/store/cluster-ddl.ts). */
export function migrationStatements(m: Migration, cluster?: ClusterTarget): string[] {
  return cluster ? m.statements.flatMap((st) => clusterStatements(st, cluster)) : m.statements;
}

/** `flowlog migrate --cluster NAME --print`: the whole schema as ON CLUSTER DDL, ledger rows included, for a person to read or apply. */
export function clusterMigrationScript(cluster: ClusterTarget, dir = MIGRATIONS_DIR): string {
  const parts = [
    `-- flowlog schema for ClickHouse cluster '${cluster.cluster}', database '${cluster.database}': generated from sql/migrations\n`
    + '-- (flowlog migrate --cluster NAME --print). Run the statements in order, or let `flowlog migrate --cluster NAME` do it.',
    `${clusterLedgerDdl(cluster)};`,
  ];
  for (const m of loadMigrations(dir)) parts.push(`-- ${m.name}`, ...migrationStatements(m, cluster).map((s) => `${s};`), `${ledgerInsert(m)};`);
  return `${parts.join('\n\n')}\n`;
}

/** The cluster a store was migrated for (its ledger says so) and the database, or undefined for a single node or a store with no ledger yet. */
export async function ledgerCluster(target: Pick<MigrationTarget, 'queryRows'>): Promise<ClusterTarget | undefined> {
  const [row] = await target.queryRows<{ comment?: unknown }>(LEDGER_COMMENT);
  const cluster = clusterOfLedgerComment(row?.comment);
  if (!cluster) return undefined;
  const [db] = await target.queryRows<{ db: string }>('SELECT currentDatabase() AS db');
  return { cluster, database: String(db?.db) };
}

export interface ApplyOptions {
  /** Migrate a cluster (ON CLUSTER DDL). Without it, a store whose ledger names a cluster is migrated as that cluster. */
  cluster?: ClusterTarget;
}

export async function applyMigrations(target: MigrationTarget, dir = MIGRATIONS_DIR, opts: ApplyOptions = {}): Promise<AppliedMigration[]> {
  // no DDL at all on an up-to-date store: the writer role (no CREATE) starts `flowlog run` once an administrator has migrated
  const [has] = await target.queryRows<{ n: number }>(HAS_LEDGER);
  const hasLedger = Number(has?.n ?? 0) > 0;
  const cluster = await storeCluster(target, hasLedger, opts.cluster);
  if (!hasLedger) await target.exec(cluster ? clusterLedgerDdl(cluster) : SINGLE_NODE_LEDGER);
  const done = new Map(
    (await target.queryRows<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations'))
      .map((r) => [Number(r.version), r.checksum]),
  );
  const migrations = loadMigrations(dir);
  // a version this code does not ship: a newer flowlog migrated the store, and this one would write rows its schema no longer fits
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...done.keys()].filter((v) => !known.has(v)).sort((a, b) => a - b);
  if (unknown.length) {
    throw new FlowlogError('SCHEMA_DRIFT', `the store has migration${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} applied, which this flowlog does not have (newest here: ${Math.max(0, ...known)})`,
      'a newer flowlog migrated this store: run that version (or newer) against it, or point this one at another store');
  }
  const result: AppliedMigration[] = [];
  for (const m of migrations) {
    const seen = done.get(m.version);
    if (seen !== undefined) {
      if (seen !== m.checksum) {
        throw new FlowlogError('SCHEMA_DRIFT', `migration ${m.name} was changed after it was applied (store checksum ${seen}, file ${m.checksum})`,
          'never edit an applied migration: restore the file (git checkout sql/migrations) and add a new NNNN_*.sql file with the change');
      }
      result.push({ version: m.version, name: m.name, applied: false });
      continue;
    }
    for (const st of migrationStatements(m, cluster)) {
      try { await target.exec(st); } catch (e) {
        throw new FlowlogError('MIGRATION_FAILED', `migration ${m.name} failed: ${(e as Error).message}`,
          'fix the statement in sql/migrations, or the store it runs against', { cause: e });
      }
    }
    await target.exec(ledgerInsert(m));
    result.push({ version: m.version, name: m.name, applied: true });
  }
  return result;
}

/**
 * Single node or cluster, decided once per store: by the ledger when there is
 * one (a cluster store keeps migrating as a cluster without the flag), by the
 * request otherwise. Turning a migrated single-node store into a cluster one in
 * place is refused: its tables would be neither replicated nor sharded.
 */
async function storeCluster(target: MigrationTarget, hasLedger: boolean, requested: ClusterTarget | undefined): Promise<ClusterTarget | undefined> {
  const fromLedger = hasLedger ? await ledgerCluster(target) : undefined;
  const ledger = fromLedger?.cluster;
  if (requested && hasLedger && ledger !== requested.cluster) {
    throw new FlowlogError('SCHEMA_DRIFT', ledger
      ? `this store was migrated for cluster '${ledger}', not '${requested.cluster}'`
      : `this store was migrated as a single node; --cluster ${requested.cluster} cannot turn its tables into replicated, sharded ones`,
    ledger ? `run flowlog migrate --cluster ${ledger} (or without --cluster)` : 'migrate a new database with --cluster and copy the data over (INSERT INTO ... SELECT), or keep the single node');
  }
  return requested ?? fromLedger;
}

/**
 * For read commands (`sql`, `investigate`, `report`, saved queries), which
 * never migrate: a read-only user may not, and a read should not change the
 * store. The store must hold every migration this flowlog ships, or the
 * command stops with SCHEMA_BEHIND and says to run `flowlog migrate`.
 */
export async function checkSchema(target: Pick<MigrationTarget, 'queryRows'>, dir = MIGRATIONS_DIR): Promise<void> {
  const [t] = await target.queryRows<{ n: number }>(HAS_LEDGER);
  const done = Number(t?.n ?? 0) > 0
    ? new Set((await target.queryRows<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)))
    : new Set<number>();
  const shipped = loadMigrations(dir);
  const pending = shipped.filter((m) => !done.has(m.version));
  if (pending.length === 0) return;
  const at = Math.max(0, ...done);
  throw new FlowlogError('SCHEMA_BEHIND',
    `the store's schema is behind this flowlog: ${done.size === 0 ? 'no migration applied' : `at migration ${at}`}, ${pending.length} pending (${pending.map((m) => m.name).join(', ')})`,
    'run `flowlog migrate` first (on a ClickHouse server, as an administrator); read commands never migrate');
}

/**
 * Where each object of a source kind stands: what a re-run skips, resumes or
 * replays. Per version (identity) first, then the newest version: a replaced
 * object's progress is its new version's, never its old one's.
 */
export const LEDGER_STATE_SQL = `SELECT object, argMax(identity, at) AS identity, argMax(done, at) AS complete, argMax(stored_end, at) AS stored,
    argMax(i_first, at) AS intent_first, argMax(i_end, at) AS intent_end, argMax(i_at, at) AS intent_at
  FROM (
    SELECT object, identity, max(ingested_at) AS at, max(complete) AS done, maxIf(last_position, state = 'stored') AS stored_end,
      argMaxIf(first_position, ingested_at, state = 'intent') AS i_first, maxIf(last_position, state = 'intent') AS i_end,
      maxIf(ingested_at, state = 'intent') AS i_at
    FROM ingest_ledger WHERE source_kind = {k:String} GROUP BY object, identity
  ) GROUP BY object`;

/**
 * LEDGER_STATE_SQL for the objects named in {objects:String}, a JSON array, only (a primary-key range
 * each, not the whole kind). JSON in a String, not an Array(String) parameter: names are untrusted
 * (notified S3 keys) and may hold quotes and backslashes, which a String parameter carries exactly.
 */
export const LEDGER_STATE_OF_SQL = LEDGER_STATE_SQL.replace('WHERE source_kind = {k:String}',
  "WHERE source_kind = {k:String} AND object IN JSONExtract({objects:String}, 'Array(String)')");

export interface LedgerRow { object: string; identity: string; complete: number; stored: number; intent_first: number; intent_end: number; intent_at: string }

/** One LEDGER_STATE_SQL row as progress: stored end, and an intent beyond it if any. */
export function ledgerProgress(r: LedgerRow): import('./store.js').ObjectProgress {
  const stored = Number(r.stored), end = Number(r.intent_end);
  return {
    identity: r.identity, complete: Number(r.complete) === 1, storedRows: stored,
    ...(end > stored ? { intent: { first: Number(r.intent_first), end, at: fromChTime(r.intent_at) } } : {}),
  };
}
