/**
 * Whether a report's window holds the data it claims to describe: flows per
 * source per hour, the newest flow, and the hours a source was silent. A
 * report over no data must say NO DATA before anything else, and one with a
 * silent source PARTIAL DATA, or an empty store reads like a calm morning.
 *
 * A "source" here is the kind of log (provider/log_type, e.g. aws/vpc): the
 * flows table's `source` column names single objects, too fine to see a feed
 * go quiet. Only complete hours are judged: the hour still in progress, and
 * the delivery delay of the logs, would otherwise flag every live report.
 */
import { fmtTime } from './format.js';

const H = 3_600_000;

export type CoverageStatus = 'ok' | 'partial' | 'none';

export interface SourceCoverage {
  source: string;
  flows: number;
  /** Newest flow start of this source in the window, ISO; null when it sent none. */
  newest: string | null;
  /** Flows per judged hour, in the order of Coverage.hours. */
  perHour: number[];
  /** Runs of consecutive judged hours without a flow: [start, end) ISO. */
  gaps: { start: string; end: string; hours: number }[];
}

export interface Coverage {
  status: CoverageStatus;
  /** Start of each complete hour judged, ISO. */
  hours: string[];
  sources: SourceCoverage[];
  /** Newest stored flow before the window's end (looked for up to 30 days back), ISO; null when none. */
  newestFlow: string | null;
}

export interface HourCount { source: string; hour: number; flows: number }

/** Complete hours inside [since, until). */
export function judgedHours(since: Date, until: Date): number[] {
  const out: number[] = [];
  for (let h = Math.ceil(since.getTime() / H) * H; h + H <= until.getTime(); h += H) out.push(h);
  return out;
}

/**
 * `counts`: flows per source and hour in the window; `known`: the sources
 * seen in the window or the one before it (a source that went silent for the
 * whole window is a gap too, not an absence).
 */
export function assessCoverage(o: { since: Date; until: Date; counts: HourCount[]; known: string[]; newest: Map<string, Date>; newestFlow: Date | null; totalFlows: number }): Coverage {
  const hours = judgedHours(o.since, o.until);
  const names = [...new Set([...o.known, ...o.counts.map((c) => c.source)])].sort();
  const sources = names.map((source): SourceCoverage => {
    const byHour = new Map(o.counts.filter((c) => c.source === source).map((c) => [c.hour, c.flows]));
    const perHour = hours.map((h) => byHour.get(h) ?? 0);
    const gaps: SourceCoverage['gaps'] = [];
    for (let i = 0; i < hours.length; i++) {
      if (perHour[i]! > 0) continue;
      let j = i;
      while (j + 1 < hours.length && perHour[j + 1] === 0) j++;
      gaps.push({ start: new Date(hours[i]!).toISOString(), end: new Date(hours[j]! + H).toISOString(), hours: j - i + 1 });
      i = j;
    }
    const flows = o.counts.filter((c) => c.source === source).reduce((a, c) => a + c.flows, 0);
    const newest = o.newest.get(source);
    return { source, flows, newest: newest ? newest.toISOString() : null, perHour, gaps };
  });
  const status: CoverageStatus = o.totalFlows === 0 ? 'none' : sources.some((s) => s.gaps.length > 0) ? 'partial' : 'ok';
  return { status, hours: hours.map((h) => new Date(h).toISOString()), sources, newestFlow: o.newestFlow ? o.newestFlow.toISOString() : null };
}

const span = (g: SourceCoverage['gaps'][number]) => `${fmtTime(g.start).slice(0, 16)} → ${fmtTime(g.end).slice(0, 16)} UTC (${g.hours} h)`;

/** "aws/vpc: no flows 2026-05-01 10:00 → 2026-05-01 14:00 UTC (4 h)" per silent source. */
export function missingLines(c: Coverage): string[] {
  return c.sources.filter((s) => s.gaps.length > 0).map((s) => `${s.source}: no flows ${s.gaps.map(span).join(', ')}`);
}

/**
 * The loud first line of a report whose data is missing, or null when every
 * source sent flows every hour. Every renderer and the chat message use it.
 */
export function coverageAlert(c: Coverage, since: string, until: string): string | null {
  if (c.status === 'ok') return null;
  if (c.status === 'none') {
    const newest = c.newestFlow ? `the newest stored flow is from ${fmtTime(c.newestFlow)}` : 'no flow was stored in the 30 days before it';
    return `NO DATA: no flows were stored for ${fmtTime(since)} → ${fmtTime(until)}; ${newest}. Every count below is empty because the data is missing, not because all is well: check that the sources are running (flowlog run's /healthz).`;
  }
  return `PARTIAL DATA: ${missingLines(c).join('; ')}. Counts and findings cover only the hours with data.`;
}

/** "NO DATA: ..." split into its level and its text, for renderers that set the level apart. */
export function alertParts(alert: string | null): { level: 'NO DATA' | 'PARTIAL DATA'; text: string } | null {
  const m = alert ? /^(NO DATA|PARTIAL DATA): (.*)$/s.exec(alert) : null;
  return m ? { level: m[1] as 'NO DATA' | 'PARTIAL DATA', text: m[2]! } : null;
}
