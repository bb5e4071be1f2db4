/**
 * `flowlog detect [--now ISO] [--config FILE]`: one pass of the scheduled
 * detectors over the store, now (or as of --now, to look back), recorded in
 * the anomaly store; prints what it found. `flowlog run` does the same on its
 * cron schedule.
 */
import { z } from 'zod';
import { detectSchema } from '../../../schemas/detect.js';
import { parseYamlWith } from '../../config/load-config.js';
import { runDetectors } from '../../detect/run-detectors.js';
import { detectSettings } from '../../detect/settings.js';
import { openStore } from '../../store/open.js';
import { FORMAT_HELP, FORMAT_OPTION, outputFormat, parseCli, readFlagFile, timeFlag } from '../args.js';
import { safeText } from '../../core/safe-text.js';

const USAGE = 'flowlog detect [--now ISO] [--config FILE] [--format text|json]';

export async function detectCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, { now: { type: 'string' }, config: { type: 'string' }, ...FORMAT_OPTION }, USAGE, { flags: {
    format: FORMAT_HELP, now: 'run as of this ISO time instead of now (to look back)', config: 'read thresholds and suppressions from the detect: section of this file' } });
  const format = outputFormat(values.format);
  const now = values.now !== undefined ? timeFlag('now', values.now) : new Date();
  const cfg = values.config ? parseYamlWith(z.object({ detect: detectSchema.default({}) }).passthrough(), readFlagFile('config', values.config), values.config).detect : detectSchema.parse({});
  const store = await openStore();
  try {
    const run = await runDetectors(store, now, detectSettings(cfg));
    const out = (s: string) => process.stdout.write(`${s}\n`);
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
