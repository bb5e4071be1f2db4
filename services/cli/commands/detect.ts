/**
 * `flowlog detect [--now ISO] [--config FILE]`: one pass of the scheduled
 * detectors over the store, now (or as of --now, to look back), recorded in
 * the anomaly store; prints what it found. `flowlog run` does the same on its
 * cron schedule.
 *
 * `flowlog detect --from ISO [--to ISO]`: after a backfill, the passes
 * `flowlog run` would have made over that window, each detector on its own
 * schedule (services/detect/replay.ts); a second replay adds no findings.
 */
import { z } from 'zod';
import { detectSchema, type DetectConfig } from '../../../schemas/detect.js';
import { parseYamlWith } from '../../config/load-config.js';
import { FlowlogError } from '../../core/errors.js';
import { replaySchedule } from '../../detect/replay.js';
import { runDetectors } from '../../detect/run-detectors.js';
import { detectSettings } from '../../detect/settings.js';
import { chTime } from '../../store/ch-time.js';
import type { FlowStore } from '../../store/store.js';
import { openStore } from '../../store/open.js';
import { FORMAT_HELP, FORMAT_OPTION, outputFormat, parseCli, readFlagFile, timeFlag } from '../args.js';
import { Progress } from '../progress.js';
import { safeText } from '../../core/safe-text.js';

const USAGE = 'flowlog detect [--now ISO | --from ISO [--to ISO]] [--config FILE] [--format text|json]';

const out = (s: string) => process.stdout.write(`${s}\n`);

/** The replay window: --from before --to (default now), neither in the future; USAGE errors name the flag and the fix. */
export function replayWindow(from: string, to: string | undefined, now = new Date()): { from: Date; to: Date } {
  const f = timeFlag('from', from);
  const t = to === undefined ? now : timeFlag('to', to);
  if (f.getTime() >= t.getTime()) {
    throw new FlowlogError('USAGE', `--from ${f.toISOString()} is not before --to ${t.toISOString()}`, 'give the start of the backfilled window in --from and its end in --to (default now)');
  }
  if (t.getTime() > now.getTime()) {
    throw new FlowlogError('USAGE', `--to ${t.toISOString()} is in the future`, 'a replay covers what has happened: leave --to out to replay up to now');
  }
  return { from: f, to: t };
}

export async function detectCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { now: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, config: { type: 'string' }, ...FORMAT_OPTION }, USAGE, { flags: {
    format: FORMAT_HELP, now: 'run once as of this ISO time instead of now (to look back)',
    from: 'replay the schedule of `flowlog run` from this ISO time (e.g. after ingesting a backfill): every pass its crons would have made, progress on stderr',
    to: 'with --from: the end of the replayed window (default now)',
    config: 'read the schedules, thresholds and suppressions from the detect: section of this file' } });
  const format = outputFormat(values.format);
  if (values.now !== undefined && (values.from !== undefined || values.to !== undefined)) {
    throw new FlowlogError('USAGE', '--now runs the detectors once; --from/--to replay a window', `give one or the other: ${USAGE}`);
  }
  if (values.to !== undefined && values.from === undefined) throw new FlowlogError('USAGE', '--to needs --from (the start of the window to replay)', `e.g. flowlog detect --from 2026-11-01 --to 2026-11-08`);
  const window = values.from !== undefined ? replayWindow(values.from, values.to) : null;
  const now = values.now !== undefined ? timeFlag('now', values.now) : new Date();
  const cfg = values.config ? parseYamlWith(z.object({ detect: detectSchema.default({}) }).passthrough(), readFlagFile('config', values.config), values.config).detect : detectSchema.parse({});
  const store = await openStore();
  try {
    if (window) return await replay(store, cfg, window.from, window.to, format);
    const run = await runDetectors(store, now, detectSettings(cfg));
    if (format === 'json') {
      out(JSON.stringify({ command: 'detect', now: now.toISOString(), ms: run.ms, findings: run.findings.length, recorded: run.recorded,
        top: run.findings.slice(0, 20).map((f) => ({ detector: f.detector, severity: f.severity, entity: f.entity, owner: f.owner, summary: f.summary })) }));
      return 0;
    }
    out(`detectors ran as of ${now.toISOString()} in ${(run.ms / 1000).toFixed(1)} s: ${run.findings.length} finding${run.findings.length === 1 ? '' : 's'}`);
    for (const [d, r] of Object.entries(run.recorded)) if (r.opened + r.updated + r.resolved + r.suppressed) out(`  ${d}: ${r.opened} new, ${r.updated} updated, ${r.resolved} resolved, ${r.suppressed} suppressed`);
    for (const f of run.findings.slice(0, 20)) out(`  [${f.severity}] ${safeText(f.summary)}`);
    if (run.findings.length > 20) out(`  ... see: flowlog sql "SELECT severity, summary FROM anomalies_current WHERE status = 'open' ORDER BY last_seen DESC"`);
  } finally {
    await store.close();
  }
  return 0;
}

