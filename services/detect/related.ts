/**
 * One incident across detectors: the egress detectors, the scan detector and
 * the novelty detectors can each see the same workload misbehave. What they
 * see of one workload while an episode about it is open is one incident: the
 * episode that was open first (or, in one run, the strongest kind) stays the
 * finding people act on, and the others are recorded as 'merged' into it
 * (label incident = its detector:entity), listed as its related evidence.
 * Informational findings (new_workload) stay findings of their own, and so
 * does segmentation unless one source did it all.
 */
import type { OpenEpisodeRef } from './anomaly-store.js';
import type { DetectorName, Finding } from './finding.js';

/** Which kind leads when several start in the same run: volume, then breadth, then novelty. */
const RANK: DetectorName[] = ['egress_spike', 'egress_ramp', 'scan', 'segmentation', 'new_destination', 'unusual_port'];

/** The internal workload (source address) a finding is about, for the detectors that judge one (segmentation: when one source did it all). */
export function workloadOf(detector: string, entity: string, source?: string | null): string | null {
  switch (detector) {
    case 'segmentation': return source || null;
    case 'egress_spike': case 'egress_ramp': return entity.startsWith('workload=') ? entity.slice('workload='.length) : null;
    case 'new_destination': return entity.includes('->') ? entity.slice(0, entity.indexOf('->')) : null;
    case 'unusual_port': return /^(.*):\d+\/\d+$/.exec(entity)?.[1] ?? null;
    case 'scan': return entity.startsWith('src=') ? entity.slice('src='.length) : null;
    default: return null;
  }
}

export const incidentKey = (detector: string, entity: string): string => `${detector}:${entity}`;

export function groupAcrossDetectors(byDetector: Map<DetectorName, Finding[]>, open: readonly OpenEpisodeRef[]): void {
  const lead = new Map<string, { detector: string; entity: string; firstSeen: number }>();
  // open episodes first: the incident that was reported first keeps the lead
  for (const e of [...open].sort((a, b) => a.firstSeen.getTime() - b.firstSeen.getTime())) {
    const w = workloadOf(e.detector, e.entity, e.source);
    if (w === null || e.status === 'merged' || lead.has(w)) continue;
    lead.set(w, { detector: e.detector, entity: e.entity, firstSeen: e.firstSeen.getTime() });
  }
  const all = RANK.flatMap((d) => byDetector.get(d) ?? []);
  for (const f of all) {
    const w = workloadOf(f.detector, f.entity, f.labels.source);
    if (w !== null && !lead.has(w)) lead.set(w, { detector: f.detector, entity: f.entity, firstSeen: f.firstSeen.getTime() });
  }
  const related = new Map<string, Set<string>>();
  const note = (key: string, what: string) => related.set(key, (related.get(key) ?? new Set()).add(what));
  for (const e of open) if (e.status === 'merged' && e.incident) note(e.incident, `${e.detector} ${e.entity}`);
  for (const f of all) {
    const w = workloadOf(f.detector, f.entity, f.labels.source);
    const l = w === null ? undefined : lead.get(w);
    // a breach is never hidden in another finding: it leads, or stands alone
    if (!l || (l.detector === f.detector && l.entity === f.entity) || (f.detector === 'segmentation' && f.labels.kind === 'breach')) continue;
    f.status = 'merged';
    f.labels = { ...f.labels, incident: incidentKey(l.detector, l.entity) };
    note(incidentKey(l.detector, l.entity), `${f.detector} ${f.entity}`);
  }
  for (const f of all) {
    const r = related.get(incidentKey(f.detector, f.entity));
    if (f.status !== 'merged' && r?.size) f.labels = { ...f.labels, related: [...r].sort().join('; ') };
  }
}
