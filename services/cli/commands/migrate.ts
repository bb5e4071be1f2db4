/**
 * `flowlog migrate [--roles] [--cluster NAME [--print]]`: apply pending migrations (idempotent); --roles also the
 * server access roles; --cluster as ON CLUSTER DDL for a sharded, replicated ClickHouse (docs/scaling.md).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../../config/resolve.js';
import { FlowlogError } from '../../core/errors.js';
import { checkClusterTarget, clusterAccessStatements, type ClusterTarget } from '../../store/cluster-ddl.js';
import { clusterMigrationScript, ledgerCluster, splitStatements } from '../../store/migrations.js';
import { openStore } from '../../store/open.js';
import { FORMAT_HELP, FORMAT_OPTION, outputFormat, parseCli } from '../args.js';

export const ROLES_FILE = fileURLToPath(new URL('../../../sql/access/roles.sql', import.meta.url));

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { roles: { type: 'boolean' }, cluster: { type: 'string' }, print: { type: 'boolean' }, ...FORMAT_OPTION },
    'flowlog migrate [--roles] [--cluster NAME [--print]] [--format text|json]', { flags: { format: FORMAT_HELP,
      roles: 'ClickHouse server only: also create the flowlog_writer and flowlog_analyst roles (sql/access/roles.sql)',
      cluster: 'ClickHouse server only: create the schema on every node of this cluster (remote_servers): replicated local tables, Distributed tables in front',
      print: 'with --cluster: print the DDL (database: store.database, else default) instead of connecting; with --roles too, the roles' } });
  const format = outputFormat(values.format);
  if (values.print) {
    if (values.cluster === undefined) throw new FlowlogError('USAGE', '--print shows the cluster DDL: it needs --cluster NAME', 'flowlog migrate --cluster NAME --print');
    const store = resolveConfig({ env: process.env }).store;
    const database = store.kind === 'clickhouse' && store.database ? store.database : 'default';
    const cluster = checkClusterTarget({ cluster: values.cluster, database });
    process.stdout.write(clusterMigrationScript(cluster));
    if (values.roles) process.stdout.write(`\n-- roles (sql/access/roles.sql)\n\n${roleStatements(cluster).map((s) => `${s};`).join('\n')}\n`);
    return 0;
  }
  const store = await openStore({ migrate: false });
  try {
    const cluster = values.cluster === undefined ? undefined
      : checkClusterTarget({ cluster: values.cluster, database: String((await store.queryRows<{ db: string }>('SELECT currentDatabase() AS db'))[0]?.db) });
    const migrations = await store.migrate(cluster ? { cluster } : {});
    if (format === 'text') for (const m of migrations) process.stdout.write(`${m.applied ? 'applied ' : 'up to date'} ${m.name}\n`);
    if (values.roles) {
      if (store.kind !== 'server') {
        throw new FlowlogError('USAGE', 'roles exist on a ClickHouse server only: the embedded engine has no users',
          'set CLICKHOUSE_URL (and an administrator\'s CLICKHOUSE_USER/CLICKHOUSE_PASSWORD) to apply sql/access/roles.sql');
      }
      const exec = (store as unknown as { exec(sql: string): Promise<void> }).exec.bind(store);
      // on a cluster store (this run's --cluster, or its ledger's) the roles go to every node
      for (const st of roleStatements(cluster ?? await ledgerCluster(store))) await exec(st);
      if (format === 'text') process.stdout.write('applied  roles flowlog_analyst, flowlog_writer\n');
    }
    if (format === 'json') {
      process.stdout.write(`${JSON.stringify({ command: 'migrate', ...(cluster ? { cluster: cluster.cluster } : {}), applied: migrations.filter((m) => m.applied).map((m) => m.name), current: Math.max(0, ...migrations.map((m) => m.version)), migrations, roles: Boolean(values.roles) })}\n`);
    }
  } finally {
    await store.close();
  }
  return 0;
}

/** sql/access/roles.sql as run: as written on one server, ON CLUSTER (local tables included) on a cluster. */
function roleStatements(cluster: ClusterTarget | undefined): string[] {
  const statements = splitStatements(readFileSync(ROLES_FILE, 'utf8'));
  return cluster ? statements.flatMap((st) => clusterAccessStatements(st, cluster)) : statements;
}
