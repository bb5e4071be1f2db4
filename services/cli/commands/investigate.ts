/**
 * `flowlog investigate TARGET [--since 2h] [--until ISO] [--format table|json] [--top N]`:
 * everything the store knows about an address, a CIDR, an interface, an owner
 * or a service in a window: summary and IPAM, peers, ports, denials,
 * anomalies, segmentation violations, timeline. Read-only.
 */
import { FlowlogError } from '../../core/errors.js';
import { investigate } from '../../investigate/investigate.js';
import { renderText } from '../../investigate/render-text.js';
import { parseTarget, TARGET_HELP } from '../../investigate/target.js';
import { resolveWindow } from '../../investigate/time-window.js';
import { checkSchema } from '../../store/migrations.js';
import { openStore } from '../../store/open.js';
import { oneOf, parseCli } from '../args.js';

const USAGE = 'flowlog investigate <ip|cidr|eni-...|owner:NAME|service:NAME> [--since 2h] [--until ISO] [--format table|json] [--top 10]';

export async function investigateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    since: { type: 'string' }, until: { type: 'string' }, format: { type: 'string', short: 'f' }, top: { type: 'string' },
  }, USAGE, { flags: {
    since: 'window start: a duration back from --until (default 2h; 90m, 7d) or an ISO time', until: 'window end: an ISO time or a duration back from now (default now)',
    format: 'table or json', top: 'rows per section (default 10)',
  } });
  if (positionals.length !== 1) {
    throw new FlowlogError('USAGE', positionals.length ? `one target at a time, got ${positionals.length}: ${positionals.join(' ')}` : 'no target given', `${TARGET_HELP}; usage: ${USAGE}`);
  }
  const format = oneOf('format', values.format, ['table', 'json'] as const, 'table');
  const top = values.top === undefined ? 10 : Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > 1000) throw new FlowlogError('USAGE', `--top "${values.top}" is not a whole number from 1 to 1000`, 'e.g. --top 20');
  // everything that can be judged without the engine is judged first
  parseTarget(positionals[0]!);
  const window = resolveWindow(values.since, values.until);
  // a read never migrates (its user may not): it checks the schema and says to run flowlog migrate
  const store = await openStore({ migrate: false });
  try {
    await checkSchema(store);
    await store.setReadOnly();
    const x = await investigate(store, positionals[0]!, window, { top });
    process.stdout.write(format === 'json' ? `${JSON.stringify(x, null, 2)}\n` : renderText(x));
  } finally {
    await store.close();
  }
  return 0;
}
