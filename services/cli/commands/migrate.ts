/** `flowlog migrate [--roles]`: apply pending migrations (idempotent); --roles also the server access roles. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FlowlogError } from '../../core/errors.js';
import { splitStatements } from '../../store/migrations.js';
import { openStore } from '../../store/open.js';
import { parseCli } from '../args.js';

export const ROLES_FILE = fileURLToPath(new URL('../../../sql/access/roles.sql', import.meta.url));

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { roles: { type: 'boolean' } }, 'flowlog migrate [--roles]', { flags: {
    roles: 'ClickHouse server only: also create the flowlog_writer and flowlog_analyst roles (sql/access/roles.sql)' } });
  const store = await openStore({ migrate: false });
  try {
    for (const m of await store.migrate()) process.stdout.write(`${m.applied ? 'applied ' : 'up to date'} ${m.name}\n`);
    if (values.roles) {
      if (store.kind !== 'server') {
        throw new FlowlogError('USAGE', 'roles exist on a ClickHouse server only: the embedded engine has no users',
          'set CLICKHOUSE_URL (and an administrator\'s CLICKHOUSE_USER/CLICKHOUSE_PASSWORD) to apply sql/access/roles.sql');
      }
      const exec = (store as unknown as { exec(sql: string): Promise<void> }).exec.bind(store);
      for (const st of splitStatements(readFileSync(ROLES_FILE, 'utf8'))) await exec(st);
      process.stdout.write('applied  roles flowlog_analyst, flowlog_writer\n');
    }
  } finally {
    await store.close();
  }
  return 0;
}
