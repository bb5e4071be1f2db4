/**
 * Event-level scoring of findings against the ground truth, per detector:
 * an event counts as found once (however many findings cover it, no
 * point-adjust inflation), a finding is true when it is about an event the
 * detector must or may find (matching entity, overlapping window), and the
 * latency is from the event's start to the first detector run that reported it.
 *
 * And per scenario, as an analyst meets them: the findings that alert (not
 * informational, not merged into another finding's incident), their
 * precision and recall, how many alert per incident, whether the first one
 * names the right kind, how soon breaches are found, and whether anything
 * alerted on a workload in its cold start.
 */
import type { DetectorName } from '../detect/finding.js';
import type { InjectedEvent } from '../generate/scenario.js';

export interface Episode {
  detector: DetectorName; entity: string; windowStart: number; windowEnd: number; detectedAt: number; severity: string; summary: string;
  /** The status it was first recorded with: 'merged' when it joined another finding's incident. */
  status?: string;
}

export interface DetectorScore { detector: DetectorName; events: number; found: number; findings: number; truePositives: number; recall: number | null; precision: number | null; latencyMedianS: number | null; latencyMaxS: number | null; falseFindings: Episode[]; missed: string[] }

const SLACK_MS = 2 * 3_600_000;

export function matches(ep: Episode, ev: InjectedEvent): boolean {
  const s = Date.parse(ev.start), e = Date.parse(ev.end) + SLACK_MS;
  if (ep.windowEnd < s || ep.windowStart > e) return false;
  return ev.entities.some((k) => (k.endsWith('->') || k.endsWith(':') ? ep.entity.startsWith(k) : ep.entity === k));
}

export function score(detectors: readonly DetectorName[], episodes: Episode[], events: InjectedEvent[]): DetectorScore[] {
  return detectors.map((d) => {
    const mine = episodes.filter((x) => x.detector === d);
    const must = events.filter((ev) => ev.expect.includes(d));
    const may = events.filter((ev) => ev.expect.includes(d) || ev.tolerate.includes(d));
    const latencies: number[] = [];
    const missed: string[] = [];
    for (const ev of must) {
      const hits = mine.filter((x) => matches(x, ev));
      if (hits.length === 0) { missed.push(ev.id); continue; }
      latencies.push((Math.min(...hits.map((h) => h.detectedAt)) - Date.parse(ev.start)) / 1000);
    }
    const falseFindings = mine.filter((x) => !may.some((ev) => matches(x, ev)));
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      detector: d, events: must.length, found: latencies.length, findings: mine.length, truePositives: mine.length - falseFindings.length,
      recall: must.length ? latencies.length / must.length : null,
      precision: mine.length ? (mine.length - falseFindings.length) / mine.length : null,
      latencyMedianS: sorted.length ? sorted[sorted.length >> 1]! : null, latencyMaxS: sorted.length ? sorted[sorted.length - 1]! : null,
      falseFindings, missed,
    };
  });
}

/** Informational findings (a workload learning its baseline) inform; they do not alert. */
export const INFORMATIONAL: readonly DetectorName[] = ['new_workload'];

export const alerts = (e: Episode): boolean => !INFORMATIONAL.includes(e.detector) && e.status !== 'merged';

export interface ScenarioScore {
  /** Events something must alert on, and how many of them an alerting finding (of a detector that must or may find it) covers. */
  incidents: number; found: number;
  alerting: number; truePositives: number;
  precision: number | null; recall: number | null;
  /** Alerting findings per found incident (1 = one finding per incident). */
  findingsPerIncident: number | null;
  /** Share of found incidents whose first alerting finding is of a kind the event expects. */
  kindAccuracy: number | null;
  /** Slowest breach detection, seconds. */
  breachLatencyMaxS: number | null;
  /** Alerting findings about a workload in its cold start. */
  coldStartFalse: Episode[];
  falseFindings: Episode[]; missed: string[]; wrongKind: string[];
}

export function scoreScenario(episodes: Episode[], events: InjectedEvent[]): ScenarioScore {
  const alerting = episodes.filter(alerts);
  const incidents = events.filter((ev) => ev.expect.some((d) => !INFORMATIONAL.includes(d)));
  const mayAlert = (x: Episode, ev: InjectedEvent) => (ev.expect.includes(x.detector) || ev.tolerate.includes(x.detector)) && matches(x, ev);
  let found = 0, perIncident = 0, rightKind = 0;
  const missed: string[] = [], wrongKind: string[] = [];
  for (const ev of incidents) {
    const hits = alerting.filter((x) => mayAlert(x, ev)).sort((a, b) => a.detectedAt - b.detectedAt);
    if (hits.length === 0) { missed.push(ev.id); continue; }
    found++;
    perIncident += hits.length;
    if (ev.expect.includes(hits[0]!.detector)) rightKind++;
    else wrongKind.push(`${ev.id}: ${hits[0]!.detector}, expected ${ev.expect.join(' or ')}`);
  }
  const falseFindings = alerting.filter((x) => !events.some((ev) => mayAlert(x, ev)));
  const coldStartFalse = alerting.filter((x) => events.some((ev) => ev.coldStart && matches(x, ev)));
  const breach = events.filter((ev) => ev.breach).map((ev) => {
    const hits = episodes.filter((x) => x.detector === 'segmentation' && matches(x, ev));
    return hits.length ? (Math.min(...hits.map((h) => h.detectedAt)) - Date.parse(ev.start)) / 1000 : Infinity;
  });
  const tp = alerting.length - falseFindings.length;
  return {
    incidents: incidents.length, found, alerting: alerting.length, truePositives: tp,
    precision: alerting.length ? tp / alerting.length : null, recall: incidents.length ? found / incidents.length : null,
    findingsPerIncident: found ? perIncident / found : null, kindAccuracy: found ? rightKind / found : null,
    breachLatencyMaxS: breach.length ? Math.max(...breach) : null, coldStartFalse, falseFindings, missed, wrongKind,
  };
}
