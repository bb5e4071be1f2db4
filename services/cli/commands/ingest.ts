/** `flowlog ingest PATH [--log-format F]`: a file or folder into the store, once. */
import { FlowlogError } from '../../core/errors.js';
import { ingestPath } from '../../ingest/ingest.js';
import { compileLogFormat } from '../../parse/aws/log-format.js';
import { openStore } from '../../store/open.js';
import { parseCli } from '../args.js';
import { Progress, fmtInt } from '../progress.js';
import { printIngestSummary } from '../summary.js';

const USAGE = 'flowlog ingest PATH [--log-format "${version} ..."] [--quiet]';

export async function ingestCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, { 'log-format': { type: 'string' }, quiet: { type: 'boolean' } }, USAGE);
  if (positionals.length !== 1) throw new FlowlogError('USAGE', 'ingest takes one PATH (a file or a folder)', `usage: ${USAGE}`);
  const plan = values['log-format'] !== undefined ? compileLogFormat(values['log-format']) : undefined;
  const store = await openStore();
  try {
    const bar = new Progress('ingest');
    const summary = await ingestPath(store, positionals[0]!, {
      ...(plan ? { logFormat: plan } : {}),
      onProgress: (p) => bar.update(p.bytesDone, p.bytes, `${fmtInt(p.rows)} flows, ${fmtInt(p.rejected)} rejected`),
    });
    bar.done(`${fmtInt(summary.rows)} flows, ${fmtInt(summary.rejected)} rejected`);
    if (values.quiet) process.stdout.write(`ingested ${summary.rows}, rejected ${summary.rejected}, skipped objects ${summary.skipped}\n`);
    else await printIngestSummary(store, summary, 'npm run flowlog --');
  } finally {
    await store.close();
  }
  return 0;
}
