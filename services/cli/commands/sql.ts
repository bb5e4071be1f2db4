/**
 * `flowlog sql "SELECT ..." [--format table|json|csv] [--param k=v] [--write]`:
 * query the store. Read-only unless --write (the engine refuses INSERT, DDL
 * and setting changes); values come in as bound {k:Type} parameters, never
 * pasted into the SQL.
 */
import { FlowlogError } from '../../core/errors.js';
import { openStore } from '../../store/open.js';
import { oneOf, parseCli } from '../args.js';

const USAGE = 'flowlog sql "SELECT ... WHERE src_addr = toIPv6({ip:String})" [--param ip=10.0.1.10] [--format table|json|csv] [--write]';

export async function sqlCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    format: { type: 'string', short: 'f' }, param: { type: 'string', multiple: true, short: 'p' }, write: { type: 'boolean' },
  }, USAGE);
  const params: Record<string, string> = {};
  for (const kv of values.param ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new FlowlogError('USAGE', `--param "${kv}" is not name=value`, 'write --param ip=10.0.1.10 and use {ip:String} in the query');
    params[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const sql = positionals.join(' ').trim();
  if (!sql) throw new FlowlogError('USAGE', 'no query given', `usage: ${USAGE}   e.g. flowlog sql "SELECT count() FROM flows"`);
  const format = oneOf('format', values.format, ['table', 'json', 'csv'] as const, 'table');
  const store = await openStore();
  try {
    if (!values.write) await store.setReadOnly();
    try {
      process.stdout.write(await store.queryText(sql, format, Object.keys(params).length ? params : undefined));
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
