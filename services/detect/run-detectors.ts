/**
 * One pass of the scheduled detectors over what is stored, as of `now`:
 * egress spikes and ramps, new destinations and unusual ports, scans, and
 * the segmentation violations the hot path recorded. Each
 * detector's findings are recorded as one run in the anomaly store (open,
 * updated, resolved, suppressed).
 */
import type { FlowStore } from '../store/store.js';
import { openEpisodeIndex, recordRun, type UpsertResult } from './anomaly-store.js';
import { detectEgress, type EgressParams, type OpenEgress } from './egress.js';
import { groupAcrossDetectors } from './related.js';
import type { DetectConfig } from '../../schemas/detect.js';
import { DETECTORS, type DetectorName, type Finding } from './finding.js';
import { detectNovelty, type NoveltyParams } from './novelty.js';
import { detectScans, type ScanParams } from './scan.js';
import { detectSegmentation } from './segmentation.js';
import type { Suppression } from './suppression.js';

export interface DetectSettings {
  egress?: Partial<EgressParams>;
  novelty?: Partial<NoveltyParams>;
  scan?: Partial<ScanParams>;
  suppressions?: Suppression[];
  /** An open episode its detector no longer sees is resolved this long after it was last seen (default 2 h). */
  resolveAfterMs?: number;
  /** Detectors to leave out. */
  disabled?: DetectorName[];
  /** The minute runs of segmentation (breach_schedule): breaches only. */
  breachesOnly?: boolean;
}

/** The hourly egress detectors, and the ones that look at recent minutes. */
export const HOURLY: DetectorName[] = ['egress_spike', 'egress_ramp', 'new_workload'];
export const FREQUENT: DetectorName[] = ['new_destination', 'unusual_port', 'scan', 'segmentation'];
/** Segmentation again, every minute: a breach is accepted traffic a rule forbids, and should page within minutes. */
export const BREACH: DetectorName[] = ['segmentation'];

/** The jobs of `flowlog run`, each a cron (UTC) and the detectors it runs: the schedules and the replay of a past window fire these same jobs. */
export interface DetectorJob { name: string; cron: string; detectors: readonly DetectorName[]; breachesOnly?: boolean }

export function detectorJobs(c: Pick<DetectConfig, 'schedule' | 'egress_schedule' | 'breach_schedule'>): DetectorJob[] {
  // the names are lease names too: instances claim each tick of a job by it (run/lease.ts)
  return [
    { name: 'detect:frequent', cron: c.schedule, detectors: FREQUENT },
    { name: 'detect:hourly', cron: c.egress_schedule, detectors: HOURLY },
    { name: 'detect:breach', cron: c.breach_schedule, detectors: BREACH, breachesOnly: true },
  ];
}

/** The settings of one job's pass: the configured ones, with every detector outside the job left out. */
export function jobSettings(s: DetectSettings, which: readonly DetectorName[], breachesOnly = false): DetectSettings {
  return { ...s, ...(breachesOnly ? { breachesOnly } : {}), disabled: [...new Set([...(s.disabled ?? []), ...DETECTORS.filter((d) => !which.includes(d))])] };
}

export interface DetectRun { findings: Finding[]; recorded: Partial<Record<DetectorName, UpsertResult>>; ms: number }

export async function runDetectors(store: FlowStore, now: Date, s: DetectSettings = {}): Promise<DetectRun> {
  const t0 = performance.now();
  const off = new Set(s.disabled ?? []);
  const byDetector = new Map<DetectorName, Finding[]>();
  const open = await openEpisodeIndex(store);
  if (!off.has('egress_spike') || !off.has('egress_ramp') || !off.has('new_workload')) {
    const egressOpen: OpenEgress = new Map(open.filter((e) => e.detector === 'egress_spike' || e.detector === 'egress_ramp')
      .map((e) => [e.entity, { detector: e.detector, firstSeen: e.firstSeen.getTime() }]));
    const { spikes, ramps, newWorkloads } = await detectEgress(store, now, s.egress, egressOpen);
    byDetector.set('egress_spike', spikes);
    byDetector.set('egress_ramp', ramps);
    byDetector.set('new_workload', newWorkloads);
  }
  if (!off.has('new_destination') || !off.has('unusual_port')) {
    const { destinations, ports } = await detectNovelty(store, now, s.novelty);
    byDetector.set('new_destination', destinations);
    byDetector.set('unusual_port', ports);
  }
  if (!off.has('scan')) byDetector.set('scan', await detectScans(store, now, s.scan, new Map(open.filter((e) => e.detector === 'scan').map((e) => [e.entity, e.firstSeen]))));
  if (!off.has('segmentation')) byDetector.set('segmentation', await detectSegmentation(store, now, s.scan?.windowMinutes ?? 15, { breachesOnly: s.breachesOnly ?? false }));
  for (const d of off) byDetector.delete(d);
  // one incident, one finding: what other detectors see of the same workload is evidence of the incident that was open first
  groupAcrossDetectors(byDetector, open);
  const recorded: DetectRun['recorded'] = {};
  const findings: Finding[] = [];
  for (const [d, fs] of byDetector) {
    if (off.has(d)) continue;
    recorded[d] = await recordRun(store, d, fs, now, { ...(s.suppressions ? { suppressions: s.suppressions } : {}), ...(s.resolveAfterMs !== undefined ? { graceMs: s.resolveAfterMs } : {}) });
    findings.push(...fs);
  }
  return { findings, recorded, ms: performance.now() - t0 };
}
