/**
 * The server access roles cannot be created by the embedded engine (it has no
 * users), so this checks what can be checked here: every statement of
 * sql/access/roles.sql parses in the real ClickHouse parser, and the grants
 * name tables the migrations create.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withStore } from '../../../test/temp-store.js';
import { ROLES_FILE } from '../../cli/commands/migrate.js';
import { splitStatements } from '../migrations.js';

describe('sql/access/roles.sql', () => {
  it('parses, and grants only on tables that exist', async () => {
    const statements = splitStatements(readFileSync(ROLES_FILE, 'utf8'));
    expect(statements.length).toBeGreaterThan(10);
    await withStore(async (store) => {
      for (const st of statements) await expect(store.queryRows(`EXPLAIN AST ${st}`), st).resolves.toBeDefined();
      const tables = new Set((await store.queryRows<{ name: string }>('SELECT name FROM system.tables WHERE database = currentDatabase()')).map((r) => r.name));
      // every grant on a table names one that exists; the one global grant is the writer's dictionary reload
      const global = statements.filter((x) => x.startsWith('GRANT') && / ON \*\.\* TO /.test(x));
      expect(global).toEqual(['GRANT SYSTEM RELOAD DICTIONARY ON *.* TO flowlog_writer']);
      for (const st of statements.filter((x) => x.startsWith('GRANT') && !global.includes(x))) expect(tables, st).toContain(/ ON (\w+) TO /.exec(st)![1]);
      expect(statements.join('\n')).not.toMatch(/GRANT[^;]*(ALTER|CREATE|DROP|TRUNCATE)[^;]* TO flowlog_analyst/);
    });
  });
});
