/**
 * `flowlog report --since 24h --out DIR [--until ISO] [--title T]`: the
 * report on demand (HTML, Markdown and JSON) into a folder; `flowlog run`
 * makes the same on its `reports:` schedule, to folders, S3 or a webhook.
 */
import { FlowlogError } from '../../core/errors.js';
import { makeReport } from '../../report/make-report.js';
import { checkSchema } from '../../store/migrations.js';
import { openStore } from '../../store/open.js';
import { durationFlag, FORMAT_HELP, FORMAT_OPTION, outputFormat, parseCli, timeFlag } from '../args.js';
import { inTimeRange, TIME_RANGE_TEXT } from '../../investigate/time-window.js';

const USAGE = 'flowlog report --since 24h --out DIR [--until ISO] [--title "..."] [--format text|json]';

export async function reportCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { since: { type: 'string' }, until: { type: 'string' }, out: { type: 'string' }, title: { type: 'string' }, ...FORMAT_OPTION }, USAGE, { flags: { format: FORMAT_HELP,
    since: 'window length before --until (24h, 90m, 7d; default 24h)', until: 'window end, ISO (default now)', out: 'folder to write into (a timestamped folder and latest/)', title: 'report title' } });
  if (!values.out) throw new FlowlogError('USAGE', 'report needs --out DIR', `usage: ${USAGE}`);
  const format = outputFormat(values.format);
  const ms = durationFlag('since', values.since ?? '24h');
  const until = values.until !== undefined ? timeFlag('until', values.until) : new Date();
  const since = new Date(until.getTime() - ms);
  if (!inTimeRange(since).ok) throw new FlowlogError('USAGE', `--since ${values.since} before ${until.toISOString()} starts before 1900`, `shorten --since (${TIME_RANGE_TEXT})`);
  // a read never migrates (its user may not): it checks the schema and says to run flowlog migrate
  const store = await openStore({ migrate: false });
  try {
    await checkSchema(store);
    const r = await makeReport(store, { since, until, ...(values.title ? { title: values.title } : {}), deliver: [{ dir: values.out }] });
    if (format === 'json') {
      process.stdout.write(`${JSON.stringify({ command: 'report', since: since.toISOString(), until: until.toISOString(), findings: r.findings, data: r.data, alert: r.alert, written: r.results.map((x) => x.location) })}\n`);
    } else {
      // the missing data is said on the terminal too, not only inside the files
      if (r.alert) process.stderr.write(`warning: ${r.alert}\n`);
      process.stdout.write(`report (${r.findings} findings) written to ${r.results.map((x) => x.location).join(', ')}\n`);
    }
  } finally {
    await store.close();
  }
  return 0;
}