interface WindowFinding { detector: string; severity: string; entity: string; owner: string; status: string; detected: string; summary: string }

/** The episodes a run in the window detected (detected_at in (from, to]), worst first: what the replay found, whichever run recorded it. */
async function windowFindings(store: FlowStore, from: Date, to: Date): Promise<WindowFinding[]> {
  return store.queryRows<WindowFinding>(
    `SELECT detector, severity, entity, owner, status, toString(detected_at) AS detected, summary FROM anomalies_current
     WHERE detected_at > {from:DateTime64(3)} AND detected_at <= {to:DateTime64(3)}
     ORDER BY indexOf(['info', 'low', 'medium', 'high', 'critical'], severity) DESC, detected_at`, { from: chTime(from), to: chTime(to) });
}

async function replay(store: FlowStore, cfg: DetectConfig, from: Date, to: Date, format: 'text' | 'json'): Promise<number> {
  const before = (await windowFindings(store, from, to)).length;
  const bar = format === 'json' ? null : new Progress('detect');
  const r = await replaySchedule(store, cfg, from, to, (done, total, at) => bar?.update(done, total, `as of ${at.toISOString().slice(0, 16)}Z`));
  bar?.done(`${r.runs} passes`);
  const found = await windowFindings(store, from, to);
  const byDetector: Record<string, number> = {};
  for (const f of found) byDetector[f.detector] = (byDetector[f.detector] ?? 0) + 1;
  const added = Math.max(0, found.length - before);
  if (format === 'json') {
    out(JSON.stringify({ command: 'detect', from: from.toISOString(), to: to.toISOString(), runs: r.runs, ms: r.ms, findings: found.length, new: added, by_detector: byDetector,
      top: found.slice(0, 20).map((f) => ({ detector: f.detector, severity: f.severity, entity: f.entity, owner: f.owner || null, status: f.status, detected_at: f.detected, summary: f.summary })) }));
    return 0;
  }
  out(`replayed the detector schedule from ${from.toISOString()} to ${to.toISOString()}: ${r.runs} pass${r.runs === 1 ? '' : 'es'} in ${(r.ms / 1000).toFixed(1)} s`);
  out(`${found.length} finding${found.length === 1 ? '' : 's'} detected in the window: ${added} new, ${found.length - added} already recorded (by an earlier replay or run)`);
  for (const [d, n] of Object.entries(byDetector)) out(`  ${d}: ${n}`);
  for (const f of found.slice(0, 20)) out(`  [${f.severity}] ${f.detected.slice(0, 16)} ${safeText(f.summary)}${f.status === 'open' ? '' : ` (${f.status})`}`);
  if (found.length > 20) out(`  ... see: flowlog sql "SELECT severity, detected_at, summary FROM anomalies_current WHERE detected_at > '${chTime(from)}' AND detected_at <= '${chTime(to)}' ORDER BY detected_at"`);
  return 0;
}
