/**
 * `flowlog report --since 24h --out DIR [--until ISO] [--title T]`: the
 * report on demand (HTML, Markdown and JSON) into a folder; `flowlog run`
 * makes the same on its `reports:` schedule, to folders, S3 or a webhook.
 */
import { durationMs } from '../../../schemas/common.js';
import { FlowlogError } from '../../core/errors.js';
import { makeReport } from '../../report/make-report.js';
import { openStore } from '../../store/open.js';
import { parseCli } from '../args.js';

const USAGE = 'flowlog report --since 24h --out DIR [--until ISO] [--title "..."]';

export async function reportCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { since: { type: 'string' }, until: { type: 'string' }, out: { type: 'string' }, title: { type: 'string' } }, USAGE, { flags: {
    since: 'window length before --until (24h, 90m, 7d; default 24h)', until: 'window end, ISO (default now)', out: 'folder to write into (a timestamped folder and latest/)', title: 'report title' } });
  if (!values.out) throw new FlowlogError('USAGE', 'report needs --out DIR', `usage: ${USAGE}`);
  const span = values.since ?? '24h';
  if (!/^\d+(ms|s|m|h)$/.test(span) && !/^\d+d$/.test(span)) throw new FlowlogError('USAGE', `--since "${span}" is not a duration`, 'write e.g. --since 24h, 90m or 7d');
  const until = values.until ? new Date(values.until) : new Date();
  if (Number.isNaN(until.getTime())) throw new FlowlogError('USAGE', `--until "${values.until}" is not a date`, 'write it as ISO 8601');
  const ms = span.endsWith('d') ? Number(span.slice(0, -1)) * 86_400_000 : durationMs(span);
  const store = await openStore();
  try {
    const r = await makeReport(store, { since: new Date(until.getTime() - ms), until, ...(values.title ? { title: values.title } : {}), deliver: [{ dir: values.out }] });
    process.stdout.write(`report (${r.findings} findings) written to ${r.results.map((x) => x.location).join(', ')}\n`);
  } finally {
    await store.close();
  }
  return 0;
}
