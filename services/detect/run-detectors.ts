/**
 * One pass of the scheduled detectors over what is stored, as of `now`:
 * egress spikes and ramps, new destinations and unusual ports, scans, and
 * the segmentation violations the hot path recorded. Each
 * detector's findings are recorded as one run in the anomaly store (open,
 * updated, resolved, suppressed).
 */
import type { FlowStore } from '../store/store.js';
import { recordRun, type UpsertResult } from './anomaly-store.js';
import { detectEgress, type EgressParams } from './egress.js';
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
}

/** The hourly egress detectors, and the ones that look at recent minutes. */
export const HOURLY: DetectorName[] = ['egress_spike', 'egress_ramp'];
export const FREQUENT: DetectorName[] = ['new_destination', 'unusual_port', 'scan', 'segmentation'];

/** The jobs of `flowlog run`, each a cron (UTC) and the detectors it runs: the schedules and the replay of a past window fire these same jobs. */
export function detectorJobs(c: Pick<DetectConfig, 'schedule' | 'egress_schedule'>): { name: string; cron: string; detectors: readonly DetectorName[] }[] {
  // the names are lease names too: instances claim each tick of a job by it (run/lease.ts)
  return [{ name: 'detect:frequent', cron: c.schedule, detectors: FREQUENT }, { name: 'detect:hourly', cron: c.egress_schedule, detectors: HOURLY }];
}

/** The settings of one job's pass: the configured ones, with every detector outside the job left out. */
export function jobSettings(s: DetectSettings, which: readonly DetectorName[]): DetectSettings {
  return { ...s, disabled: [...new Set([...(s.disabled ?? []), ...DETECTORS.filter((d) => !which.includes(d))])] };
}

export interface DetectRun { findings: Finding[]; recorded: Partial<Record<DetectorName, UpsertResult>>; ms: number }

export async function runDetectors(store: FlowStore, now: Date, s: DetectSettings = {}): Promise<DetectRun> {
  const t0 = performance.now();
  const off = new Set(s.disabled ?? []);
  const byDetector = new Map<DetectorName, Finding[]>();
  if (!off.has('egress_spike') || !off.has('egress_ramp')) {
    const { spikes, ramps } = await detectEgress(store, now, s.egress);
    byDetector.set('egress_spike', spikes);
    byDetector.set('egress_ramp', ramps);
  }
  if (!off.has('new_destination') || !off.has('unusual_port')) {
    const { destinations, ports } = await detectNovelty(store, now, s.novelty);
    byDetector.set('new_destination', destinations);
    byDetector.set('unusual_port', ports);
  }
  if (!off.has('scan')) byDetector.set('scan', await detectScans(store, now, s.scan));
  if (!off.has('segmentation')) byDetector.set('segmentation', await detectSegmentation(store, now, s.scan?.windowMinutes ?? 15));
  const recorded: DetectRun['recorded'] = {};
  const findings: Finding[] = [];
  for (const [d, fs] of byDetector) {
    if (off.has(d)) continue;
    recorded[d] = await recordRun(store, d, fs, now, { ...(s.suppressions ? { suppressions: s.suppressions } : {}), ...(s.resolveAfterMs !== undefined ? { graceMs: s.resolveAfterMs } : {}) });
    findings.push(...fs);
  }
  return { findings, recorded, ms: performance.now() - t0 };
}
