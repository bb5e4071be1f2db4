/**
 * Event-level scoring of findings against the ground truth, per detector:
 * an event counts as found once (however many findings cover it, no
 * point-adjust inflation), a finding is true when it is about an event the
 * detector must or may find (matching entity, overlapping window), and the
 * latency is from the event's start to the first detector run that reported it.
 */
import type { DetectorName } from '../detect/finding.js';
import type { InjectedEvent } from '../generate/scenario.js';

export interface Episode { detector: DetectorName; entity: string; windowStart: number; windowEnd: number; detectedAt: number; severity: string; summary: string }

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
