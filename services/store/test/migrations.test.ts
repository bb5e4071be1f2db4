/**
 * Migrations against an in-memory target (no engine): applied once, and
 * schema drift (an edited applied migration, a store migrated by a newer
 * flowlog) stops with SCHEMA_DRIFT before any statement runs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlowlogError } from '../../core/errors.js';
import { applyMigrations, checkSchema, type MigrationTarget } from '../migrations.js';

const root = mkdtempSync(join(tmpdir(), 'flowlog-migrations-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Records statements; schema_migrations rows come from its INSERTs. */
function memoryTarget(): MigrationTarget & { executed: string[]; rows: { version: number; checksum: string }[] } {
  const t = {
    executed: [] as string[], rows: [] as { version: number; checksum: string }[],
    async exec(sql: string) {
      t.executed.push(sql);
      const m = /INSERT INTO schema_migrations \(version, name, checksum\) VALUES \((\d+), '[^']*', '([^']*)'\)/.exec(sql);
      if (m) t.rows.push({ version: Number(m[1]), checksum: m[2]! });
    },
    async queryRows<T>() { return t.rows as T[]; },
  };
  return t;
}

function migrationsDir(name: string, files: Record<string, string>): string {
  const dir = `${join(root, name)}/`;
  mkdirSync(dir);
  for (const [f, text] of Object.entries(files)) writeFileSync(dir + f, text);
  return dir;
}

const caught = async (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('migrations', () => {
  it('applies each migration once', async () => {
    const dir = migrationsDir('once', { '0001_a.sql': 'CREATE TABLE a (x UInt8) ENGINE = Memory;\n' });
    const t = memoryTarget();
    expect((await applyMigrations(t, dir)).map((m) => m.applied)).toEqual([true]);
    expect((await applyMigrations(t, dir)).map((m) => m.applied)).toEqual([false]);
    expect(t.executed.filter((s) => s.startsWith('CREATE TABLE a'))).toHaveLength(1);
  });

  it('an applied migration edited afterwards is SCHEMA_DRIFT, with a hint', async () => {
    const dir = migrationsDir('edited', { '0001_a.sql': 'CREATE TABLE a (x UInt8) ENGINE = Memory;\n' });
    const t = memoryTarget();
    await applyMigrations(t, dir);
    writeFileSync(`${dir}0001_a.sql`, 'CREATE TABLE a (x UInt16) ENGINE = Memory;\n');
    writeFileSync(`${dir}0002_b.sql`, 'CREATE TABLE b (x UInt8) ENGINE = Memory;\n');
    const e = await caught(applyMigrations(t, dir));
    expect(e).toBeInstanceOf(FlowlogError);
    expect(e).toMatchObject({ code: 'SCHEMA_DRIFT', message: expect.stringContaining('0001_a was changed after it was applied') });
    expect((e as FlowlogError).hint).toContain('never edit an applied migration');
    expect(t.executed.some((s) => s.includes('TABLE b'))).toBe(false);
  });

  it('a store migrated by a newer flowlog is SCHEMA_DRIFT before anything runs', async () => {
    const newer = migrationsDir('newer', { '0001_a.sql': 'CREATE TABLE a (x UInt8) ENGINE = Memory;\n', '0002_b.sql': 'CREATE TABLE b (x UInt8) ENGINE = Memory;\n' });
    const t = memoryTarget();
    await applyMigrations(t, newer);
    const older = migrationsDir('older', { '0001_a.sql': 'CREATE TABLE a (x UInt8) ENGINE = Memory;\n' });
    const before = t.executed.length;
    const e = await caught(applyMigrations(t, older));
    expect(e).toMatchObject({ code: 'SCHEMA_DRIFT', message: expect.stringContaining('migration 2 applied, which this flowlog does not have (newest here: 1)') });
    expect((e as FlowlogError).hint).toContain('a newer flowlog migrated this store');
    expect(t.executed.length - before).toBe(1); // only the CREATE TABLE IF NOT EXISTS schema_migrations
  });

  it('runs no DDL on an up-to-date store (the writer role may not), and checkSchema says SCHEMA_BEHIND when one is pending', async () => {
    const dir = migrationsDir('current', { '0001_a.sql': 'CREATE TABLE a (x UInt8) ENGINE = Memory;\n' });
    const t = memoryTarget();
    // this target knows whether schema_migrations exists, as system.tables would
    const base = t.queryRows.bind(t);
    t.queryRows = async <T>(sql: string) => (sql.includes('system.tables')
      ? [{ n: t.executed.some((x) => x.includes('CREATE TABLE IF NOT EXISTS schema_migrations')) ? 1 : 0 }] as T[] : base<T>(sql));
    await expect(caught(checkSchema(t, dir))).resolves.toMatchObject({ code: 'SCHEMA_BEHIND', message: expect.stringContaining('no migration applied, 1 pending (0001_a)') });
    await applyMigrations(t, dir);
    const before = t.executed.length;
    expect((await applyMigrations(t, dir)).map((m) => m.applied)).toEqual([false]);
    expect(t.executed.length).toBe(before);
    await expect(checkSchema(t, dir)).resolves.toBeUndefined();
    writeFileSync(`${dir}0002_b.sql`, 'CREATE TABLE b (x UInt8) ENGINE = Memory;\n');
    const e = await caught(checkSchema(t, dir));
    expect(e).toMatchObject({ code: 'SCHEMA_BEHIND', message: expect.stringContaining('at migration 1, 1 pending (0002_b)') });
    expect((e as FlowlogError).hint).toContain('run `flowlog migrate` first');
    expect(t.executed.length).toBe(before);
  });
});
