/**
 * `store.retention_days`: the flows table's TTL, set when migrations run.
 * Migration 0001 leaves flows without a TTL (a TTL would silently drop a
 * backfill of old logs); this is the opt-in. It is an ALTER at migrate time,
 * not a migration file, because the value is a setting: each store has its
 * own. Unset leaves the table as it is (a TTL set by hand stays).
 */
import { applyMigrations, type MigrationTarget } from './migrations.js';
import type { AppliedMigration } from './store.js';

const ttlOf = (days: number) => `toDateTime(start_time) + toIntervalDay(${days})`;

/** Sets the TTL when it differs (MODIFY TTL rewrites parts: not on every start). Returns whether it changed. */
export async function applyRetention(target: MigrationTarget, days: number): Promise<boolean> {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`retention_days must be a whole number of days, got ${days}`);
  const [row] = await target.queryRows<{ e: string }>("SELECT engine_full AS e FROM system.tables WHERE database = currentDatabase() AND name = 'flows'");
  if (row && row.e.includes(`TTL ${ttlOf(days)}`)) return false;
  await target.exec(`ALTER TABLE flows MODIFY TTL ${ttlOf(days)}`);
  return true;
}

/** Pending migrations, then the configured retention. */
export async function migrateStore(target: MigrationTarget, retentionDays: number | undefined): Promise<AppliedMigration[]> {
  const applied = await applyMigrations(target);
  if (retentionDays !== undefined) await applyRetention(target, retentionDays);
  return applied;
}
