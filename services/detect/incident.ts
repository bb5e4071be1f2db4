/**
 * One finding per incident. Egress is baselined at four levels (workload,
 * subnet, service, owner), so one workload's exfiltration shows at each of
 * them. A level's finding belongs to the workload whose own excess is most of
 * the level's excess (at least groupShare of it); findings with the same such
 * workload are one incident, keyed on the workload (so the episode keeps its
 * key whichever level crossed the line first) and naming every level. A rise
 * that no single workload explains (a whole subnet growing) stays a finding
 * of its own level.
 */
import type { EgressEntity, HourEval } from './egress.js';

export interface Candidate {
  detector: 'egress_spike' | 'egress_ramp';
  kind: EgressEntity;
  entity: string;
  /** The hours that make the finding (flagged, or the ramp's). */
  hours: HourEval[];
  /** Judged without a baseline of its own (cold start): only estate-extreme volume. */
  cold: boolean;
  /** The entity's bytes per hour (ms), for the episode's totals. */
  series: ReadonlyMap<number, number>;
}

export interface WorkloadAttrs { workload: string; owner: string; service: string; subnet: string }

export interface Incident {
  /** The candidate the finding is written from: the most specific level, or the anchor workload's own hours. */
  lead: Candidate;
  /** Every level's candidate that is part of it. */
  levels: Candidate[];
  /** The workload that explains it, when one does. */
  anchor: string | null;
}

const SPECIFIC: EgressEntity[] = ['workload', 'subnet', 'service', 'owner'];

const excess = (e: HourEval | undefined) => (e ? e.observed - e.expected : 0);

/** The workload whose excess over the candidate's hours is at least `share` of the candidate's, if any. */
export function anchorOf(c: Candidate, evals: ReadonlyMap<string, ReadonlyMap<number, HourEval>>, attrs: ReadonlyMap<string, WorkloadAttrs>, share: number, cold: ReadonlySet<string>): string | null {
  if (c.kind === 'workload') return c.entity;
  const total = c.hours.reduce((a, e) => a + excess(e), 0);
  if (total <= 0) return null;
  let best: string | null = null, bestX = 0;
  for (const [w, a] of attrs) {
    if (a[c.kind] !== c.entity || cold.has(w)) continue;
    const byHour = evals.get(w);
    if (!byHour) continue;
    const x = c.hours.reduce((s, e) => s + excess(byHour.get(e.hour)), 0);
    if (x > bestX) [best, bestX] = [w, x];
  }
  return best !== null && bestX >= share * total ? best : null;
}

export function mergeLevels(candidates: readonly Candidate[], evals: ReadonlyMap<string, ReadonlyMap<number, HourEval>>, series: ReadonlyMap<string, ReadonlyMap<number, number>>, attrs: ReadonlyMap<string, WorkloadAttrs>, share: number, cold: ReadonlySet<string>): Incident[] {
  const groups = new Map<string, { anchor: string | null; levels: Candidate[] }>();
  for (const c of candidates) {
    const anchor = anchorOf(c, evals, attrs, share, cold);
    const key = anchor === null ? `${c.kind}=${c.entity}` : `workload=${anchor}`;
    const g = groups.get(key) ?? { anchor, levels: [] };
    g.levels.push(c);
    groups.set(key, g);
  }
  return [...groups.values()].map(({ anchor, levels }) => {
    const sorted = [...levels].sort((a, b) => SPECIFIC.indexOf(a.kind) - SPECIFIC.indexOf(b.kind));
    const top = sorted[0]!;
    if (anchor === null || top.kind === 'workload') return { lead: top, levels: sorted, anchor };
    // the workload did not cross the line on its own baseline, but it is the cause: the finding is about it, over the level's hours
    const own = evals.get(anchor)!;
    const hours = top.hours.map((e) => own.get(e.hour) ?? { hour: e.hour, observed: 0, expected: 0, z: 0, basis: e.basis });
    return { lead: { ...top, kind: 'workload', entity: anchor, hours, series: series.get(anchor) ?? new Map() }, levels: sorted, anchor };
  });
}
