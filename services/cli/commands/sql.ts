/** `flowlog sql "SELECT ..." [--format table|json|csv]`: query the store. */
import { FlowlogError } from '../../core/errors.js';
import { openStore } from '../../store/open.js';
import { oneOf, parseCli } from '../args.js';

const USAGE = 'flowlog sql "SELECT ..." [--format table|json|csv]';

export async function sqlCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, { format: { type: 'string', short: 'f' } }, USAGE);
  const sql = positionals.join(' ').trim();
  if (!sql) throw new FlowlogError('USAGE', 'no query given', `usage: ${USAGE}   e.g. flowlog sql "SELECT count() FROM flows"`);
  const format = oneOf('format', values.format, ['table', 'json', 'csv'] as const, 'table');
  const store = await openStore();
  try {
    process.stdout.write(await store.queryText(sql, format));
  } finally {
    await store.close();
  }
  return 0;
}
