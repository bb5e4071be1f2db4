/**
 * Everything a report shows, gathered from the store by the report builder
 * and rendered to HTML, Markdown and JSON. Plain data: rendering never
 * queries.
 */
import type { Finding } from '../detect/finding.js';
import type { Coverage } from './coverage.js';

export interface SeriesPoint { t: string; value: number; baselineLow?: number | null; baselineHigh?: number | null }

export interface ReportData {
  /** NO DATA / PARTIAL DATA, said before anything else; null when every source sent flows every hour. */
  alert: string | null;
  title: string;
  generatedAt: string; // ISO
  since: string; // ISO, start of the reported window
  until: string; // ISO
  totals: { flows: number; bytes: number; egressBytes: number; deniedFlows: number; owners: number };
  /** Open (and recently resolved) findings in the window, most severe first. */
  findings: Finding[];
  /** Flows per source per hour, the newest flow, the hours a source was silent. */
  coverage: Coverage;
  /** The window `changes` compares against: the one of the same length just before. */
  comparison: { since: string; until: string; label: string };
  /** Findings that are new since the previous report window, and those resolved since. */
  changes: { newFindings: number; resolved: number; egressChangePct: number | null; deniedChangePct: number | null };
  /** Egress to public addresses per owner, hourly, with the baseline band where there is one. */
  egress: { owner: string; points: SeriesPoint[] }[];
  /** Segment x segment: flows, and how many of them broke policy (accepted) or tried to (rejected). */
  violations: { segments: string[]; cells: { from: string; to: string; flows: number; breaches: number; attempts: number }[] };
  topTalkers: { address: string; owner: string | null; bytes: number; flows: number; peers: number }[];
}
