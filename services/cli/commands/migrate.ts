/** `flowlog migrate [--roles]`: apply pending migrations (idempotent); --roles also the server access roles. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FlowlogError } from '../../core/errors.js';
import { splitStatements } from '../../store/migrations.js';
import { openStore } from '../../store/open.js';
import { FORMAT_HELP, FORMAT_OPTION, outputFormat, parseCli } from '../args.js';

export const ROLES_FILE = fileURLToPath(new URL('../../../sql/access/roles.sql', import.meta.url));

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { roles: { type: 'boolean' }, ...FORMAT_OPTION }, 'flowlog migrate [--roles] [--format text|json]', { flags: { format: FORMAT_HELP,
    roles: 'ClickHouse server only: also create the flowlog_writer and flowlog_analyst roles (sql/access/roles.sql)' } });
  const format = outputFormat(values.format);
  const store = await openStore({ migrate: false });
  try {
    const migrations = await store.migrate();
    if (format === 'text') for (const m of migrations) process.stdout.write(`${m.applied ? 'applied ' : 'up to date'} ${m.name}\n`);
    if (values.roles) {
      if (store.kind !== 'server') {
        throw new FlowlogError('USAGE', 'roles exist on a ClickHouse server only: the embedded engine has no users',
          'set CLICKHOUSE_URL (and an administrator\'s CLICKHOUSE_USER/CLICKHOUSE_PASSWORD) to apply sql/access/roles.sql');
      }
      const exec = (store as unknown as { exec(sql: string): Promise<void> }).exec.bind(store);
      for (const st of splitStatements(readFileSync(ROLES_FILE, 'utf8'))) await exec(st);
      if (format === 'text') process.stdout.write('applied  roles flowlog_analyst, flowlog_writer\n');
    }
    if (format === 'json') {
      process.stdout.write(`${JSON.stringify({ command: 'migrate', applied: migrations.filter((m) => m.applied).map((m) => m.name), current: Math.max(0, ...migrations.map((m) => m.version)), migrations, roles: Boolean(values.roles) })}\n`);
    }
  } finally {
    await store.close();
  }
  return 0;
}
