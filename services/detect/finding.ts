/**
 * A finding: what a detector says about one entity in one window. The
 * anomalies table holds one open finding per (detector, entity), updated as
 * the detector sees it again rather than repeated; reports, webhooks and
 * `flowlog investigate` read it.
 */

export { DETECTORS, type DetectorName } from '../../schemas/detect.js';
import type { DetectorName } from '../../schemas/detect.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** merged: part of an incident another finding leads (label incident names it); shown as its evidence, not on its own. */
export type FindingStatus = 'open' | 'resolved' | 'suppressed' | 'merged';

export interface Finding {
  detector: DetectorName;
  /** Stable key of what the finding is about, e.g. "owner=payments", "src=10.1.2.3", "pci->dev:tcp/5432". */
  entity: string;
  /** The owner to route it to, when known. */
  owner: string | null;
  /** The window the evidence is from (UTC). */
  windowStart: Date;
  windowEnd: Date;
  severity: Severity;
  /** Detector-specific strength (e.g. robust z-score); higher is stronger. */
  score: number;
  observed: number;
  /** The baseline, when the detector has one. */
  expected: number | null;
  /** Unit of observed/expected: bytes, flows, ports, hosts, destinations. */
  unit: string;
  /** One line a person reads first. */
  summary: string;
  evidence: {
    /** A few of the flows behind it, as rows. */
    topFlows: Record<string, unknown>[];
    /** A ready-to-run query that shows the flows behind the finding. */
    sql: string;
  };
  firstSeen: Date;
  lastSeen: Date;
  status: FindingStatus;
  /** Extra facts, e.g. { baseline: 'learning' } while history is short, { action: 'ACCEPT' } for a breach. */
  labels: Record<string, string>;
}
