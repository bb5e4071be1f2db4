/**
 * `store.retention_days`: the flows table's TTL, set when migrations run.
 * Migration 0001 leaves flows without a TTL (a TTL would silently drop a
 * backfill of old logs); this is the opt-in. It is an ALTER at migrate time,
 * not a migration file, because the value is a setting: each store has its
 * own. Unset leaves the table as it is (a TTL set by hand stays).
 */
import { clusterTtlAlter, LOCAL_SUFFIX, type ClusterTarget } from './cluster-ddl.js';
import { applyMigrations, ledgerCluster, type MigrationTarget } from './migrations.js';
import type { AppliedMigration } from './store.js';

const ttlOf = (days: number) => `toDateTime(start_time) + toIntervalDay(${days})`;

/**
 * Sets the TTL when it differs (MODIFY TTL rewrites parts: not on every start). Returns whether it changed.
 * On a cluster the local tables hold the parts (flows is Distributed), on every shard.
 */
export async function applyRetention(target: MigrationTarget, days: number, cluster?: ClusterTarget): Promise<boolean> {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`retention_days must be a whole number of days, got ${days}`);
  const table = cluster ? `flows${LOCAL_SUFFIX}` : 'flows';
  const [row] = await target.queryRows<{ e: string }>(`SELECT engine_full AS e FROM system.tables WHERE database = currentDatabase() AND name = '${table}'`);
  if (row && row.e.includes(`TTL ${ttlOf(days)}`)) return false;
  await target.exec(cluster ? clusterTtlAlter('flows', ttlOf(days), cluster) : `ALTER TABLE flows MODIFY TTL ${ttlOf(days)}`);
  return true;
}

/** Pending migrations (as a cluster when asked, or when the store's ledger names one), then the configured retention. */
export async function migrateStore(target: MigrationTarget, retentionDays: number | undefined, cluster?: ClusterTarget): Promise<AppliedMigration[]> {
  const applied = await applyMigrations(target, undefined, cluster ? { cluster } : {});
  if (retentionDays !== undefined) await applyRetention(target, retentionDays, cluster ?? await ledgerCluster(target));
  return applied;
}
