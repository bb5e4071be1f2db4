/** `flowlog ingest PATH|s3://bucket/prefix [--from ISO] [--to ISO] [--log-format F]`: objects into the store, once. */
import { FlowlogError } from '../../core/errors.js';
import { ingestObjects, ingestPath, type IngestProgress } from '../../pipeline/ingest.js';
import { compileLogFormat } from '../../parse/aws/log-format.js';
import { warnOrphanedRounds } from '../../run/delivery-overlap.js';
import { openStore } from '../../store/open.js';
import { backfillStream } from '../../sources/s3/s3-uri.js';
import { resolveConfig } from '../../config/resolve.js';
import { MEMORY_PROFILES } from '../../../schemas/config.js';
import { openEnricher } from '../../enrich/open.js';
import { loadEnrichFile, withPolicy } from '../../enrich/settings.js';
import { FORMAT_HELP, FORMAT_OPTION, outputFormat, parseCli, requireSettingFile, SILENT_PROGRESS, timeFlag } from '../args.js';
import { safeText } from '../../core/safe-text.js';
import { Progress, fmtInt } from '../progress.js';
import { NPM_INVOCATION, printIngestSummary, printNextSteps } from '../summary.js';

const USAGE = 'flowlog ingest PATH|s3://bucket/prefix [--from ISO] [--to ISO] [--log-format "${version} ..."] [--enrich FILE] [--policy FILE] [--quiet] [--format text|json]';

export async function ingestCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    'log-format': { type: 'string' }, quiet: { type: 'boolean' }, ...FORMAT_OPTION, from: { type: 'string' }, to: { type: 'string' }, enrich: { type: 'string' }, policy: { type: 'string' },
  }, USAGE, { flags: {
    'log-format': 'field order of headerless AWS text, as in aws ec2 create-flow-logs', quiet: 'print nothing but errors (with --format json, the summary object only)', format: FORMAT_HELP,
    from: 'S3 only: objects whose key date is on or after this ISO date', to: 'S3 only: objects whose key date is before this ISO date',
    enrich: 'YAML file with an enrich: section (default FLOWLOG_ENRICH)', policy: 'segmentation policy to judge each flow against (default FLOWLOG_POLICY)',
  } });
  if (positionals.length !== 1) throw new FlowlogError('USAGE', 'ingest takes one PATH (a file or a folder) or s3:// URI', `usage: ${USAGE}`);
  const target = positionals[0]!;
  const format = outputFormat(values.format);
  // json: the one object is the output, so nothing else for people on stdout; --quiet: no progress either
  const quiet = Boolean(values.quiet) || format === 'json';
  const from = values.from !== undefined ? timeFlag('from', values.from) : undefined;
  const to = values.to !== undefined ? timeFlag('to', values.to) : undefined;
  if ((from || to) && !target.startsWith('s3://')) throw new FlowlogError('USAGE', '--from/--to select S3 objects by the date in their keys', 'use them with an s3:// URI');
  const plan = values['log-format'] !== undefined ? compileLogFormat(values['log-format']) : undefined;
  const config = resolveConfig({ env: process.env, flags: { enrich: values.enrich, policy: values.policy } });
  requireSettingFile(config.enrich_file, 'enrich', values.enrich, 'FLOWLOG_ENRICH');
  requireSettingFile(config.policy?.file, 'policy', values.policy, 'FLOWLOG_POLICY');
  const enrichPlan = withPolicy(config.enrich_file ? loadEnrichFile(config.enrich_file) : null, config.policy?.file);
  const store = await openStore({ config });
  const enrich = await openEnricher(enrichPlan, { store }).catch(async (e: Error) => { await store.close(); throw e; });
  try {
    const bar = quiet ? SILENT_PROGRESS : new Progress('ingest');
    const opts = {
      ...(plan ? { logFormat: plan } : {}),
      capacity: config.batch.rows,
      limits: config.limits,
      enrich,
      onProgress: (p: IngestProgress) => bar.update(p.bytesDone, p.listed ? p.bytes : null, () => `${fmtInt(p.rows)} flows stored, ${fmtInt(p.rejected)} rejected${p.listed ? '' : `, ${fmtInt(p.objectsDone)} objects`}`),
    };
    // a poll's or a queue's round cut short is stored again only by flowlog run with that source (its objects may be these)
    if (target.startsWith('s3://') && store.kind === 'embedded') await warnOrphanedRounds(store, new Map());
    let summary;
    if (target.startsWith('s3://')) {
      // loaded for an S3 target only: the SDK adds ~0.1 s to every local ingest's start
      const [{ makeS3Client, s3SettingsFromEnv }, { parseS3Uri, s3Source }] = await Promise.all([import('../../sources/s3/client.js'), import('../../sources/s3/s3-source.js')]);
      const settings = s3SettingsFromEnv();
      const client = makeS3Client(settings);
      const source = s3Source(client, { ...parseS3Uri(target), concurrency: MEMORY_PROFILES[config.memory.profile].s3_gets, ...(from ? { from } : {}), ...(to ? { to } : {}) },
        (n) => { if (!quiet) process.stderr.write(`note: ${n} objects under the prefix have no date in their key and were left out of the range\n`); });
      try { summary = await ingestObjects(store, source, { ...opts, stream: backfillStream({ uri: target, endpoint: settings.endpoint }) }); } finally { client.destroy(); }
    } else {
      summary = await ingestPath(store, target, opts);
    }
    bar.done(`${fmtInt(summary.rows)} flows, ${fmtInt(summary.rejected)} rejected`);
    if (format === 'json') {
      process.stdout.write(`${JSON.stringify({ command: 'ingest', target, objects: summary.objects, ingested: summary.rows, rejected: summary.rejected, skipped: summary.skipped, unfinished: summary.unfinished.length,
        ...(summary.flowsSpan ? { flows_from: summary.flowsSpan.from.toISOString(), flows_to: summary.flowsSpan.to.toISOString() } : {}) })}\n`);
    } else if (!quiet) {
      await printIngestSummary(store, summary, NPM_INVOCATION);
      printNextSteps(NPM_INVOCATION);
    }
    if (summary.unfinished.length > 0) {
      const shown = summary.unfinished.slice(0, 10).map((u) => `  ${safeText(u.reason)}`).join('\n');
      process.stderr.write(`error SOURCE_UNAVAILABLE: ${summary.unfinished.length} object(s) could not be read to the end; what was read is stored, nothing was quarantined:\n${shown}` +
        `${summary.unfinished.length > 10 ? `\n  ... and ${summary.unfinished.length - 10} more` : ''}\n  hint: run the same command again once the source answers: they resume after their last stored row\n`);
      return 1;
    }
  } finally {
    enrich.stop();
    await store.close();
  }
  return 0;
}
