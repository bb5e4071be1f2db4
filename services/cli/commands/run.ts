/** `flowlog run --config FILE`: run the configured sources until SIGTERM/SIGINT, then drain and exit 0. */
import { dirname, resolve } from 'node:path';
import { FlowlogError } from '../../core/errors.js';
import { CONFIG_FILE_ENV, resolveConfig } from '../../config/resolve.js';
import { setLogLevel } from '../../telemetry/log.js';
import { runConfigured } from '../../run/runner.js';
import { telemetryEvents } from '../../telemetry/events.js';
import { parseCli, requireSettingFile } from '../args.js';

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { config: { type: 'string', short: 'c' }, check: { type: 'boolean' }, role: { type: 'string' } }, 'flowlog run --config FILE [--role ingest|detect|all] [--check]', { flags: {
    config: 'the YAML configuration (docs/configuration.md)', check: 'validate the file and exit',
    role: 'ingest (sources only), detect (detector and report schedules only) or all (default); docs/operations.md#roles' } });
  const file = values.config ?? (process.env[CONFIG_FILE_ENV] || undefined);
  if (!file) throw new FlowlogError('USAGE', 'run needs --config FILE', `write a YAML config (see docs/configuration.md) and pass it with --config (or ${CONFIG_FILE_ENV})`);
  requireSettingFile(file, 'config', values.config, CONFIG_FILE_ENV);
  // the file, then the environment (FLOWLOG_DATA_DIR, CLICKHOUSE_URL, ...): the same settings every command sees
  const cfg = resolveConfig({ file, env: process.env, flags: { role: values.role } });
  setLogLevel(cfg.log.level);
  if (cfg.role !== 'detect' && cfg.sources.length === 0) throw new FlowlogError('CONFIG_INVALID', `${file}: sources: missing; flowlog run needs at least one source`, 'add a source under sources: (kind: kafka, sqs, s3 or local; see docs/configuration-reference.md), or run with --role detect for the schedules alone');
  if (cfg.role === 'detect' && !cfg.detect && cfg.reports.length === 0) {
    throw new FlowlogError('CONFIG_INVALID', `${file}: role detect, but neither detect: nor reports: is configured: this instance would do nothing`, 'add a detect: or reports: section, or run with --role ingest or all');
  }
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const what = cfg.role === 'detect' ? `role detect: ${cfg.detect ? 'detectors, ' : ''}${plural(cfg.reports.length, 'report')}`
    : `${plural(cfg.sources.length, 'source')}${cfg.role === 'ingest' ? ', role ingest' : ''}`;
  if (values.check) { process.stdout.write(`${file}: ok (${what})\n`); return 0; }
  // handlers first: a signal during startup (connecting, migrating) must still end in a clean stop
  let signalled: (() => void) | null = null;
  const signal = new Promise<void>((resolve) => { signalled = resolve; });
  const onSignal = (sig: string) => { telemetryEvents().signal({ signal: sig }); signalled?.(); };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  // started through a wrapper that does not pass signals on (`npm run`), the wrapper dies and we are left
  // orphaned, still holding the store: the parent going away is taken as SIGTERM
  const parent = process.ppid;
  const orphaned = setInterval(() => { if (process.ppid !== parent) { clearInterval(orphaned); onSignal('parent-exited'); } }, 500);
  orphaned.unref();
  const running = await runConfigured(cfg, dirname(resolve(file)));
  // SIGHUP: reload the IPAM now instead of waiting for the next file check
  process.on('SIGHUP', () => { void running.reloadIpam?.(); });
  // one-shot sources only (no Kafka, no polling): finishing them is the end of the run
  const oneShot = cfg.role !== 'detect' && cfg.sources.every((s) => s.kind === 'local' || (s.kind === 's3' && s.mode === 'backfill'));
  await Promise.race([signal, ...(oneShot ? [running.done] : [])]);
  clearInterval(orphaned);
  await running.stop();
  return 0;
}
