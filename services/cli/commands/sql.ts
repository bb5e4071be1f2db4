/**
 * `flowlog sql "SELECT ..." [--format table|json|csv] [--param k=v] [--write]`:
 * query the store. Read-only unless --write (the engine refuses INSERT, DDL
 * and setting changes); values come in as bound {k:Type} parameters, never
 * pasted into the SQL. `--saved NAME` runs a query from sql/queries with its
 * declared parameters (defaults applied, required ones enforced);
 * `--list-saved` lists them.
 */
import { FlowlogError } from '../../core/errors.js';
import { findSavedQuery, loadSavedQueries } from '../../investigate/saved-queries.js';
import { checkGiven, resolveParams } from '../../investigate/saved-params.js';
import { savedListJson, savedListText } from '../../investigate/saved-list.js';
import { checkSchema } from '../../store/migrations.js';
import { openStore } from '../../store/open.js';
import { oneOf, parseCli } from '../args.js';
import { queryTable } from '../result-table.js';

const USAGE = 'flowlog sql "SELECT ... WHERE src_addr = toIPv6({ip:String})" [--param ip=10.0.1.10] [--format table|json|csv] [--write]'
  + ' | flowlog sql --saved NAME [--param k=v ...] | flowlog sql --list-saved';

export async function sqlCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    format: { type: 'string', short: 'f' }, param: { type: 'string', multiple: true, short: 'p' }, write: { type: 'boolean' },
    saved: { type: 'string' }, 'list-saved': { type: 'boolean' },
  }, USAGE, { flags: {
    format: 'table (default), json (one object per line) or csv', param: 'name=value for a {name:Type} placeholder', write: 'allow statements that change data or schema',
    saved: 'run a saved query from sql/queries', 'list-saved': 'list the saved queries and their parameters',
  } });
  if (values['list-saved']) {
    const format = oneOf('format', values.format, ['table', 'json'] as const, 'table');
    process.stdout.write((format === 'json' ? savedListJson : savedListText)(loadSavedQueries()));
    return 0;
  }
  const params: Record<string, string> = {};
  for (const kv of values.param ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new FlowlogError('USAGE', `--param "${kv}" is not name=value`, 'write --param ip=10.0.1.10 and use {ip:String} in the query');
    params[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const saved = values.saved !== undefined ? findSavedQuery(values.saved) : null;
  if (saved && positionals.length) throw new FlowlogError('USAGE', 'give either a query or --saved NAME, not both', `usage: ${USAGE}`);
  if (saved && values.write) throw new FlowlogError('USAGE', 'saved queries only read: --write does not apply', 'leave out --write');
  if (saved) checkGiven(saved, params); // before opening the store: a usage mistake should not wait on the engine
  const sql = saved ? saved.sql : positionals.join(' ').trim();
  if (!sql) throw new FlowlogError('USAGE', 'no query given', `usage: ${USAGE}   e.g. flowlog sql "SELECT count() FROM flows"`);
  const format = oneOf('format', values.format, ['table', 'json', 'csv'] as const, 'table');
  // a read never migrates (its user may not): it checks the schema and says to run flowlog migrate
  const store = await openStore({ migrate: false });
  try {
    await checkSchema(store);
    if (!values.write) await store.setReadOnly();
    try {
      const bound = saved ? await resolveParams(store, saved, params) : params;
      const p = Object.keys(bound).length ? bound : undefined;
      // table: drawn by us with every value made safe for the terminal; json and csv: the exact values
      const out = format === 'table' ? await queryTable(store, sql, p) : await store.queryText(sql, format, p);
      process.stdout.write(out);
      // an empty table draws nothing: say so, on stderr, so that stdout stays what the query gave
      if (format === 'table' && out === '') process.stderr.write('(no rows)\n');
    } catch (e) {
      if (e instanceof FlowlogError && /\(READONLY\)/.test(e.message)) {
        throw new FlowlogError('STORE_QUERY_FAILED', 'flowlog sql is read-only: this statement would change data or schema', 'pass --write if you mean it (migrations: flowlog migrate)', { cause: e });
      }
      throw e;
    }
  } finally {
    await store.close();
  }
  return 0;
}
